"""The root of TurboGears' object dispatch: each attribute is a path segment."""

from tg import TGController, expose, response

from tasktracker.observability.metrics import exposition
from tracker.controllers.api import ApiController
from tracker.controllers.health import HealthController


# region: routing, metrics
class RootController(TGController):
    api = ApiController()
    health = HealthController()

    @expose()
    def metrics(self):
        body, content_type = exposition()
        response.headers["Content-Type"] = content_type
        return body


# endregion
