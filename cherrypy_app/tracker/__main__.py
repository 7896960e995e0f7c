"""``python -m tracker``: CherryPy's engine and its Cheroot HTTP server, until SIGTERM."""

from logging.config import dictConfig

import cherrypy

from tasktracker.observability.metrics import publish_app_info
from tracker import settings
from tracker.app import Root, cherrypy_logging_config, global_config, mount
from tracker.plugins import SQLAlchemyPlugin


# region: app-config, serving
def main() -> None:
    dictConfig(cherrypy_logging_config(settings))
    cherrypy.config.update(global_config(settings))
    mount(Root())
    SQLAlchemyPlugin(cherrypy.engine, settings.database_url).subscribe()
    publish_app_info(settings)
    # SIGTERM → engine.exit(): the server stops accepting, lets the requests in flight finish
    # (server.shutdown_timeout), the plugins stop, and block() returns.
    cherrypy.engine.signals.subscribe()
    cherrypy.engine.start()
    cherrypy.engine.block()


if __name__ == "__main__":
    main()
# endregion
