"""Bottle plugins (plugin API v2): what every route of a sub-app gets without asking, and the
unit of work, the authenticated user and the services that only the routes asking for them get."""

import functools

from bottle import HTTPError, HTTPResponse, PluginError, request, response
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from tasktracker.account_service import AccountService, PasswordHasher
from tasktracker.config import Settings
from tasktracker.errors import problem_for
from tasktracker.observability.metrics import AUTH_EVENTS, TASK_EVENTS
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
    """The request's unit of work, as ``keyword``, for each route that uses the database.

    A route uses it when its callback takes ``keyword`` or one of the services ``AuthPlugin``
    (installed after this one) builds on the unit of work, or when it is marked ``auth=True``: its
    token is looked up. One transaction per request: committed when the route returns a success,
    rolled back when it raises or answers an error, and the session closed either way. A failing
    commit raises ``Unavailable`` out of the route, for ``ProblemPlugin`` to answer 503. Any other
    route is left untouched and never opens a session.
    """

    name = "sqlalchemy"
    api = 2

    def __init__(self, engine: Engine, keyword: str = "unit_of_work") -> None:
        self.sessions = sessionmaker(bind=engine)
        self.keyword = keyword

    def setup(self, app):
        for other in app.plugins:
            if isinstance(other, SQLAlchemyPlugin) and other.keyword == self.keyword:
                raise PluginError(f"another SQLAlchemyPlugin already injects {self.keyword!r}")

    def uses_the_database(self, route) -> bool:
        arguments = {self.keyword, *AuthPlugin.SERVICE_ARGUMENTS}
        return route.config.get("auth", False) or not arguments.isdisjoint(route.get_callback_args())

    def apply(self, callback, route):
        if not self.uses_the_database(route):
            return callback

        @functools.wraps(callback)
        def wrapper(*args, **kwargs):
            unit_of_work = SqlAlchemyUnitOfWork(self.sessions)
            kwargs[self.keyword] = unit_of_work
            try:
                result = callback(*args, **kwargs)
            except BaseException:
                # A failed token request's record is committed all the same (commit_even_if_failed).
                unit_of_work.finish(succeeded=False)
                raise
            # A route can answer an error without raising (readiness' 503): no success either.
            status = result.status_code if isinstance(result, HTTPResponse) else response.status_code
            unit_of_work.finish(succeeded=status < 400)
            return result

        return wrapper


# endregion


# region: auth
class AuthPlugin:
    """Bearer authentication for the routes marked ``auth=True``, and the services over the
    request's unit of work (which ``SQLAlchemyPlugin``, installed before this one, opens).

    It runs where a plugin runs: after Bottle's routing chose the route (its 404 and 405 come
    first) and before the callback, so before any view reads the body (spec 7.3). A marked route
    without a valid ``Authorization`` header raises the account service's 401, carrying its
    ``WWW-Authenticate``. Callbacks get what they name: ``accounts`` (the account service), and on
    a marked route ``authenticated`` (who the request is from, and its token) and ``tasks`` (that
    user's tasks only, spec 7.4). The unit of work itself reaches only a callback that takes it.
    Cookies are never read: a ``Cookie`` header authenticates nothing.
    """

    name = "auth"
    api = 2
    SERVICE_ARGUMENTS = frozenset({"accounts", "authenticated", "tasks"})

    def __init__(self, hasher: PasswordHasher, settings: Settings, keyword: str = "unit_of_work") -> None:
        self.hasher = hasher
        self.settings = settings
        self.keyword = keyword

    def setup(self, app):
        if not any(isinstance(other, SQLAlchemyPlugin) and other.keyword == self.keyword for other in app.plugins):
            raise PluginError(f"AuthPlugin needs a SQLAlchemyPlugin injecting {self.keyword!r} installed first")

    def apply(self, callback, route):
        arguments = set(route.get_callback_args())
        authenticated_route = route.config.get("auth", False)
        if not authenticated_route and self.SERVICE_ARGUMENTS.isdisjoint(arguments):
            return callback

        @functools.wraps(callback)
        def wrapper(*args, **kwargs):
            unit_of_work = kwargs[self.keyword] if self.keyword in arguments else kwargs.pop(self.keyword)
            accounts = AccountService.over(unit_of_work, self.hasher, self.settings, AUTH_EVENTS)
            if authenticated_route:
                authenticated = accounts.authenticate(request.get_header("Authorization"))
                if "authenticated" in arguments:
                    kwargs["authenticated"] = authenticated
                if "tasks" in arguments:
                    tasks_of_user = unit_of_work.tasks_of(authenticated.user.id)
                    kwargs["tasks"] = TaskService(tasks_of_user, events=unit_of_work.collect(TASK_EVENTS))
            if "accounts" in arguments:
                kwargs["accounts"] = accounts
            return callback(*args, **kwargs)

        return wrapper


# endregion
