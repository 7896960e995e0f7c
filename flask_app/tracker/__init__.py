"""The Flask variant: an application factory in the style of the official ``flaskr`` tutorial."""

from logging.config import dictConfig
from types import TracebackType

from flask import Flask
from werkzeug.routing import BaseConverter

from tasktracker.config import Settings
from tasktracker.http import MAX_BODY_BYTES, TASK_ID_SEGMENT
from tasktracker.observability.logging import logging_config


# region: routing
class TaskIdConverter(BaseConverter):
    """One path segment, but never ``stats``: that literal route wins, even for its 405s."""

    regex = TASK_ID_SEGMENT


# endregion


# region: logging
def configure_logging(settings: Settings) -> None:
    # Before the app exists, as Flask's docs advise: otherwise app.logger installs its own
    # default handler on first use.
    dictConfig(logging_config(settings))


# endregion


# region: errors
class Tracker(Flask):
    """Flask, with one change (flaskr uses ``Flask`` itself): the 500 handler logs what no other
    handler saw, such as a failing commit, through ``handle_failure`` like every other failure."""

    def log_exception(self, exc_info: tuple[type, BaseException, TracebackType] | tuple[None, None, None]) -> None:
        """Flask would log the exception here, and then the 500 handler would log it again."""


# endregion


# region: app-config
def create_app(test_config: dict | None = None) -> Flask:
    settings = Settings.from_env("flask")
    configure_logging(settings)

    # No static folder: this API serves no files, and its route would answer /static/* itself.
    app = Tracker(__name__, static_folder=None)
    # The spec's paths match exactly: Werkzeug would redirect /api/tasks//1 to /api/tasks/1.
    app.url_map.merge_slashes = False
    app.url_map.converters["task_id"] = TaskIdConverter
    app.config.from_mapping(
        SETTINGS=settings,
        DATABASE_URL=settings.database_url,
        # One byte past the spec's limit: Werkzeug answers 413 for a longer Content-Length but
        # silently stops reading a chunked body at this size, so decode_json_body must see the
        # extra byte to answer 413 itself.
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES + 1,
        # The spec gives OPTIONS a 405 like any undeclared method; Flask would answer it itself.
        PROVIDE_AUTOMATIC_OPTIONS=False,
    )
    if test_config:
        app.config.update(test_config)

    from tracker import api, auth, db, errors, health, observability

    observability.init_app(app)
    errors.init_app(app)
    auth.init_app(app)
    # Last: Flask runs after_request hooks in reverse, so the commit comes first and the
    # observation sees the response that leaves (a 503 when the commit failed).
    db.init_app(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(health.bp)
    return app


# endregion
