"""The repository contract, run against the in-memory reference and SQLAlchemy on both databases."""

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from tasktracker.memory import InMemoryTaskRepository
from tasktracker.sqla import SqlAlchemyTaskRepository, create_engine_for
from tasktracker.sqla.migrate import upgrade
from tasktracker.sqla.models import Base
from tasktracker.testing.repository_contract import RepositoryContract


class TestInMemoryRepository(RepositoryContract):
    @pytest.fixture
    def task_repository(self) -> InMemoryTaskRepository:
        return InMemoryTaskRepository()


def _session_repository(engine: Engine) -> Iterator[SqlAlchemyTaskRepository]:
    with Session(engine) as session:
        yield SqlAlchemyTaskRepository(session)
        session.rollback()


class TestSqlAlchemyOnSqlite(RepositoryContract):
    @pytest.fixture
    def task_repository(self, sqlite_url: str) -> Iterator[SqlAlchemyTaskRepository]:
        upgrade(sqlite_url)
        engine = create_engine_for(sqlite_url)
        yield from _session_repository(engine)
        engine.dispose()


@pytest.fixture(scope="module")
def migrated_engine(postgresql_url: str) -> Iterator[Engine]:
    upgrade(postgresql_url)
    engine = create_engine_for(postgresql_url)
    yield engine
    engine.dispose()


class TestSqlAlchemyOnPostgresql(RepositoryContract):
    @pytest.fixture
    def task_repository(self, migrated_engine: Engine) -> Iterator[SqlAlchemyTaskRepository]:
        # Each test sees an empty table and restarts ids; the session's transaction is rolled back anyway.
        with migrated_engine.begin() as connection:
            connection.execute(text("TRUNCATE tasks, task_tags RESTART IDENTITY"))
        yield from _session_repository(migrated_engine)


def test_migrations_match_the_models(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    engine = create_engine_for(sqlite_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []


def test_unreachable_database_is_unavailable_and_not_ready() -> None:
    from tasktracker.errors import Unavailable

    engine = create_engine_for("postgresql://postgres@127.0.0.1:9/unreachable")
    with Session(engine) as session:
        repository = SqlAlchemyTaskRepository(session)
        assert repository.ping() is False
        with pytest.raises(Unavailable):
            repository.get(1)
