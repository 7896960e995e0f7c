"""Problem+json (spec 5): the response every error leaves as, and Django's own error handlers."""

from django.http import HttpRequest, HttpResponse

from tasktracker.errors import PROBLEM_CONTENT_TYPE, BadRequest, InternalError, ProblemError
from tasktracker.http import json_bytes, problem_for_routing_status


# region: errors
def problem_response(request: HttpRequest, problem: ProblemError) -> HttpResponse:
    return HttpResponse(
        json_bytes(problem.to_dict(request.observation.request_id)),
        status=problem.status,
        headers=problem.headers,
        content_type=PROBLEM_CONTENT_TYPE,
    )


# --- Django's error handlers (config/urls.py) -----------------------------------------------


def bad_request(request, exception):
    """Django's own 400 (a SuspiciousOperation): here, a Host header missing from ALLOWED_HOSTS."""
    return problem_response(request, BadRequest("The Host header names a host this server does not serve."))


def page_not_found(request, exception):
    return problem_response(request, problem_for_routing_status(404, request.path))


def server_error(request):
    """An exception that escaped ProblemMiddleware (raised by a middleware): Django logs it."""
    return problem_response(request, InternalError())


# endregion
