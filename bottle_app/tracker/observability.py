"""Request id, access log and metrics: WSGI middleware around the Bottle app.

Not a plugin: Bottle applies plugins to route callbacks, so a plugin never sees a request that
matched no route (Bottle's own 404 and 405), and the status of Bottle's own 500 is only known
after every plugin and hook has run. Around the whole app, every request is seen exactly once.
"""

import re

from tasktracker.http import route_template_for_path
from tasktracker.observability.logging import REQUEST_ID_HEADER
from tasktracker.observability.observation import RequestObservation

BOTTLE_WILDCARD = re.compile(r"<[^>]+>")


def decode_path(path_info: str) -> str:
    """PATH_INFO as text: WSGI hands it over as latin-1; bytes that are not UTF-8 become U+FFFD."""
    return path_info.encode("latin-1").decode("utf-8", "replace") or "/"


# region: metrics
def route_label(environ, path: str) -> str:
    """The matched route's rule as the spec's template; Bottle sets no route when routing failed."""
    route = environ.get("bottle.route")
    if route is not None:
        # The API has one path wildcard, the task id: /api/tasks/<task_id> → /api/tasks/{id}.
        return BOTTLE_WILDCARD.sub("{id}", route.rule)
    return route_template_for_path(path)


# endregion


# region: logging, metrics
class RequestObservationMiddleware:
    def __init__(self, app) -> None:
        self.app = app

    def __call__(self, environ, start_response):
        # Read before Bottle replaces PATH_INFO with its own decoding of it.
        path = decode_path(environ.get("PATH_INFO", ""))
        observation = RequestObservation(environ["REQUEST_METHOD"], path, environ.get("HTTP_X_REQUEST_ID"))
        status = 500

        def start_observed_response(status_line, headers, exc_info=None):
            nonlocal status
            status = int(status_line.split(" ", 1)[0])
            headers.append((REQUEST_ID_HEADER, observation.request_id))
            return start_response(status_line, headers, exc_info)

        try:
            yield from self.app(environ, start_observed_response)
        finally:
            # Runs when the server closes the response, after the body has been sent.
            observation.finish(route_label(environ, path), status)


# endregion
