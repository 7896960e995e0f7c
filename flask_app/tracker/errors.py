"""Every error as application/problem+json: the spec's problems, Werkzeug's, and the unexpected."""

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException, InternalServerError

from tasktracker.errors import PROBLEM_CONTENT_TYPE, ProblemError, handle_failure
from tasktracker.http import json_bytes, problem_for_routing_status


# region: errors
def problem_response(problem: ProblemError) -> Response:
    return Response(
        json_bytes(problem.to_dict(g.observation.request_id)),
        status=problem.status,
        headers=problem.headers,
        content_type=PROBLEM_CONTENT_TYPE,
    )


def handle_view_exception(exception: Exception) -> Response:
    """The spec's problems, and anything unexpected (a 500) that a view raised."""
    return problem_response(handle_failure(exception))


def handle_http_exception(exception: HTTPException) -> Response:
    """Werkzeug's own errors: routing misses (404, 405) and the body limit (413)."""
    problem = problem_for_routing_status(exception.code, request.path)
    return problem_response(problem or handle_failure(exception))


def handle_internal_server_error(error: InternalServerError) -> Response:
    """An exception raised where no handler above sees it, such as a failing commit in an
    after_request hook: Flask wraps it, and its original exception is the one answered."""
    return problem_response(handle_failure(error.original_exception or error))


def init_app(app: Flask) -> None:
    app.register_error_handler(Exception, handle_view_exception)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(InternalServerError, handle_internal_server_error)


# endregion
