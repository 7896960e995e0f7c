"""Probes for orchestrators: ``/health/live`` and ``/health/ready``."""

from tg import TGController, expose, response

from tasktracker.http import LIVE_DOCUMENT, readiness
from tasktracker.sqla import SqlAlchemyTaskRepository
from tracker.model import DBSession


class HealthController(TGController):
    @expose("json")
    def live(self):
        return LIVE_DOCUMENT

    @expose("json")
    def ready(self):
        status, document = readiness(SqlAlchemyTaskRepository(DBSession).ping())
        response.status_int = status
        return document
