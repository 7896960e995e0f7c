"""Spec 7.4: a database migrated at 1.x upgrades to 2.0 without losing a task, on both databases."""

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from tasktracker.accounts import LEGACY_USERNAME, UNUSABLE_PASSWORD_PREFIX
from tasktracker.domain import ListQuery, utc_now
from tasktracker.passwords import Argon2Hasher
from tasktracker.sqla import SqlAlchemyTaskRepository, create_engine_for
from tasktracker.sqla.accounts import SqlAlchemyAccountRepository
from tasktracker.sqla.migrate import upgrade
from tasktracker.testing.repository_contract import make_new_task

# What a 1.x server wrote: two tasks, one with tags, in the schema of revision 0004.
TASK_COLUMNS = (
    "title, description, title_key, description_key, status, priority, due_date, created_at, updated_at,"
    " completed_at, version"
)


def _write_1x_tasks(url: str) -> None:
    engine = create_engine_for(url)
    now = utc_now()
    with engine.begin() as connection:
        for title in ("Kept one", "Kept two"):
            connection.execute(
                text(
                    f"INSERT INTO tasks ({TASK_COLUMNS}) VALUES (:title, '', :key, '', 'todo', 'normal', NULL,"
                    " :now, :now, NULL, 1)"
                ),
                {"title": title, "key": title.lower(), "now": now},
            )
        connection.execute(text("INSERT INTO task_tags (task_id, tag) VALUES (1, 'kept')"))
    engine.dispose()


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_a_1x_database_upgrades_and_its_tasks_belong_to_legacy(database: str, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue("sqlite_url" if database == "sqlite" else "fresh_postgresql_url")
    upgrade(url, "0004")
    _write_1x_tasks(url)
    upgrade(url)
    engine = create_engine_for(url)
    with Session(engine) as session:
        found = SqlAlchemyAccountRepository(session).user_with_password_hash(LEGACY_USERNAME)
        assert found is not None, "the migration creates the legacy owner"
        legacy, stored_hash = found
        assert stored_hash.startswith(UNUSABLE_PASSWORD_PREFIX)
        assert not Argon2Hasher().verify(stored_hash, ""), "nobody can sign in as legacy"
        tasks, total = SqlAlchemyTaskRepository(session, legacy.id).list(ListQuery(limit=10))
        assert total == 2
        assert sorted(task.title for task in tasks) == ["Kept one", "Kept two"]
        assert next(task for task in tasks if task.id == 1).tags == ("kept",)
    engine.dispose()


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_a_database_without_tasks_gets_no_legacy_user(database: str, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue("sqlite_url" if database == "sqlite" else "fresh_postgresql_url")
    upgrade(url)
    engine = create_engine_for(url)
    with Session(engine) as session:
        assert SqlAlchemyAccountRepository(session).user_with_password_hash(LEGACY_USERNAME) is None
    engine.dispose()


def test_the_upgrade_gives_no_deleted_id_again_on_sqlite(sqlite_url: str) -> None:
    """The copy of ``tasks`` keeps AUTOINCREMENT's counter: the newest task, deleted at 1.x, keeps its id."""
    upgrade(sqlite_url, "0004")
    _write_1x_tasks(sqlite_url)
    engine = create_engine_for(sqlite_url)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM tasks WHERE id = 2"))
    upgrade(sqlite_url)
    with Session(engine) as session:
        legacy = SqlAlchemyAccountRepository(session).user_with_password_hash(LEGACY_USERNAME)
        assert legacy is not None
        added = SqlAlchemyTaskRepository(session, legacy[0].id).add(make_new_task("after the upgrade"))
        assert added.id == 3, "id 2 was given to a task already"
    engine.dispose()
