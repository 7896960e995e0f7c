"""The SQLAlchemy engine as an engine plugin: it lives from engine start to engine stop."""

from cherrypy.process import plugins
from sqlalchemy.orm import Session, sessionmaker

from tasktracker.sqla import create_engine_for


# region: persistence
class SQLAlchemyPlugin(plugins.SimplePlugin):
    """Owns the process's one engine, and hands out sessions on the bus's 'bind-session' channel."""

    def __init__(self, bus, database_url: str) -> None:
        super().__init__(bus)
        self.database_url = database_url
        self.engine = None
        self.sessionmaker = None

    def start(self) -> None:
        self.bus.log("Starting the SQLAlchemy engine")
        # Connects lazily: the server starts, and /health/live answers, with the database down.
        self.engine = create_engine_for(self.database_url)
        self.sessionmaker = sessionmaker(bind=self.engine)
        self.bus.subscribe("bind-session", self.bind_session)

    # At the default priority (50): after the HTTP server's stop (25), which waits for the
    # requests in flight, so no request loses its connection.
    def stop(self) -> None:
        if self.engine is None:
            return
        self.bus.unsubscribe("bind-session", self.bind_session)
        self.bus.log("Disposing of the SQLAlchemy engine")
        self.engine.dispose()
        self.engine = None

    def bind_session(self) -> Session:
        return self.sessionmaker()


# endregion
