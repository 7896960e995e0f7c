"""The application factory: an explicit ``Bottle()``, its routes merged from sub-apps, its concerns in plugins."""

from logging.config import dictConfig

from bottle import Bottle, JSONPlugin, request

from tasktracker.config import Settings
from tasktracker.http import json_bytes
from tasktracker.observability.logging import logging_config
from tasktracker.observability.metrics import publish_app_info
from tasktracker.sqla import create_engine_for
from tracker import errors
from tracker.api import create_api_app
from tracker.health import create_health_app
from tracker.observability import decode_path
from tracker.plugins import ProblemPlugin, SQLAlchemyPlugin


# region: app-config
def create_app(test_config: dict | None = None) -> Bottle:
    settings = Settings.from_env("bottle")
    # region: logging
    # Bottle has no logging of its own (it only prints tracebacks to wsgi.errors): the standard
    # library's logging, configured here, is the only one.
    dictConfig(logging_config("bottle", settings.log_level, settings.log_format))
    # endregion

    app = Bottle()
    app.config.update("tracker", database_url=settings.database_url)
    if test_config:
        app.config.update(test_config)

    plugins = (
        ProblemPlugin(),
        # Replaces the default JSON plugin (plugins are unique by name): compact UTF-8, as in every variant.
        JSONPlugin(json_dumps=json_bytes),
        SQLAlchemyPlugin(create_engine_for(app.config["tracker.database_url"])),
    )
    # merge(), not mount(): a mounted prefix ends in a slash, and the spec's /api has none.
    app.merge(create_api_app(*plugins))
    app.merge(create_health_app(*plugins))
    errors.init_app(app)
    app.add_hook("before_request", keep_undecodable_paths_unmatched)
    publish_app_info("bottle", "bottle")
    return app


# endregion


# region: routing
def keep_undecodable_paths_unmatched() -> None:
    # Bottle decodes the path as UTF-8 by dropping the bytes that are not, so /api/tasks/%FF1
    # would reach task 1. Replacing them with U+FFFD instead lets such a path match nothing.
    request.environ["PATH_INFO"] = decode_path(request.environ["bottle.raw_path"])


# endregion
