"""HTTP helpers for the controllers: method dispatch, JSON responses, problems and request bodies.

web2py's own ``@request.restful()`` is close, but answers an undeclared method with a plain-text
405 without ``Allow``, passes query parameters to the handlers as keyword arguments (an unknown
one becomes a 400 "invalid arguments"), and parses JSON bodies leniently. ``@resource`` keeps its
shape (an action that returns its method handlers) and follows the spec instead.
"""

import functools
import io

from gluon import HTTP, URL, current

from tasktracker.errors import PROBLEM_CONTENT_TYPE, ProblemError, handle_failure
from tasktracker.http import (
    JSON_CONTENT_TYPE,
    ROUTES,
    decode_json_body,
    json_bytes,
    method_not_allowed,
    parse_task_id,
    read_capped_body,
)
from tasktracker.observability.logging import current_request_id
from tasktracker.validation import parse_list_query


# region: routing
def resource(route_template):
    """Dispatch on the request method to the handler of that name the action returns (HEAD → GET)."""
    allowed_methods = ROUTES[route_template]

    def decorator(action):
        @functools.wraps(action)
        def dispatch():
            method = current.request.env.request_method
            try:
                # The route and the method first (spec 7.3): an action that requires a token
                # authenticates when it is called, and its handlers read the body after that.
                if method not in allowed_methods:
                    raise method_not_allowed(route_template)
                handler = action().get("GET" if method == "HEAD" else method)
                return handler()
            except HTTP:
                raise
            except Exception as exception:
                raise problem_http(handle_failure(exception)) from exception

        return dispatch

    return decorator


def task_url(task_id):
    """The task's path, ``/api/tasks/<id>``: web2py's URL to the action, which routes_out rewrites."""
    return URL("tasks", "api", "task", args=[task_id])


def respond(document, status=200, **headers):
    """A JSON body for web2py to send; Content-Length lets HEAD carry the GET's headers."""
    body = json_bytes(document)
    current.response.status = status
    current.response.headers.update(headers)
    current.response.headers["Content-Type"] = JSON_CONTENT_TYPE
    current.response.headers["Content-Length"] = str(len(body))
    return body


# endregion


# region: errors
def problem_http(problem: ProblemError):
    """The HTTP exception that answers ``problem``: problem+json, never a ticket.

    ``response.status`` too, which is what web2py's end of request commits or rolls back by.
    """
    body = json_bytes(problem.to_dict(current_request_id()))
    current.response.status = problem.status
    return HTTP(
        problem.status,
        body,
        **{"Content-Type": PROBLEM_CONTENT_TYPE, "Content-Length": str(len(body)), **problem.headers},
    )


# endregion


# region: request-parsing
def request_document():
    """The JSON body, decoded by the spec's rules.

    Read from the WSGI stream rather than ``request.body``: web2py copies only bodies that
    announce a Content-Length, so a chunked body would look empty. web2py still touches
    ``request.body`` after the action; handing it what was read (nothing, for a body refused
    as too large) keeps it from copying the rest of the stream to a temporary file.
    """
    request = current.request
    request._body = io.BytesIO()
    content_length = int(request.env.content_length) if request.env.content_length else None
    body = read_capped_body(request.env.wsgi_input, content_length)
    request._body = io.BytesIO(body)
    return decode_json_body(request.env.content_type, body)


def list_query():
    """The query of ``GET /api/tasks``, from the raw query string (spec 4.3)."""
    return parse_list_query(current.request.env.query_string or "")


def requested_task_id():
    """The {id} of /api/tasks/{id}, from the path as the server decoded it (spec 4.8).

    Not ``request.args(0)``: web2py percent-decodes the path a second time after routes.py, so
    /api/tasks/%2531 would reach the action as task 1.
    """
    request = current.request
    # The path before routes.py rewrote it, followed by "?" and the query string if there is one.
    original_uri = request.env.web2py_original_uri
    query = request.env.query_string
    path = original_uri[: -len(query) - 1] if query else original_uri
    return parse_task_id(path.rsplit("/", 1)[-1])


# endregion
