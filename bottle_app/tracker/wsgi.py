"""The whole WSGI application, as the server runs it: the Bottle app inside the observation middleware."""

from tracker.app import create_app
from tracker.observability import RequestObservationMiddleware
from tracker.settings import settings

# region: app-config
# Around the Bottle app, not a plugin of it: see tracker.observability.
app = RequestObservationMiddleware(create_app(settings))
# endregion
