"""The SQLAlchemy engine as an engine plugin: it lives from engine start to engine stop."""

import cherrypy
from cherrypy.process import plugins
from sqlalchemy.orm import sessionmaker

from tasktracker.account_service import AccountService
from tasktracker.observability.metrics import AUTH_EVENTS, TASK_EVENTS
from tasktracker.passwords import Argon2Hasher
from tasktracker.service import TaskService
from tasktracker.sqla import SqlAlchemyUnitOfWork, create_engine_for
from tasktracker.unit_of_work import UnitOfWork
from tracker import settings


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
    """The service over the request's unit of work, which tools.unit_of_work opened, and over the
    tasks of the user that tools.auth_bearer found: nobody else's are seen (spec 7.4)."""
    request = cherrypy.serving.request
    unit_of_work = request.unit_of_work
    tasks = unit_of_work.tasks_of(request.authenticated.user.id)
    # The counters move only once the request's transaction has committed.
    return TaskService(tasks, events=unit_of_work.collect(TASK_EVENTS))


# endregion


# region: auth
# CherryPy has no password hasher: shared's Argon2id (spec 7.5). One per process, since it hashes
# its dummy password (for unknown usernames) when it is made.
password_hasher = Argon2Hasher()


def account_service() -> AccountService:
    """Sign-up, tokens and authentication over the request's unit of work, as ALLOW_SIGNUP and
    TOKEN_TTL_HOURS configure them. A failed token request keeps its record through the unit's
    commit_even_if_failed, which tools.unit_of_work honours (tools.py)."""
    return AccountService.over(cherrypy.serving.request.unit_of_work, password_hasher, settings, AUTH_EVENTS)


# endregion
