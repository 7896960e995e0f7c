"""The metrics contract (spec 6.3): names, labels and buckets, defined once for all six variants.

prometheus-client decides between single-process and multiprocess storage when it is imported,
from ``PROMETHEUS_MULTIPROC_DIR``: a forking server's config sets it (see ``metrics_setup``)
before anything imports this module.
"""

from __future__ import annotations

import os
import platform
from importlib.metadata import version as installed_version

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from tasktracker.config import Settings
from tasktracker.domain import Status
from tasktracker.observability.logging import bind_user_id
from tasktracker.observability.metrics_setup import MULTIPROCESS_DIR_VARIABLE

# Seconds. Dense below 100 ms, where a small CRUD API spends its time, with a tail to 10 s.
DURATION_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

# Any other method is counted as "other", so a client cannot invent label values.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"})

http_requests_total = Counter(
    "http_requests_total", "HTTP requests by method, route template and status.", ["method", "route", "status"]
)
http_request_duration_seconds = Histogram(
    "http_request_duration_seconds",
    "Time to produce the response, by method and route template.",
    ["method", "route"],
    buckets=DURATION_BUCKETS,
)
tasks_created_total = Counter("tasks_created_total", "Tasks created.")
tasks_deleted_total = Counter("tasks_deleted_total", "Tasks deleted.")
task_status_transitions_total = Counter(
    "task_status_transitions_total", "Status changes of existing tasks.", ["from_status", "to_status"]
)
# Spec 7.2: one per token request that passed validation; every outcome is exposed from the start.
AUTH_OUTCOMES = ("success", "invalid_credentials", "locked")
auth_attempts_total = Counter("auth_attempts_total", "Token requests by outcome.", ["outcome"])
for _outcome in AUTH_OUTCOMES:
    auth_attempts_total.labels(outcome=_outcome)
# "max": in multiprocess mode every worker writes 1, and the exposition shows one series.
app_info = Gauge(
    "app_info",
    "The variant serving, its framework and Python.",
    ["variant", "framework", "framework_version", "python_version"],
    multiprocess_mode="max",
)


def method_label(method: str) -> str:
    method = method.upper()
    return method if method in KNOWN_METHODS else "other"


def observe_request(method: str, route: str, status: int, duration_seconds: float) -> None:
    label = method_label(method)
    http_requests_total.labels(method=label, route=route, status=str(status)).inc()
    http_request_duration_seconds.labels(method=label, route=route).observe(duration_seconds)


def publish_app_info(settings: Settings) -> None:
    app_info.labels(
        variant=settings.variant,
        framework=settings.framework,
        framework_version=installed_version(settings.framework),
        python_version=platform.python_version(),
    ).set(1)


class PrometheusTaskEvents:
    """The service layer's TaskEvents, counted."""

    def task_created(self) -> None:
        tasks_created_total.inc()

    def task_deleted(self) -> None:
        tasks_deleted_total.inc()

    def status_changed(self, from_status: Status, to_status: Status) -> None:
        task_status_transitions_total.labels(from_status=from_status.value, to_status=to_status.value).inc()


TASK_EVENTS = PrometheusTaskEvents()


class ObservedAuthEvents:
    """The account service's AuthEvents: attempts counted, and the user named on the access line."""

    def auth_attempt(self, outcome: str) -> None:
        auth_attempts_total.labels(outcome=outcome).inc()

    def authenticated(self, user_id: int) -> None:
        bind_user_id(user_id)


AUTH_EVENTS = ObservedAuthEvents()


def exposition() -> tuple[bytes, str]:
    """The body and Content-Type of ``GET /metrics``, summed over all workers when forked."""
    if os.environ.get(MULTIPROCESS_DIR_VARIABLE):
        registry = CollectorRegistry()
        # prometheus_client's multiprocess module has no annotations.
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
