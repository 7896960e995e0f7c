"""``python -m tracker``: CherryPy's engine and its Cheroot HTTP server, until SIGTERM."""

from logging.config import dictConfig

import cherrypy

from tasktracker.config import Settings
from tasktracker.observability.metrics import publish_app_info
from tracker import FRAMEWORK, VARIANT
from tracker.app import Root, cherrypy_logging_config, global_config, mount
from tracker.plugins import SQLAlchemyPlugin


def main() -> None:
    settings = Settings.from_env(VARIANT)
    dictConfig(cherrypy_logging_config(settings))
    cherrypy.config.update(global_config(settings))
    mount(Root())
    SQLAlchemyPlugin(cherrypy.engine, settings.database_url).subscribe()
    publish_app_info(VARIANT, FRAMEWORK)
    # SIGTERM → engine.exit(): the server stops accepting, lets the requests in flight finish
    # (server.shutdown_timeout), the plugins stop, and block() returns.
    cherrypy.engine.signals.subscribe()
    cherrypy.engine.start()
    cherrypy.engine.block()


main()
