"""The CherryPy variant: an object tree of REST resources, tools for the per-request work, and an
engine plugin for the database, served by CherryPy's engine and its Cheroot server."""

VARIANT = "cherrypy"
FRAMEWORK = "CherryPy"
