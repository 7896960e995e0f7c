"""Probes and the metrics endpoint: outside /api, for orchestrators and Prometheus."""

import cherrypy

from tasktracker.http import LIVE_DOCUMENT, readiness
from tasktracker.observability.metrics import exposition


# region: routing
@cherrypy.expose
class Live:
    def GET(self):
        return LIVE_DOCUMENT


@cherrypy.expose
class Ready:
    def GET(self):
        # Cheroot serves while engine.start() is still waiting for it; a SIGTERM in that window
        # makes the engine exit with 70. Not ready until the bus has finished starting.
        started = cherrypy.engine.state == cherrypy.engine.states.STARTED
        status, document = readiness(cherrypy.serving.request.unit_of_work.ping(), started)
        cherrypy.response.status = status
        return document


class Health:
    live = Live()
    ready = Ready()


# endregion


# region: metrics
@cherrypy.expose
class Metrics:
    def GET(self):
        body, content_type = exposition()
        cherrypy.response.headers["Content-Type"] = content_type
        return body


# endregion
