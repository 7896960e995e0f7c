"""Request id, access log and metrics, through Flask's request hooks."""

import re

from flask import Flask, Response, g, request

from tasktracker.http import route_template_for_path
from tasktracker.observability.logging import REQUEST_ID_HEADER
from tasktracker.observability.metrics import publish_app_info
from tasktracker.observability.observation import RequestObservation

# region: logging, metrics
FLASK_VARIABLE = re.compile(r"<[^>]+>")


def route_label() -> str:
    """The matched rule as the spec's template; url_rule is None when routing failed (404/405)."""
    if request.url_rule is not None:
        # The API has one path variable, the task id: /api/tasks/<task_id> → /api/tasks/{id}.
        return FLASK_VARIABLE.sub("{id}", request.url_rule.rule)
    return route_template_for_path(request.path)


def start_observation() -> None:
    g.observation = RequestObservation(request.method, request.path, request.headers.get(REQUEST_ID_HEADER))


def finish_observation(response: Response) -> Response:
    response.headers[REQUEST_ID_HEADER] = g.observation.request_id
    g.observation.finish(route_label(), response.status_code)
    return response


def init_app(app: Flask) -> None:
    publish_app_info("flask", "Flask")
    app.before_request(start_observation)
    app.after_request(finish_observation)


# endregion
