"""The unit of work over a SQLAlchemy session: one session, and its one transaction, per request."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from tasktracker.sqla.accounts import SqlAlchemyAccountRepository
from tasktracker.sqla.repository import SqlAlchemyTaskRepository, database_failures_as_unavailable, ping_engine
from tasktracker.unit_of_work import UnitOfWork


class SqlAlchemyUnitOfWork(UnitOfWork):
    """Opens a session at once; the session begins its transaction on its first statement."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self.session = session_factory()
        self.accounts = SqlAlchemyAccountRepository(self.session)

    def tasks_of(self, owner_id: int) -> SqlAlchemyTaskRepository:
        return SqlAlchemyTaskRepository(self.session, owner_id)

    def ping(self) -> bool:
        return ping_engine(self.session)

    def commit(self) -> None:
        with database_failures_as_unavailable():
            self.session.commit()

    def rollback(self) -> None:
        with database_failures_as_unavailable():
            self.session.rollback()

    def close(self) -> None:
        self.session.close()
