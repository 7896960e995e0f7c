"""Every error as application/problem+json: the spec's problems, TurboGears' own, and the unexpected."""

from tg.appwrappers.base import ApplicationWrapper
from tg.request_local import Response
from webob.exc import HTTPException

from tasktracker.errors import PROBLEM_CONTENT_TYPE, handle_failure
from tasktracker.http import json_bytes, problem_for_routing_status
from tasktracker.observability.logging import current_request_id
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


class ProblemDetailsWrapper(ApplicationWrapper):
    def __call__(self, controller, environ, context):
        try:
            # The transaction manager commits inside this wrapper: a database failure of that
            # commit is the spec's 503, like one the repository reports.
            with database_failures_as_unavailable():
                response = self.next_handler(controller, environ, context)
        except Exception as exception:
            return problem_response(handle_failure(exception))
        if isinstance(response, HTTPException):
            if response.status_int == 401:
                # A bearer route's predicate refused an anonymous request: repoze.who's
                # challenger answers it (tracker/lib/auth.py), once the response reaches it.
                return response
            # What dispatch or tg.abort answered by itself.
            problem = problem_for_routing_status(response.status_int, context.request.path_info)
            return problem_response(problem or handle_failure(response))
        return response


# endregion
