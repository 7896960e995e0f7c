"""The SQLAlchemy 2.x adapter: engine setup, ORM records, the repository and Alembic migrations.

Used by the Flask, Bottle, CherryPy and TurboGears variants; each owns its session lifecycle
(one transaction per request) the way its framework does, through
:class:`SqlAlchemyUnitOfWork` and the :class:`SqlAlchemyTaskRepository` on it.
Migrations: ``tasktracker.sqla.migrate.upgrade`` (imported on its own, so that serving processes
never load Alembic).
"""

from tasktracker.sqla.engine import create_engine_for, sqlalchemy_url
from tasktracker.sqla.repository import SqlAlchemyTaskRepository, database_failures_as_unavailable
from tasktracker.sqla.unit_of_work import SqlAlchemyUnitOfWork

__all__ = [
    "SqlAlchemyTaskRepository",
    "SqlAlchemyUnitOfWork",
    "create_engine_for",
    "database_failures_as_unavailable",
    "sqlalchemy_url",
]
