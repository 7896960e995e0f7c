"""The database session, as a TurboGears project has it: scoped, and joined to the transaction manager.

The tables and their mapping are tasktracker's (``tasktracker.sqla.models``); this package only
provides the session that TurboGears commits when a request succeeds and aborts when it fails.
"""

from sqlalchemy.orm import scoped_session, sessionmaker
from zope.sqlalchemy import register

# region: persistence, transaction
DBSession = scoped_session(sessionmaker())
register(DBSession)


def init_model(engine):
    """Called by TurboGears' SQLAlchemy component with the engine it built from the ini."""
    DBSession.configure(bind=engine)


# endregion
