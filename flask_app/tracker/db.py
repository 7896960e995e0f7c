"""The database extension: one engine per process, one unit of work (and transaction) per request."""

import click
from flask import Flask, Response, current_app, g
from flask.cli import with_appcontext
from flask_login import current_user
from sqlalchemy.orm import sessionmaker

from tasktracker.observability.metrics import TASK_EVENTS
from tasktracker.service import TaskService
from tasktracker.sqla import SqlAlchemyUnitOfWork, create_engine_for
from tasktracker.unit_of_work import UnitOfWork


# region: persistence
def init_app(app: Flask) -> None:
    engine = create_engine_for(app.config["DATABASE_URL"])
    app.extensions["sessionmaker"] = sessionmaker(bind=engine)
    app.cli.add_command(init_db_command)
    init_unit_of_work(app)


# region: auth
def task_service() -> TaskService:
    """The service over the caller's tasks only (spec 7.4): ``current_user`` is the bearer token's."""
    unit_of_work = get_unit_of_work()
    # The counters move only once the request's transaction has committed.
    return TaskService(unit_of_work.tasks_of(current_user.id), events=unit_of_work.collect(TASK_EVENTS))


# endregion


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or migrate the schema (Alembic, from tasktracker.sqla) at DATABASE_URL."""
    # Imported here so that serving processes never load Alembic.
    from tasktracker.sqla.migrate import upgrade

    upgrade(current_app.config["DATABASE_URL"])
    click.echo("Database migrated.")


# endregion


# region: transaction
def init_unit_of_work(app: Flask) -> None:
    app.after_request(finish_unit_of_work)
    # Runs after every request, even one whose after_request hooks never ran.
    app.teardown_appcontext(release_unit_of_work)


def get_unit_of_work() -> UnitOfWork:
    """The request's unit of work, opened on first use (a request that needs no database opens none)."""
    if "unit_of_work" not in g:
        g.unit_of_work = SqlAlchemyUnitOfWork(current_app.extensions["sessionmaker"])
    return g.unit_of_work


def finish_unit_of_work(response: Response) -> Response:
    """Commit a success before it leaves, roll back anything else.

    A failing commit raises out of the hook: Flask hands it to the 500 handler as the
    ``original_exception`` of an InternalServerError, and the 503 replaces this response.
    """
    unit_of_work = g.pop("unit_of_work", None)
    if unit_of_work is not None:
        unit_of_work.finish(succeeded=response.status_code < 400)
    return response


def release_unit_of_work(_exception: BaseException | None = None) -> None:
    unit_of_work = g.pop("unit_of_work", None)
    if unit_of_work is not None:
        unit_of_work.finish(succeeded=False)


# endregion
