"""The request's life as Django middleware: observation (spec 6), the transaction, and problems."""

from collections.abc import Callable
from contextvars import ContextVar
from functools import partial

from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest

from tasks.errors import problem_response
from tasks.unit_of_work import DjangoUnitOfWork
from tasktracker.errors import handle_failure
from tasktracker.http import UNMATCHED_ROUTE, route_template_for_rule
from tasktracker.observability.logging import REQUEST_ID_HEADER
from tasktracker.observability.observation import RequestObservation


# region: logging, metrics
def route_template(request: HttpRequest) -> str:
    """The spec's template of the route that matched (the metrics label), or ``unmatched``."""
    if request.resolver_match is None:
        return UNMATCHED_ROUTE
    return route_template_for_rule(request.resolver_match.route)


# The finish of the observation whose response the server is sending. request_finished carries
# no request; a sync worker's thread serves one request at a time, in one context.
_observation_to_finish: ContextVar[Callable[[], None] | None] = ContextVar("observation_to_finish", default=None)


class RequestObservationMiddleware:
    """Outermost: sees every request and the final response, whichever layer produced it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.observation = RequestObservation(request.method, request.path, request.headers.get(REQUEST_ID_HEADER))
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request.observation.request_id
        if request.method == "HEAD":
            # The headers of the GET (CommonMiddleware set its Content-Length) without its body.
            # gunicorn would drop the body too, but logs a warning each time.
            response.content = b""
        _observation_to_finish.set(partial(request.observation.finish, route_template(request), response.status_code))
        return response


@receiver(request_finished)
def finish_observation(sender, **kwargs):
    """The duration ends when the server has the whole response: Django sends request_finished
    from the response's close(), which the server calls after sending the body (PEP 3333)."""
    finish = _observation_to_finish.get()
    if finish is not None:
        _observation_to_finish.set(None)
        finish()


# endregion


# region: transaction
class UnitOfWorkMiddleware:
    """One request, one transaction (``request.unit_of_work``): committed when the response is a
    success, rolled back otherwise. A commit that fails is answered 503 (500 if the failure is
    not the database's), never with the success whose change was lost."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.unit_of_work = DjangoUnitOfWork()
        # Django turns whatever a view or an inner middleware raises into a response first.
        response = self.get_response(request)
        try:
            request.unit_of_work.finish(succeeded=response.status_code < 400)
        except Exception as failure:
            return problem_response(request, handle_failure(failure))
        return response


# endregion


# region: errors
class ProblemMiddleware:
    """Every exception a view raises becomes problem+json: the spec's problems as they are, any
    other exception a 500 that reveals nothing (its traceback goes to the log)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return problem_response(request, handle_failure(exception))


# endregion
