"""Bottle plugins (plugin API v2): what every route of a sub-app gets without asking, and the
unit of work that only the routes asking for it get."""

import functools

from bottle import HTTPError, HTTPResponse, PluginError, response
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from tasktracker.errors import problem_for
from tasktracker.observability.metrics import TASK_EVENTS
from tasktracker.service import TaskService
from tasktracker.sqla import SqlAlchemyUnitOfWork


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
                # problem_for, not handle_failure: the error handler logs it, once.
                raise HTTPError(problem_for(exception).status, exception=exception) from exception

        return wrapper


# endregion


# region: persistence, transaction
class SQLAlchemyPlugin:
    """A ``TaskService`` in a unit of work of its own for each route whose callback takes ``keyword``.

    One transaction per request: committed when the route returns a success, rolled back when it
    raises or answers an error, and the session closed either way. A failing commit raises
    ``Unavailable`` out of the route, for ``ProblemPlugin`` to answer 503. Routes that do not name
    the keyword are left untouched and never open a session.
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
            unit_of_work = SqlAlchemyUnitOfWork(self.sessions)
            kwargs[self.keyword] = TaskService(unit_of_work.tasks, events=unit_of_work.collect(TASK_EVENTS))
            try:
                result = callback(*args, **kwargs)
            except BaseException:
                unit_of_work.finish(succeeded=False)
                raise
            # A route can answer an error without raising (readiness' 503): no success either.
            status = result.status_code if isinstance(result, HTTPResponse) else response.status_code
            unit_of_work.finish(succeeded=status < 400)
            return result

        return wrapper


# endregion
