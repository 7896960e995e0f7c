"""Probes for orchestrators: ``/health/live`` and ``/health/ready``."""

from tg import TGController, expose, response

from tasktracker.http import LIVE_DOCUMENT, readiness
from tracker.model import TransactionUnitOfWork


# region: routing
class HealthController(TGController):
    @expose("json")
    def live(self):
        return LIVE_DOCUMENT

    @expose("json")
    def ready(self):
        status, document = readiness(TransactionUnitOfWork().ping())
        response.status_int = status
        return document


# endregion
