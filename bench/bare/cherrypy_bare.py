"""CherryPy's smallest JSON app, on its engine and Cheroot with the variant's thread pool, until SIGTERM."""

import cherrypy

from tasktracker.config import Settings


class Root:
    @cherrypy.expose
    @cherrypy.tools.json_out()
    def index(self):
        return {"ok": True}


if __name__ == "__main__":
    settings = Settings.from_env("cherrypy")
    cherrypy.config.update(
        {
            "environment": "production",
            "server.socket_host": settings.host,
            "server.socket_port": settings.port,
            "server.thread_pool": settings.thread_pool,
            "log.screen": False,
        }
    )
    cherrypy.tree.mount(Root(), "/")
    cherrypy.engine.signals.subscribe()
    cherrypy.engine.start()
    cherrypy.engine.block()
