"""Every error as application/problem+json: the spec's problems, Werkzeug's, and the unexpected."""

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from tasktracker.errors import (
    PROBLEM_CONTENT_TYPE,
    InternalError,
    NotFound,
    PayloadTooLarge,
    ProblemError,
    needs_error_log,
)
from tasktracker.http import json_bytes, method_not_allowed, route_template_for_path
from tasktracker.observability.logging import log_failure


# region: errors
def problem_response(problem: ProblemError) -> Response:
    return Response(
        json_bytes(problem.to_dict(g.observation.request_id)),
        status=problem.status,
        headers=problem.headers,
        content_type=PROBLEM_CONTENT_TYPE,
    )


def handle_problem(problem: ProblemError) -> Response:
    if needs_error_log(problem):
        log_failure(problem)
    return problem_response(problem)


def handle_http_exception(exception: HTTPException) -> Response:
    """Werkzeug's own errors: routing misses (404, 405) and the body limit (413)."""
    if exception.code == 404:
        return problem_response(NotFound())
    if exception.code == 405:
        return problem_response(method_not_allowed(route_template_for_path(request.path)))
    if exception.code == 413:
        return problem_response(PayloadTooLarge())
    log_failure(exception)
    return problem_response(InternalError())


def handle_unexpected(exception: Exception) -> Response:
    log_failure(exception)
    return problem_response(InternalError())


def init_app(app: Flask) -> None:
    app.register_error_handler(ProblemError, handle_problem)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)


# endregion
