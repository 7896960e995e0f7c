"""Request id, access log and metrics, through Flask's request hooks."""

from functools import partial

from flask import Flask, Response, g, request

from tasktracker.http import route_template_for_path, route_template_for_rule
from tasktracker.observability.logging import REQUEST_ID_HEADER
from tasktracker.observability.metrics import publish_app_info
from tasktracker.observability.observation import RequestObservation


# region: logging, metrics
def route_label() -> str:
    """The matched rule as the spec's template; url_rule is None when routing failed (404/405)."""
    if request.url_rule is not None:
        return route_template_for_rule(request.url_rule.rule)
    return route_template_for_path(request.path)


def start_observation() -> None:
    g.observation = RequestObservation(request.method, request.path, request.headers.get(REQUEST_ID_HEADER))


def finish_observation_on_close(response: Response) -> Response:
    response.headers[REQUEST_ID_HEADER] = g.observation.request_id
    # The server closes the response once it has the whole body (PEP 3333): the request is over.
    response.call_on_close(partial(g.observation.finish, route_label(), response.status_code))
    return response


def init_app(app: Flask) -> None:
    publish_app_info(app.config["SETTINGS"])
    app.before_request(start_observation)
    app.after_request(finish_observation_on_close)


# endregion
