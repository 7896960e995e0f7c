"""The unit of work: the contract on SQLAlchemy (SQLite and PostgreSQL), and its failure mapping."""

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker

from tasktracker.domain import Status, utc_now
from tasktracker.errors import Unavailable
from tasktracker.service import TaskService
from tasktracker.sqla import SqlAlchemyUnitOfWork, create_engine_for
from tasktracker.sqla.migrate import upgrade
from tasktracker.testing.repository_contract import make_new_task
from tasktracker.testing.unit_of_work_contract import UnitOfWorkContract
from tasktracker.unit_of_work import InMemoryUnitOfWork


class TestSqlAlchemyUnitOfWorkOnSqlite(UnitOfWorkContract):
    @pytest.fixture
    def unit_of_work_factory(self, sqlite_url: str) -> Iterator[Callable[[], SqlAlchemyUnitOfWork]]:
        upgrade(sqlite_url)
        engine = create_engine_for(sqlite_url)
        yield lambda: SqlAlchemyUnitOfWork(sessionmaker(bind=engine))
        engine.dispose()


class TestSqlAlchemyUnitOfWorkOnPostgresql(UnitOfWorkContract):
    @pytest.fixture
    def unit_of_work_factory(self, postgresql_url: str) -> Iterator[Callable[[], SqlAlchemyUnitOfWork]]:
        upgrade(postgresql_url)
        engine: Engine = create_engine_for(postgresql_url)
        with engine.begin() as connection:
            connection.execute(text("TRUNCATE tasks, task_tags, users RESTART IDENTITY CASCADE"))
        yield lambda: SqlAlchemyUnitOfWork(sessionmaker(bind=engine))
        engine.dispose()


def test_a_database_failure_at_commit_is_a_503(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    upgrade(sqlite_url)
    engine = create_engine_for(sqlite_url)
    unit_of_work = SqlAlchemyUnitOfWork(sessionmaker(bind=engine))
    unit_of_work.tasks_of(unit_of_work.accounts.add_user("owner", "!", utc_now()).id).add(make_new_task("never stored"))

    def lost_connection() -> None:
        raise OperationalError("COMMIT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(unit_of_work.session, "commit", lost_connection)
    with pytest.raises(Unavailable) as raised:
        unit_of_work.finish(succeeded=True)
    assert isinstance(raised.value.__cause__, OperationalError)
    engine.dispose()


def test_the_in_memory_unit_counts_what_it_was_asked() -> None:
    with InMemoryUnitOfWork() as committed:
        committed.tasks_of(1).add(make_new_task())
    with pytest.raises(ValueError), InMemoryUnitOfWork() as rolled_back:
        raise ValueError
    assert (committed.commits, committed.rollbacks) == (1, 0)
    assert (rolled_back.commits, rolled_back.rollbacks) == (0, 1)


class CountingEvents:
    def __init__(self) -> None:
        self.seen: list[str] = []

    def task_created(self) -> None:
        self.seen.append("created")

    def task_deleted(self) -> None:
        self.seen.append("deleted")

    def status_changed(self, from_status: Status, to_status: Status) -> None:
        self.seen.append(f"{from_status.value}->{to_status.value}")


def test_events_are_reported_only_once_the_unit_has_committed() -> None:
    events = CountingEvents()
    unit_of_work = InMemoryUnitOfWork()
    service = TaskService(unit_of_work.tasks_of(1), events=unit_of_work.collect(events))
    task = service.create_task({"title": "counted"})
    service.update_task(task.id, {"status": "in_progress"})
    assert events.seen == []
    unit_of_work.finish(succeeded=True)
    assert events.seen == ["created", "todo->in_progress"]


def test_events_of_a_rolled_back_or_failed_commit_are_never_reported() -> None:
    events = CountingEvents()
    rolled_back = InMemoryUnitOfWork()
    TaskService(rolled_back.tasks_of(1), events=rolled_back.collect(events)).create_task({"title": "rolled back"})
    rolled_back.finish(succeeded=False)

    failed = InMemoryUnitOfWork()
    TaskService(failed.tasks_of(1), events=failed.collect(events)).create_task({"title": "commit fails"})

    def failing_commit() -> None:
        raise Unavailable()

    failed.commit = failing_commit  # type: ignore[method-assign]
    with pytest.raises(Unavailable):
        failed.finish(succeeded=True)
    assert events.seen == []
