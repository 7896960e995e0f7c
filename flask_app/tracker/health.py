"""Probes and the metrics endpoint: outside ``/api``, for orchestrators and Prometheus."""

from flask import Blueprint, Response

from tasktracker.http import JSON_CONTENT_TYPE, LIVE_DOCUMENT, json_bytes, readiness
from tasktracker.observability.metrics import exposition
from tracker.db import get_unit_of_work

# region: routing
bp = Blueprint("health", __name__)


@bp.get("/health/live")
def live() -> Response:
    return Response(json_bytes(LIVE_DOCUMENT), content_type=JSON_CONTENT_TYPE)


@bp.get("/health/ready")
def ready() -> Response:
    status, document = readiness(get_unit_of_work().ping())
    return Response(json_bytes(document), status=status, content_type=JSON_CONTENT_TYPE)


# endregion


# region: metrics
@bp.get("/metrics")
def metrics() -> Response:
    body, content_type = exposition()
    return Response(body, content_type=content_type)


# endregion
