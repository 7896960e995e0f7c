"""The variant's settings, read from the environment once per process: web2py imports modules once."""

from tasktracker.config import Settings

# region: app-config
# The one place the variant names itself; wsgihandler.py, gunicorn.conf.py and the application
# take these settings.
settings = Settings.from_env("web2py")
# endregion
