"""Probes and the metrics endpoint: outside ``/api``, for orchestrators and Prometheus."""

from bottle import Bottle, HTTPResponse

from tasktracker.http import LIVE_DOCUMENT, readiness
from tasktracker.observability.metrics import exposition


# region: routing
def live():
    return LIVE_DOCUMENT


def ready(unit_of_work):
    status, document = readiness(unit_of_work.ping())
    return HTTPResponse(document, status=status)


def create_health_app() -> Bottle:
    """/health/live, /health/ready and /metrics, as a sub-app for the root app to merge."""
    health = Bottle()
    health.get("/health/live", callback=live)
    health.get("/health/ready", callback=ready)
    health.get("/metrics", callback=metrics)
    return health


# endregion


# region: metrics
def metrics():
    body, content_type = exposition()
    return HTTPResponse(body, headers={"Content-Type": content_type})


# endregion
