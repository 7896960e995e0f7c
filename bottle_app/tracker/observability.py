"""Request id, access log and metrics: WSGI middleware around the Bottle app.

Not a plugin: Bottle applies plugins to route callbacks, so a plugin never sees a request that
matched no route (Bottle's own 404 and 405), and the status of Bottle's own 500 is only known
after every plugin and hook has run. Around the whole app, every request is seen exactly once.
"""

from tasktracker.http import route_template_for_path, route_template_for_rule
from tasktracker.observability.logging import REQUEST_ID_HEADER
from tasktracker.observability.observation import RequestObservation


# region: routing
def decode_path(path_info: str) -> str:
    """PATH_INFO as text: WSGI hands it over as latin-1; bytes that are not UTF-8 become U+FFFD."""
    return path_info.encode("latin-1").decode("utf-8", "replace") or "/"


# endregion


# region: metrics
def route_label(environ, path: str) -> str:
    """The matched route's rule as the spec's template; Bottle sets no route when routing failed."""
    route = environ.get("bottle.route")
    return route_template_for_rule(route.rule) if route is not None else route_template_for_path(path)


# endregion


# region: logging, metrics
class ObservedBody:
    """The app's response iterable, whose ``close()`` the server calls once the body is handed over.

    That is where the observation ends: the spec's duration runs until the whole response has
    been handed to the server. The app's own iterable is closed first, as PEP 3333 asks.
    """

    def __init__(self, body, finish_observation) -> None:
        self.body = body
        self.finish_observation = finish_observation

    def __iter__(self):
        return iter(self.body)

    def close(self) -> None:
        try:
            if hasattr(self.body, "close"):
                self.body.close()
        finally:
            self.finish_observation()


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

        def finish_observation() -> None:
            observation.finish(route_label(environ, path), status)

        return ObservedBody(self.app(environ, start_observed_response), finish_observation)


# endregion
