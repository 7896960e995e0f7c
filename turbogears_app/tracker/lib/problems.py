"""Every error as application/problem+json: the spec's problems, TurboGears' own, and the unexpected."""

from tg.appwrappers.base import ApplicationWrapper
from tg.request_local import Response
from webob.exc import HTTPException

from tasktracker.errors import PROBLEM_CONTENT_TYPE, InternalError, NotFound, needs_error_log, problem_for
from tasktracker.http import json_bytes, method_not_allowed, route_template_for_path
from tasktracker.observability.logging import current_request_id, log_failure
from tasktracker.sqla import database_failures_as_unavailable


# region: errors
def problem_response(problem):
    response = Response(
        body=json_bytes(problem.to_dict(current_request_id())),
        status=problem.status,
        content_type=PROBLEM_CONTENT_TYPE,
        charset=None,
    )
    response.headers.update(problem.headers)
    return response


def problem_for_http_exception(request, exception):
    """A webob HTTPException that dispatch or ``tg.abort`` turned into the response."""
    if exception.status_int == 404:
        return NotFound()
    if exception.status_int == 405:
        return method_not_allowed(route_template_for_path(request.path_info))
    log_failure(exception)
    return InternalError()


class ProblemDetailsWrapper(ApplicationWrapper):
    def __call__(self, controller, environ, context):
        try:
            # Outside the transaction manager, so a failed commit is seen here too.
            with database_failures_as_unavailable():
                response = self.next_handler(controller, environ, context)
        except Exception as exception:
            problem = problem_for(exception)
            if needs_error_log(problem):
                log_failure(exception)
            return problem_response(problem)
        if isinstance(response, HTTPException):
            return problem_response(problem_for_http_exception(context.request, response))
        return response


# endregion
