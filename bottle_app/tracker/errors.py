"""Every error as application/problem+json, through Bottle's ``@app.error`` handlers.

They see three kinds of ``HTTPError``: Bottle's own 404 and 405 (routing failed), Bottle's own
500 (an exception escaped everything else), and the ones ``ProblemPlugin`` raises to carry a
route's exception.
"""

from bottle import Bottle, HTTPError, request, response

from tasktracker.errors import (
    PROBLEM_CONTENT_TYPE,
    REASON_PHRASES,
    InternalError,
    NotFound,
    ProblemError,
    needs_error_log,
    problem_for,
)
from tasktracker.http import json_bytes, method_not_allowed, route_template_for_path
from tasktracker.observability.logging import current_request_id, log_failure


# region: errors
def problem_for_error(error: HTTPError) -> ProblemError:
    if error.exception is not None:
        return problem_for(error.exception)
    if error.status_code == 404:
        return NotFound()
    if error.status_code == 405:
        # Bottle's Allow header leaves out HEAD and joins with bare commas; the spec's lists all.
        return method_not_allowed(route_template_for_path(request.path))
    return InternalError()


def render_problem(error: HTTPError) -> bytes:
    problem = problem_for_error(error)
    if needs_error_log(problem):
        log_failure(error.exception or problem)
    # The handler's return value is not passed through the JSON plugin: set everything here.
    response.status = problem.status
    response.content_type = PROBLEM_CONTENT_TYPE
    for name, value in problem.headers.items():
        response.set_header(name, value)
    return json_bytes(problem.to_dict(current_request_id()))


def init_app(app: Bottle) -> None:
    # Every status a problem can have, so no error ever falls through to Bottle's HTML page.
    for status in REASON_PHRASES:
        app.error(status, callback=render_problem)


# endregion
