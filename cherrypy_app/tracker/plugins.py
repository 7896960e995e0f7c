"""The SQLAlchemy engine as an engine plugin: it lives from engine start to engine stop."""

import cherrypy
from cherrypy.process import plugins
from sqlalchemy.orm import sessionmaker

from tasktracker.observability.metrics import TASK_EVENTS
from tasktracker.service import TaskService
from tasktracker.sqla import SqlAlchemyUnitOfWork, create_engine_for
from tasktracker.unit_of_work import UnitOfWork


# region: persistence
class SQLAlchemyPlugin(plugins.SimplePlugin):
    """Owns the process's one engine, and opens units of work on the bus's 'unit-of-work' channel."""

    def __init__(self, bus, database_url: str) -> None:
        super().__init__(bus)
        self.database_url = database_url
        self.engine = None
        self.sessionmaker = None

    def start(self) -> None:
        self.bus.log("Starting the SQLAlchemy engine")
        # Connects lazily: the server starts, and /health/live answers, with the database down.
        self.engine = create_engine_for(self.database_url)
        self.sessionmaker = sessionmaker(bind=self.engine)
        self.bus.subscribe("unit-of-work", self.open_unit_of_work)

    # At the default priority (50): after the HTTP server's stop (25), which waits for the
    # requests in flight, so no request loses its connection.
    def stop(self) -> None:
        if self.engine is None:
            return
        self.bus.unsubscribe("unit-of-work", self.open_unit_of_work)
        self.bus.log("Disposing of the SQLAlchemy engine")
        self.engine.dispose()
        self.engine = None

    def open_unit_of_work(self) -> UnitOfWork:
        return SqlAlchemyUnitOfWork(self.sessionmaker)


def task_service() -> TaskService:
    """The service over the request's unit of work, which tools.unit_of_work opened."""
    unit_of_work = cherrypy.serving.request.unit_of_work
    # The counters move only once the request's transaction has committed.
    return TaskService(unit_of_work.tasks, events=unit_of_work.collect(TASK_EVENTS))


# endregion
