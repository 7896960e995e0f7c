"""What every view shares: JSON in and out, problem+json, the spec's 405, and Django's error handlers."""

import re

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.views import View

from tasktracker.errors import (
    PROBLEM_CONTENT_TYPE,
    BadRequest,
    InternalError,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    ProblemError,
)
from tasktracker.http import JSON_CONTENT_TYPE, MAX_BODY_BYTES, UNMATCHED_ROUTE, decode_json_body

DJANGO_CONVERTER = re.compile(r"<[^>]+>")

# Compact and UTF-8, like every variant's bodies (JsonResponse would escape non-ASCII).
JSON_DUMPS_PARAMS = {"ensure_ascii": False, "separators": (",", ":")}


def json_response(document: dict, status: int = 200, headers: dict | None = None) -> JsonResponse:
    return JsonResponse(
        document, status=status, headers=headers, content_type=JSON_CONTENT_TYPE, json_dumps_params=JSON_DUMPS_PARAMS
    )


# region: errors
def problem_response(request: HttpRequest, problem: ProblemError) -> JsonResponse:
    return JsonResponse(
        problem.to_dict(request.observation.request_id),
        status=problem.status,
        headers=problem.headers,
        content_type=PROBLEM_CONTENT_TYPE,
        json_dumps_params=JSON_DUMPS_PARAMS,
    )


# endregion


# region: request-parsing
def request_body(request: HttpRequest) -> bytes:
    if "chunked" in request.headers.get("Transfer-Encoding", "").lower():
        # Django's WSGIRequest reads as many bytes as Content-Length says, and a chunked request
        # has none: request.body would be empty. gunicorn decodes the chunks in wsgi.input, which
        # ends after the last one. One byte past the limit is enough for decode_json_body's 413.
        return request.META["wsgi.input"].read(MAX_BODY_BYTES + 1)
    try:
        return request.body
    except RequestDataTooBig:
        raise PayloadTooLarge() from None


def request_document(request: HttpRequest) -> object:
    """The decoded JSON body, checked in the spec's order (2.1): size, media type, syntax."""
    return decode_json_body(request.headers.get("Content-Type"), request_body(request))


# endregion


# region: routing
class JsonView(View):
    """A view of the API: only the methods it defines, and the spec's 405 for any other."""

    # View answers OPTIONS itself unless it is left out here; HEAD runs the view's get().
    http_method_names = ["get", "head", "post", "patch", "delete"]

    def http_method_not_allowed(self, request, *args, **kwargs):
        # Django's HttpResponseNotAllowed, as a problem; Allow lists the methods this class defines.
        return problem_response(request, MethodNotAllowed(tuple(self._allowed_methods())))


# endregion


# region: metrics
def route_template(request: HttpRequest) -> str:
    """The spec's template of the route that matched (the metrics label), or ``unmatched``."""
    if request.resolver_match is None:
        return UNMATCHED_ROUTE
    # The API has one path variable, the task id: api/tasks/<str:task_id> → /api/tasks/{id}.
    return "/" + DJANGO_CONVERTER.sub("{id}", request.resolver_match.route)


# endregion


# region: errors
# --- Django's error handlers (config/urls.py) -----------------------------------------------


def bad_request(request, exception):
    """Django's own 400 (a SuspiciousOperation): here, a Host header missing from ALLOWED_HOSTS."""
    return problem_response(request, BadRequest("The Host header names a host this server does not serve."))


def page_not_found(request, exception):
    return problem_response(request, NotFound())


def server_error(request):
    """An exception that escaped ProblemMiddleware (raised by a middleware): Django logs it."""
    return problem_response(request, InternalError())


# endregion
