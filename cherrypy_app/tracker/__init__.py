"""The CherryPy variant: an object tree of REST resources, tools for the per-request work, and an
engine plugin for the database, served by CherryPy's engine and its Cheroot server."""

from tasktracker.config import Settings

# region: app-config
# The one place the variant names itself; everything else is handed these settings.
settings = Settings.from_env("cherrypy")
# endregion
