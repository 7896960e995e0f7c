"""gunicorn settings for the web2py variant: the shared ones, for the settings the application reads."""

from applications.tasks.modules.configuration import settings

from tasktracker.gunicorn_settings import gunicorn_settings

# region: serving, logging, metrics
# bind, workers, graceful timeout, gunicorn's log lines in the app's format, and prometheus'
# multiprocess directory, made here in the master before any worker imports the application.
globals().update(gunicorn_settings(settings))
# endregion
