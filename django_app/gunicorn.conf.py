"""gunicorn settings for the Django variant: the shared ones, for the settings Django reads too."""

from config.settings import TASKTRACKER

from tasktracker.gunicorn_settings import gunicorn_settings

# region: serving, logging, metrics
# bind, workers, graceful timeout, gunicorn's log lines in the app's format, and prometheus'
# multiprocess directory, made here in the master before any worker imports the application.
globals().update(gunicorn_settings(TASKTRACKER))
# endregion
