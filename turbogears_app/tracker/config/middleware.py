"""The PasteDeploy application factory: ``use = call:tracker.config.middleware:make_app``."""

import logging
from logging.config import dictConfig

from tasktracker.observability.logging import logging_config
from tasktracker.observability.metrics import publish_app_info
from tasktracker.observability.wsgi import RequestObservationMiddleware
from tracker.config.app_cfg import base_config
from tracker.config.settings import deployment_settings


# region: logging
def configure_logging(settings):
    # Before the application is built, so that TurboGears' own start-up lines are JSON already.
    dictConfig(logging_config(settings))
    # sa_auth's repoze.who logger (its log_stream): a line at info as each request starts and
    # ends, and at debug the plugins' identities, whose credentials are a bearer token.
    logging.getLogger("repoze.who").setLevel(logging.WARNING)


# endregion


# region: app-config, logging, metrics
def make_app(global_conf, **app_conf):
    settings = deployment_settings({**global_conf, **app_conf})
    configure_logging(settings)
    publish_app_info(settings)
    app_conf["sqlalchemy.url"] = settings.database_url
    app_conf["tracker.settings"] = settings
    # The quickstart's place for WSGI middleware, around the finished TurboGears application:
    # tasktracker's observation (request id, access line, metrics), until the server closes the body.
    return RequestObservationMiddleware(base_config.make_wsgi_app(global_conf, app_conf))


# endregion
