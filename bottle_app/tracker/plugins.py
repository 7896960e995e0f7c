"""Bottle plugins (plugin API v2): what every route of a sub-app gets without asking, and the
database session that only the routes asking for it get."""

import functools

from bottle import HTTPError, HTTPResponse, PluginError
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from tasktracker.errors import problem_for
from tasktracker.observability.metrics import TASK_EVENTS
from tasktracker.service import TaskService
from tasktracker.sqla import SqlAlchemyTaskRepository, database_failures_as_unavailable


# region: errors
class ProblemPlugin:
    """Turns whatever a route raises into an ``HTTPError`` carrying it, for the app's error handlers.

    Left alone, Bottle would answer a domain error (a 404, a 409) with its generic 500, and print
    the traceback of every one of them to ``wsgi.errors`` first.
    """

    name = "problems"
    api = 2

    def apply(self, callback, route):
        @functools.wraps(callback)
        def wrapper(*args, **kwargs):
            try:
                return callback(*args, **kwargs)
            except HTTPResponse:
                raise
            except Exception as exception:
                raise HTTPError(problem_for(exception).status, exception=exception) from exception

        return wrapper


# endregion


# region: persistence, transaction
class SQLAlchemyPlugin:
    """A ``TaskService`` over a fresh session for each route whose callback takes ``keyword``.

    One transaction per request: committed when the route returns, rolled back when it raises
    (closing the session rolls back whatever was not committed). Routes that do not name the
    keyword are left untouched and never open a session.
    """

    name = "sqlalchemy"
    api = 2

    def __init__(self, engine: Engine, keyword: str = "service") -> None:
        self.sessions = sessionmaker(bind=engine)
        self.keyword = keyword

    def setup(self, app):
        for other in app.plugins:
            if isinstance(other, SQLAlchemyPlugin) and other.keyword == self.keyword:
                raise PluginError(f"another SQLAlchemyPlugin already injects {self.keyword!r}")

    def apply(self, callback, route):
        if self.keyword not in route.get_callback_args():
            return callback

        @functools.wraps(callback)
        def wrapper(*args, **kwargs):
            with self.sessions() as session:
                kwargs[self.keyword] = TaskService(SqlAlchemyTaskRepository(session), events=TASK_EVENTS)
                result = callback(*args, **kwargs)
                with database_failures_as_unavailable():
                    session.commit()
            return result

        return wrapper


# endregion
