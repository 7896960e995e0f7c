"""The repository contracts (tasks; accounts, spec 7), run against the in-memory references
and SQLAlchemy on both databases."""

import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from tasktracker.accounts import unusable_password
from tasktracker.domain import utc_now
from tasktracker.errors import UsernameTaken
from tasktracker.memory import InMemoryAccountRepository, InMemoryTaskRepository
from tasktracker.sqla import SqlAlchemyTaskRepository, create_engine_for
from tasktracker.sqla.accounts import SqlAlchemyAccountRepository
from tasktracker.sqla.migrate import upgrade
from tasktracker.sqla.models import Base, include_in_comparison
from tasktracker.testing.account_repository_contract import AccountRepositoryContract
from tasktracker.testing.repository_contract import RepositoryContract


class TestInMemoryRepository(RepositoryContract):
    @pytest.fixture
    def task_repositories(self) -> tuple[InMemoryTaskRepository, InMemoryTaskRepository]:
        first = InMemoryTaskRepository(owner_id=1)
        return first, first.of(2)


def _session_repositories(engine: Engine) -> Iterator[tuple[SqlAlchemyTaskRepository, SqlAlchemyTaskRepository]]:
    """Two owners' repositories on one session, whose transaction is rolled back at the end."""
    with Session(engine) as session:
        accounts = SqlAlchemyAccountRepository(session)
        first, second = (accounts.add_user(name, unusable_password(), utc_now()) for name in ("first", "second"))
        # Committed, so that the transaction the test begins holds no lock yet (SQLite's ping).
        session.commit()
        yield SqlAlchemyTaskRepository(session, first.id), SqlAlchemyTaskRepository(session, second.id)
        session.rollback()


def _session_accounts(engine: Engine) -> Iterator[SqlAlchemyAccountRepository]:
    with Session(engine) as session:
        yield SqlAlchemyAccountRepository(session)
        session.rollback()


class TestSqlAlchemyOnSqlite(RepositoryContract):
    @pytest.fixture
    def task_repositories(self, sqlite_url: str) -> Iterator[tuple[SqlAlchemyTaskRepository, SqlAlchemyTaskRepository]]:
        upgrade(sqlite_url)
        engine = create_engine_for(sqlite_url)
        yield from _session_repositories(engine)
        engine.dispose()


@pytest.fixture(scope="module")
def migrated_engine(postgresql_url: str) -> Iterator[Engine]:
    upgrade(postgresql_url)
    engine = create_engine_for(postgresql_url)
    yield engine
    engine.dispose()


class TestSqlAlchemyOnPostgresql(RepositoryContract):
    @pytest.fixture
    def task_repositories(
        self, migrated_engine: Engine
    ) -> Iterator[tuple[SqlAlchemyTaskRepository, SqlAlchemyTaskRepository]]:
        # Each test sees empty tables and restarts ids; the session's transaction is rolled back anyway.
        with migrated_engine.begin() as connection:
            connection.execute(text("TRUNCATE tasks, task_tags, users RESTART IDENTITY CASCADE"))
        yield from _session_repositories(migrated_engine)


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_migrations_match_the_models(database: str, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue(f"{database}_url")
    upgrade(url)
    engine = create_engine_for(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": include_in_comparison(connection.dialect.name)}
        )
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []


def test_unreachable_database_is_unavailable_and_not_ready() -> None:
    from tasktracker.errors import Unavailable

    engine = create_engine_for("postgresql://postgres@127.0.0.1:9/unreachable")
    with Session(engine) as session:
        repository = SqlAlchemyTaskRepository(session, owner_id=1)
        assert repository.ping() is False
        with pytest.raises(Unavailable):
            repository.get(1)


# --- accounts (spec 7) ---------------------------------------------------------------


class TestInMemoryAccounts(AccountRepositoryContract):
    @pytest.fixture
    def account_repository(self) -> InMemoryAccountRepository:
        return InMemoryAccountRepository()


class TestSqlAlchemyAccountsOnSqlite(AccountRepositoryContract):
    @pytest.fixture
    def account_repository(self, sqlite_url: str) -> Iterator[SqlAlchemyAccountRepository]:
        upgrade(sqlite_url)
        engine = create_engine_for(sqlite_url)
        yield from _session_accounts(engine)
        engine.dispose()


class TestSqlAlchemyAccountsOnPostgresql(AccountRepositoryContract):
    @pytest.fixture
    def account_repository(self, migrated_engine: Engine) -> Iterator[SqlAlchemyAccountRepository]:
        with migrated_engine.begin() as connection:
            connection.execute(text("TRUNCATE users, api_tokens, login_failures RESTART IDENTITY CASCADE"))
        yield from _session_accounts(migrated_engine)


def _race_to_sign_up(engine: Engine, racers: int = 4) -> list[str]:
    """Each racer in its own session and transaction, as concurrent requests are: the unique index decides."""
    outcomes: list[str] = []
    barrier = threading.Barrier(racers)

    def sign_up(number: int) -> None:
        with Session(engine) as session:
            repository = SqlAlchemyAccountRepository(session)
            barrier.wait()
            try:
                repository.add_user("ada", f"hash {number}", datetime.now(UTC))
                session.commit()
                outcomes.append("created")
            except UsernameTaken:
                session.rollback()
                outcomes.append("taken")

    threads = [threading.Thread(target=sign_up, args=(number,)) for number in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_concurrent_sign_ups_of_one_name_have_one_winner_on_sqlite(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    engine = create_engine_for(sqlite_url)
    assert _race_to_sign_up(engine) == ["created", "taken", "taken", "taken"]
    engine.dispose()


def test_concurrent_sign_ups_of_one_name_have_one_winner_on_postgresql(migrated_engine: Engine) -> None:
    with migrated_engine.begin() as connection:
        connection.execute(text("TRUNCATE users, api_tokens, login_failures RESTART IDENTITY CASCADE"))
    assert _race_to_sign_up(migrated_engine) == ["created", "taken", "taken", "taken"]
