"""Request id, access log and metrics around every request.

WSGI middleware around the whole TurboGears application, because the request is observed until
the server has the complete response: the server closes the response iterable when it has sent
the body (PEP 3333), and that is when the access line is written and the duration measured.
"""

from tasktracker.http import route_template_for_path
from tasktracker.observability.logging import REQUEST_ID_HEADER
from tasktracker.observability.observation import RequestObservation


# region: logging, metrics
class ObservedBody:
    """The response iterable, handed on; closing it closes the wrapped one, then finishes the observation."""

    def __init__(self, body, finish):
        self.body = body
        self.finish = finish

    def __iter__(self):
        return iter(self.body)

    def close(self):
        try:
            if hasattr(self.body, "close"):
                self.body.close()
        finally:
            self.finish()


class RequestObservationMiddleware:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        route = route_template_for_path(path)
        observation = RequestObservation(environ["REQUEST_METHOD"], path, environ.get("HTTP_X_REQUEST_ID"))
        statuses = []

        def start_observed_response(status, headers, exc_info=None):
            statuses.append(int(status.split(" ", 1)[0]))
            return start_response(status, [*headers, (REQUEST_ID_HEADER, observation.request_id)], exc_info)

        try:
            body = self.app(environ, start_observed_response)
        except BaseException:
            # ProblemDetailsWrapper answers every failure inside; the server answers 500 to this.
            observation.finish(route, 500)
            raise
        return ObservedBody(body, lambda: observation.finish(route, statuses[-1]))


# endregion
