"""Request id, access log and metrics around every request.

An application wrapper rather than WSGI middleware: it runs with TurboGears' request and response
objects, outside dispatch and the transaction manager, so it sees every response, including the
problem documents of ProblemDetailsWrapper, and stamps the request id on each.
"""

from tg.appwrappers.base import ApplicationWrapper

from tasktracker.http import route_template_for_path
from tasktracker.observability.logging import REQUEST_ID_HEADER
from tasktracker.observability.observation import RequestObservation


# region: logging, metrics
class RequestObservationWrapper(ApplicationWrapper):
    def __call__(self, controller, environ, context):
        request = context.request
        observation = RequestObservation(request.method, request.path_info, request.headers.get(REQUEST_ID_HEADER))
        # ProblemDetailsWrapper, inside, turns every exception into a response.
        response = self.next_handler(controller, environ, context)
        response.headers[REQUEST_ID_HEADER] = observation.request_id
        observation.finish(route_template_for_path(request.path_info), response.status_int)
        return response


# endregion
