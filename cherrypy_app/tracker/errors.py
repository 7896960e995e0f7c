"""Every error as application/problem+json, through CherryPy's request.error_response."""

import sys

import cherrypy

from tasktracker.errors import PROBLEM_CONTENT_TYPE, handle_failure
from tasktracker.http import TOKEN_RESPONSE_HEADERS, json_bytes

# region: errors
# Set by an answer that a later failure replaces: a method's success whose commit failed, or an
# error whose transaction could not be ended. They describe an answer that is not given.
REPLACED_ANSWER_HEADERS = ("ETag", "Location", *TOKEN_RESPONSE_HEADERS, "Allow", "WWW-Authenticate", "Retry-After")


def respond_with_problem() -> None:
    """CherryPy calls this for any exception that is not one of its own HTTPErrors: the spec's
    problems raised by the methods and by the dispatcher, and the unexpected, which become a
    bare 500. (CherryPy's HTTPErrors would go through error_page, which pads bodies with spaces
    for Internet Explorer; the dispatcher raises the spec's problems instead.)"""
    problem = handle_failure(sys.exc_info()[1])
    response = cherrypy.serving.response
    for header in REPLACED_ANSWER_HEADERS:
        response.headers.pop(header, None)
    response.status = f"{problem.status} {problem.title}"
    response.headers.update(problem.headers)
    response.headers["Content-Type"] = PROBLEM_CONTENT_TYPE
    response.body = json_bytes(problem.to_dict(cherrypy.serving.request.observation.request_id))


# endregion
