from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from tasks.models import Tag, Task

from tasktracker.accounts import LEGACY_USERNAME
from tasktracker.domain import utc_now

# The schema of spec 1.2: the tasks app before owners, and no django.contrib.auth tables yet.
SCHEMA_1_2 = [("tasks", "0002_task_list_indexes"), ("accounts", None), ("auth", None), ("contenttypes", None)]


def migrate_to_1_2():
    """The models of that schema (historical models), to store what a 1.2 server stored."""
    executor = MigrationExecutor(connection)
    executor.migrate(SCHEMA_1_2)
    return executor.loader.project_state(SCHEMA_1_2[0]).apps


def migrate_to_latest():
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def add_1_2_tasks(apps, titles):
    """Tasks as a 1.2 server stored them (its historical models), with a tag each."""
    OldTask, OldTag = apps.get_model("tasks", "Task"), apps.get_model("tasks", "Tag")
    now = utc_now()
    for title in titles:
        task = OldTask.objects.create(
            title=title, title_key=title, status="todo", priority="normal", created_at=now, updated_at=now
        )
        OldTag.objects.create(task=task, name="kept")
    return OldTask


# region: tests
@pytest.mark.django_db
def test_the_models_and_migrations_agree():
    """``makemigrations --check`` exits non-zero when a model change has no migration yet."""
    output = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=output)
    assert "No changes detected" in output.getvalue()


@pytest.mark.django_db
def test_the_list_indexes_start_with_the_owner_and_postgresql_gets_trigram_ones():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "tasks_task")
    assert constraints["tasks_owner_created_at_id"]["columns"] == ["owner_id", "created_at", "id"]
    assert constraints["tasks_owner_updated_at_id"]["columns"] == ["owner_id", "updated_at", "id"]
    assert not {"tasks_created_at_id", "tasks_updated_at_id"} & set(constraints)
    trigram = {"tasks_task_title_key_trgm", "tasks_task_description_key_trgm"}
    assert trigram <= set(constraints) if connection.vendor == "postgresql" else not trigram & set(constraints)


@pytest.mark.django_db(transaction=True)
def test_a_1_2_database_keeps_its_tasks_and_gives_them_to_legacy():
    OldTask = add_1_2_tasks(migrate_to_1_2(), ["first", "second", "deleted"])
    deleted_id = OldTask.objects.get(title="deleted").id
    OldTask.objects.filter(id=deleted_id).delete()
    migrate_to_latest()
    legacy = get_user_model().objects.get(username=LEGACY_USERNAME)
    assert sorted(Task.objects.filter(owner=legacy).values_list("title", flat=True)) == ["first", "second"]
    assert Tag.objects.filter(name="kept").count() == 2
    assert legacy.password.startswith("!") and not check_password("", legacy.password)
    with connection.cursor() as cursor:
        columns = {
            column.name: column for column in connection.introspection.get_table_description(cursor, "tasks_task")
        }
    assert not columns["owner_id"].null_ok
    # An id once given is never given again (spec 4.8), although SQLite copied the table.
    newer = Task.objects.create(
        title="new",
        title_key="new",
        status="todo",
        priority="normal",
        owner=legacy,
        created_at=utc_now(),
        updated_at=utc_now(),
    )
    assert newer.id > deleted_id


@pytest.mark.django_db(transaction=True)
def test_a_1_2_database_without_tasks_gets_no_legacy_user():
    migrate_to_1_2()
    migrate_to_latest()
    assert not get_user_model().objects.filter(username=LEGACY_USERNAME).exists()


# endregion
