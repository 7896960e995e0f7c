from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_the_models_and_migrations_agree():
    """``makemigrations --check`` exits non-zero when a model change has no migration yet."""
    output = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=output)
    assert "No changes detected" in output.getvalue()


@pytest.mark.django_db
def test_the_list_indexes_exist_and_postgresql_gets_trigram_ones():
    from django.db import connection

    with connection.cursor() as cursor:
        names = set(connection.introspection.get_constraints(cursor, "tasks_task"))
    assert {"tasks_created_at_id", "tasks_updated_at_id"} <= names
    trigram = {"tasks_task_title_key_trgm", "tasks_task_description_key_trgm"}
    assert trigram <= names if connection.vendor == "postgresql" else not trigram & names
