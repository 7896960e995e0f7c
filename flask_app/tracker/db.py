"""The database extension: one engine per process, one session (and transaction) per request."""

import click
from flask import Flask, current_app, g
from flask.cli import with_appcontext
from sqlalchemy.orm import Session, sessionmaker

from tasktracker.sqla import create_engine_for


# region: persistence, transaction
def init_app(app: Flask) -> None:
    engine = create_engine_for(app.config["DATABASE_URL"])
    app.extensions["sessionmaker"] = sessionmaker(bind=engine)
    # Runs after every request, even a failed one: whatever the view did not commit is rolled back.
    app.teardown_appcontext(close_session)
    app.cli.add_command(init_db_command)


def get_session() -> Session:
    """The request's session, opened on first use (a request that needs no database opens none)."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["sessionmaker"]()
    return g.db_session


def close_session(_exception: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


# endregion


# region: persistence
@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or migrate the schema (Alembic, from tasktracker.sqla) at DATABASE_URL."""
    # Imported here so that serving processes never load Alembic.
    from tasktracker.sqla.migrate import upgrade

    upgrade(current_app.config["DATABASE_URL"])
    click.echo("Database migrated.")


# endregion
