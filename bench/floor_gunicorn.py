"""gunicorn settings for the floor: the shared ones, exactly as the gunicorn variants take them."""

from floor_settings import settings

from tasktracker.gunicorn_settings import gunicorn_settings

globals().update(gunicorn_settings(settings))
