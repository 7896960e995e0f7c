"""The whole WSGI application, as the server runs it: the Bottle app inside the observation middleware."""

from tasktracker.observability.wsgi import RequestObservationMiddleware
from tracker.app import create_app
from tracker.observability import route_label
from tracker.settings import settings

# region: app-config
# Around the Bottle app, not a plugin of it: see tracker.observability.
app = RequestObservationMiddleware(create_app(settings), route_for=route_label)
# endregion
