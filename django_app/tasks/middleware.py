"""The operations contract (spec 6) as Django middleware: request id, access log, metrics, problems."""

from tasks.api import problem_response, route_template
from tasktracker.errors import needs_error_log, problem_for
from tasktracker.observability.logging import REQUEST_ID_HEADER, log_failure
from tasktracker.observability.observation import RequestObservation


# region: logging, metrics
class RequestObservationMiddleware:
    """Outermost: sees every request and the final response, whichever layer produced it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.observation = RequestObservation(request.method, request.path, request.headers.get(REQUEST_ID_HEADER))
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request.observation.request_id
        if request.method == "HEAD":
            # The headers of the GET (CommonMiddleware set its Content-Length) without its body.
            # gunicorn would drop the body too, but logs a warning each time.
            response.content = b""
        request.observation.finish(route_template(request), response.status_code)
        return response


# endregion


# region: errors
class ProblemMiddleware:
    """Every exception a view raises becomes problem+json: the spec's problems as they are, any
    other exception a 500 that reveals nothing (its traceback goes to the log)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        problem = problem_for(exception)
        if needs_error_log(problem):
            log_failure(exception)
        return problem_response(request, problem)


# endregion
