# region: routing
# Probes and metrics: outside /api, for orchestrators and Prometheus.
# ruff: noqa: F821 (web2py runs this file with request, response, session, DAL, HTTP… as globals)
from resources import resource, respond

from tasktracker.http import LIVE_DOCUMENT, readiness
from tasktracker.observability.metrics import exposition


@resource("/health/live")
def live():
    def GET():
        return respond(LIVE_DOCUMENT)

    return locals()


@resource("/health/ready")
def ready():
    def GET():
        status, document = readiness(unit_of_work.ping())
        return respond(document, status)

    return locals()


# endregion


# region: metrics
@resource("/metrics")
def metrics():
    def GET():
        body, content_type = exposition()
        response.headers["Content-Type"] = content_type
        return body

    return locals()


# endregion
