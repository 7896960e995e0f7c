"""Every error as application/problem+json, through Bottle's ``@app.error`` handlers.

They see three kinds of ``HTTPError``: Bottle's own 404 and 405 (routing failed), Bottle's own
500 (an exception escaped everything else), and the ones ``ProblemPlugin`` raises to carry a
route's exception.
"""

from bottle import Bottle, HTTPError, request, response

from tasktracker.errors import PROBLEM_CONTENT_TYPE, REASON_PHRASES, ProblemError, handle_failure
from tasktracker.http import json_bytes, problem_for_routing_status
from tasktracker.observability.logging import current_request_id


# region: errors
def problem_for_error(error: HTTPError) -> ProblemError:
    if error.exception is not None:
        return handle_failure(error.exception)
    # Bottle's own 405 leaves HEAD out of Allow and joins with bare commas; the spec's lists all.
    problem = problem_for_routing_status(error.status_code, request.path)
    return problem if problem is not None else handle_failure(error)


def render_problem(error: HTTPError) -> bytes:
    problem = problem_for_error(error)
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
