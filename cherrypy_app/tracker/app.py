"""The object tree's root, its config (global, and per path) from the spec's environment
variables, and its mounting on cherrypy.tree."""

from http.cookies import SimpleCookie

import cherrypy

from tasktracker.config import Settings
from tasktracker.observability.logging import logging_config
from tracker.api import Api
from tracker.dispatch import SpecDispatcher
from tracker.errors import respond_with_problem
from tracker.health import Health, Metrics
from tracker.tools import encode_json


# region: routing
class Root:
    api = Api()
    health = Health()
    metrics = Metrics()
    # cherrypy.tree.mount adds CherryPy's own favicon to a root mounted at "" that has none.
    favicon_ico = None


# endregion


# region: errors, auth
class IgnoredCookies(SimpleCookie):
    """request.cookie of this application: the API ignores cookies (spec 7.3). CherryPy parses the
    Cookie header before dispatch and answers a name it finds illegal (a/b=c) with its own HTML 400."""

    def load(self, rawdata) -> None:
        pass


class TrackerRequest(cherrypy.Application.request_class):
    # A request that CherryPy rejects before dispatch (HTTP/1.1 without Host) never sees the
    # config, "environment: production" included, only the class defaults: no traceback there.
    show_tracebacks = False

    def process_headers(self) -> None:
        self.cookie = IgnoredCookies()
        super().process_headers()


# endregion


# region: serving
def global_config(settings: Settings) -> dict:
    """cherrypy.config: the engine and the HTTP server."""
    return {
        # No tracebacks in responses, no autoreloader, no logging to the screen.
        "environment": "production",
        "server.socket_host": settings.host,
        "server.socket_port": settings.port,
        # One process: its threads are all the concurrency there is, each held for a whole
        # request, a slow client's included. Hence THREAD_POOL (spec 6.4), not WEB_CONCURRENCY,
        # whose 2 would let two slow uploads stall every other request.
        "server.thread_pool": settings.thread_pool,
        # Cheroot's listen backlog is 5: the kernel would reset a burst of new connections.
        "server.socket_queue_size": 128,
        # Off for Cheroot, whose 413 is a plain-text page: the methods read at most 1 MiB + 1 bytes
        # and answer the spec's 413 themselves.
        "server.max_request_body_size": 0,
        # After SIGTERM, requests in flight get this long to finish (spec 6.5: exit within 10 s).
        "server.shutdown_timeout": 5,
    }


# endregion


# region: app-config
def application_config() -> dict:
    """The application's config, per path: its dispatcher, and which tools run where."""
    return {
        "/": {
            "request.dispatch": SpecDispatcher(),
            "request.error_response": respond_with_problem,
            # The methods read bodies by the spec's rules: CherryPy would turn form bodies into
            # arguments, and answer 411 to a POST without Content-Length.
            "request.process_request_body": False,
            # The spec's rules read the raw query string; CherryPy still parses it first, and
            # answers 404 when a value is not UTF-8. Latin-1 decodes anything.
            "request.query_string_encoding": "latin-1",
            # Paths match exactly (spec 4): no redirects to add or strip a slash.
            "tools.trailing_slash.on": False,
            # respond_with_problem logs 5xx with their traceback; CherryPy would log every
            # exception a method raises, 404s included, at error.
            "tools.log_tracebacks.on": False,
            # On by default outside "environment: production": it writes every request header to
            # cherrypy.error on each error, the Authorization header and its token included.
            "tools.log_headers.on": False,
            # The API ignores cookies (spec 7.3): no session, so no session cookie.
            "tools.sessions.on": False,
            "tools.observe.on": True,
            "tools.json_out.on": True,
            "tools.json_out.handler": encode_json,
        },
        "/api": {"tools.unit_of_work.on": True},
        "/health/ready": {"tools.unit_of_work.on": True},
        "/metrics": {"tools.json_out.on": False},
    }


# endregion


# region: logging
def cherrypy_logging_config(settings: Settings) -> dict:
    """A dictConfig: every line on stdout in the spec's format (spec 6.2), CherryPy's included."""
    config = logging_config(settings)
    config["loggers"] = {
        # CherryPy sets its loggers to INFO itself.
        "cherrypy.error": {"level": settings.log_level},
        # tools.observe writes the one access line per request.
        "cherrypy.access": {"level": "CRITICAL", "handlers": [], "propagate": False},
    }
    return config


# endregion


# region: app-config
def mount(root: Root) -> cherrypy.Application:
    application = cherrypy.tree.mount(root, "", application_config())
    application.request_class = TrackerRequest
    return application


# endregion
