"""gunicorn settings for the Flask variant, from the spec's environment variables."""

from tasktracker.config import Settings
from tasktracker.gunicorn_settings import gunicorn_settings

# region: serving, logging, metrics
# Every setting is shared: bind, workers, graceful timeout, logging, and prometheus-client's
# multiprocess directory (prepared here, in the master, before any worker imports the app).
globals().update(gunicorn_settings(Settings.from_env("flask")))
# endregion
