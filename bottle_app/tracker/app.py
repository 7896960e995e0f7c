"""The application factory: an explicit ``Bottle()``, its routes merged from sub-apps, its concerns in plugins."""

from logging.config import dictConfig

from bottle import Bottle, JSONPlugin, request

from tasktracker.config import Settings
from tasktracker.http import json_bytes
from tasktracker.observability.logging import logging_config
from tasktracker.observability.metrics import publish_app_info
from tasktracker.observability.wsgi import decoded_path
from tasktracker.passwords import Argon2Hasher
from tasktracker.sqla import create_engine_for
from tracker import errors
from tracker.api import create_api_app
from tracker.health import create_health_app
from tracker.plugins import AuthPlugin, ProblemPlugin, SQLAlchemyPlugin


# region: app-config
def create_app(settings: Settings) -> Bottle:
    configure_logging(settings)
    app = Bottle()
    # Bottle's config place; views reach it through request.app.config.
    app.config["tracker.settings"] = settings
    plugins = (
        ProblemPlugin(),
        # Replaces the default JSON plugin (plugins are unique by name): compact UTF-8, as in every variant.
        JSONPlugin(json_dumps=json_bytes),
        SQLAlchemyPlugin(create_engine_for(settings.database_url)),
        # Inside the unit of work; Bottle has no hasher, so the shared Argon2id one (spec 7.5).
        AuthPlugin(Argon2Hasher(), settings),
    )
    # merge(), not mount(): a mounted prefix ends in a slash, and the spec's /api has none.
    for routes in (create_api_app(), create_health_app()):
        # A parent's plugins do not reach the routes it merges or mounts: each sub-app gets them.
        for plugin in plugins:
            routes.install(plugin)
        app.merge(routes)
    errors.init_app(app)
    app.add_hook("before_request", keep_undecodable_paths_unmatched)
    publish_app_info(settings)
    return app


# endregion


# region: logging
def configure_logging(settings: Settings) -> None:
    # Bottle has no logging of its own (it only prints tracebacks to wsgi.errors): the standard
    # library's logging, configured here, is the only one.
    dictConfig(logging_config(settings))


# endregion


# region: routing
def keep_undecodable_paths_unmatched() -> None:
    # Bottle decodes the path as UTF-8 by dropping the bytes that are not, so /api/tasks/%FF1
    # would reach task 1. Replacing them with U+FFFD instead lets such a path match nothing.
    request.environ["PATH_INFO"] = decoded_path(request.environ["bottle.raw_path"])


# endregion
