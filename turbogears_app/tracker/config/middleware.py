"""The PasteDeploy application factory: ``use = call:tracker.config.middleware:make_app``."""

from logging.config import dictConfig

from tasktracker.observability.logging import logging_config
from tasktracker.observability.metrics import publish_app_info
from tracker.config.app_cfg import base_config
from tracker.config.settings import VARIANT, deployment_settings


# region: app-config
def make_app(global_conf, **app_conf):
    settings = deployment_settings({**global_conf, **app_conf})
    # region: logging
    # Before the application is built, so that TurboGears' own start-up lines are JSON already.
    dictConfig(logging_config(VARIANT, settings.log_level, settings.log_format))
    # endregion
    app_conf["sqlalchemy.url"] = settings.database_url

    publish_app_info(VARIANT, "TurboGears2")
    return base_config.make_wsgi_app(global_conf, app_conf)


# endregion
