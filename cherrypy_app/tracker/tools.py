"""This application's tools, registered on cherrypy.tools and switched on per path in app.py."""

import cherrypy
from cherrypy._cptools import HandlerWrapperTool

from tasktracker.http import json_bytes, route_template_for_path
from tasktracker.observability.logging import REQUEST_ID_HEADER
from tasktracker.observability.observation import RequestObservation
from tasktracker.sqla import database_failures_as_unavailable
from tracker.dispatch import requested_path


# region: logging, metrics
class ObservationTool(cherrypy.Tool):
    """Request id, access line and metrics (spec 6.1-6.3).

    Started as soon as the request has its config, before any other hook can log a line, and
    finished after the response has been written, whatever path it took: on_end_request runs
    once for every request, so each is logged and counted exactly once.
    """

    def __init__(self) -> None:
        super().__init__("on_start_resource", self.start, priority=0)

    def _setup(self) -> None:
        super()._setup()
        cherrypy.serving.request.hooks.attach("on_end_request", self.finish)

    def start(self) -> None:
        request = cherrypy.serving.request
        incoming_request_id = request.headers.get(REQUEST_ID_HEADER)
        request.observation = RequestObservation(request.method, requested_path(), incoming_request_id)
        cherrypy.serving.response.headers[REQUEST_ID_HEADER] = request.observation.request_id

    def finish(self) -> None:
        observation = cherrypy.serving.request.observation
        status = int(cherrypy.serving.response.status.split()[0])
        # Object dispatch names no route, so the metric label comes from the path.
        observation.finish(route_template_for_path(observation.path), status)


# endregion


# region: transaction
def transaction(next_handler, *args, **kwargs):
    """tools.db_session: one session per request from the engine plugin, committed when the
    method returns and rolled back when it raises. It wraps the method instead of hooking in
    after it so that the commit happens before the response is final: a failed commit is still
    the client's 503."""
    request = cherrypy.serving.request
    request.db = cherrypy.engine.publish("bind-session").pop()
    try:
        body = next_handler(*args, **kwargs)
        with database_failures_as_unavailable():
            request.db.commit()
        return body
    finally:
        # Rolls back whatever was not committed.
        request.db.close()


# endregion


def encode_json(*args, **kwargs) -> bytes:
    """tools.json_out's handler: the method's document, in the one JSON style of the repo."""
    return json_bytes(cherrypy.serving.request._json_inner_handler(*args, **kwargs))


cherrypy.tools.observe = ObservationTool()
cherrypy.tools.db_session = HandlerWrapperTool(transaction)
