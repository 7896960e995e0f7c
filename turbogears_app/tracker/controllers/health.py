"""Probes for orchestrators: ``/health/live`` and ``/health/ready``."""

from tg import TGController, expose, response

from tasktracker.http import LIVE_DOCUMENT, readiness
from tracker.model import task_service


# region: routing
class HealthController(TGController):
    @expose("json")
    def live(self):
        return LIVE_DOCUMENT

    @expose("json")
    def ready(self):
        status, document = readiness(task_service().database_is_ready())
        response.status_int = status
        return document


# endregion
