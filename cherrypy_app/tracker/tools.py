"""This application's tools, registered on cherrypy.tools and switched on per path in app.py."""

import cherrypy
from cherrypy.lib import httputil

from tasktracker.http import json_bytes, route_template_for_path
from tasktracker.observability.logging import REQUEST_ID_HEADER
from tasktracker.observability.observation import RequestObservation
from tracker.dispatch import requested_path
from tracker.plugins import account_service


# region: logging, metrics
class ObservationTool(cherrypy.Tool):
    """tools.observe: request id, access line and metrics (spec 6.1-6.3).

    Started as soon as the request has its config, before any other hook can log a line, and
    finished in on_end_request, which CherryPy runs once the server has written the whole
    response, whatever path it took: each request is logged and counted exactly once.
    """

    def __init__(self) -> None:
        super().__init__("on_start_resource", self.start, priority=0)

    def _setup(self) -> None:
        super()._setup()
        # Failsafe: it runs even when an earlier on_end_request hook failed.
        cherrypy.serving.request.hooks.attach("on_end_request", self.finish, failsafe=True)

    def start(self) -> None:
        request = cherrypy.serving.request
        incoming_request_id = request.headers.get(REQUEST_ID_HEADER)
        request.observation = RequestObservation(request.method, requested_path(), incoming_request_id)
        cherrypy.serving.response.headers[REQUEST_ID_HEADER] = request.observation.request_id

    def finish(self) -> None:
        observation = cherrypy.serving.request.observation
        status, _, _ = httputil.valid_status(cherrypy.serving.response.status)
        # Object dispatch names no route, so the metric label comes from the path.
        observation.finish(route_template_for_path(observation.path), status)


cherrypy.tools.observe = ObservationTool()
# endregion


# region: transaction
class UnitOfWorkTool(cherrypy.Tool):
    """tools.unit_of_work: the request's transaction, from the handler to the end of the request.

    Opened from the engine plugin before the handler runs; committed before the response is
    finalised when its status is under 400, so that a failing commit is still the client's 503,
    and rolled back otherwise, unless the unit was told to keep what it wrote although the
    request failed (a failed token request, spec 7.2). A handler that raises skips
    before_finalize: its transaction ends once request.error_response has built the answer,
    before the answer goes out, so that the client's next attempt already sees that record.
    Released in on_end_request whatever happened.
    """

    def __init__(self) -> None:
        super().__init__("before_handler", self.begin)

    def _setup(self) -> None:
        super()._setup()
        request = cherrypy.serving.request
        # Until the handler is about to run; None again once committed or rolled back.
        request.unit_of_work = None
        request.hooks.attach("before_finalize", self.commit_or_roll_back)
        request.hooks.attach("after_error_response", self.commit_or_roll_back)
        request.hooks.attach("on_end_request", self.release, failsafe=True)

    def begin(self) -> None:
        (cherrypy.serving.request.unit_of_work,) = cherrypy.engine.publish("unit-of-work")

    def commit_or_roll_back(self) -> None:
        request = cherrypy.serving.request
        unit_of_work, request.unit_of_work = request.unit_of_work, None
        if unit_of_work is None:
            return
        status, _, _ = httputil.valid_status(cherrypy.serving.response.status)
        try:
            # A unit that must keep a failed request's writes commits whatever the status.
            unit_of_work.finish(succeeded=status < 400)
        except Exception:
            # Raised out of the hook it would be answered the same, after CherryPy had logged it
            # a second time: the request's error_response turns it into the problem here instead.
            request.error_response()

    def release(self) -> None:
        unit_of_work = cherrypy.serving.request.unit_of_work
        if unit_of_work is not None:
            unit_of_work.finish(succeeded=False)


cherrypy.tools.unit_of_work = UnitOfWorkTool()
# endregion


# region: auth
class BearerTokenTool(cherrypy.Tool):
    """tools.auth_bearer: the request's user, from its Authorization header (spec 7.3).

    Switched on in the config of each bearer route's methods (api.py's bearer_token_required), not
    by path: MethodDispatcher applies a method's config only once it has found that method, so a
    404 or a 405 never gets here, and route and method are checked first. It runs at before_handler
    after tools.unit_of_work (priority 60 to its 50), whose transaction looks the token up, and
    before the handler, which is what reads and decodes the body.
    """

    def __init__(self) -> None:
        super().__init__("before_handler", self.authenticate, priority=60)

    def authenticate(self) -> None:
        request = cherrypy.serving.request
        try:
            # Also names the user on the request's access line (AUTH_EVENTS), in this thread.
            request.authenticated = account_service().authenticate(request.headers.get("Authorization"))
        except Exception as failure:
            # Raised out of the hook, CherryPy would log it at error (a 401 included); raised by
            # the handler instead, it reaches request.error_response like every other problem.
            request.handler = raising(failure)


def raising(failure: Exception):
    """A handler that raises ``failure``: the 401 (or the 503 of an unreachable database)."""

    def handler():
        raise failure

    return handler


cherrypy.tools.auth_bearer = BearerTokenTool()
# endregion


# region: routing
def encode_json(*args, **kwargs) -> bytes:
    """tools.json_out's handler: the method's document, in the one JSON style of the repo."""
    return json_bytes(cherrypy.serving.request._json_inner_handler(*args, **kwargs))


# endregion
