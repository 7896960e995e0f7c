"""``python -m tracker``: CherryPy's engine and its Cheroot HTTP server, until SIGTERM."""

from logging.config import dictConfig

import cherrypy

from tasktracker.config import Settings
from tasktracker.observability.metrics import publish_app_info
from tracker import FRAMEWORK, VARIANT
from tracker.app import Root, cherrypy_logging_config, global_config, mount
from tracker.plugins import SQLAlchemyPlugin


# region: app-config, serving
def main() -> None:
    settings = Settings.from_env(VARIANT)
    # region: logging
    dictConfig(cherrypy_logging_config(settings))
    # endregion
    cherrypy.config.update(global_config(settings))
    mount(Root())
    # region: persistence
    SQLAlchemyPlugin(cherrypy.engine, settings.database_url).subscribe()
    # endregion
    publish_app_info(VARIANT, FRAMEWORK)
    # SIGTERM → engine.exit(): the server stops accepting, lets the requests in flight finish
    # (server.shutdown_timeout), the plugins stop, and block() returns.
    cherrypy.engine.signals.subscribe()
    cherrypy.engine.start()
    cherrypy.engine.block()


# endregion


main()
