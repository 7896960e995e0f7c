"""The Flask variant: an application factory in the style of the official ``flaskr`` tutorial."""

from logging.config import dictConfig

from flask import Flask

from tasktracker.config import Settings
from tasktracker.observability.logging import logging_config


def create_app(test_config: dict | None = None) -> Flask:
    settings = Settings.from_env("flask")
    # Logging is configured before the app exists, as Flask's docs advise: otherwise app.logger
    # installs its own default handler on first use.
    dictConfig(logging_config("flask", settings.log_level, settings.log_format))

    app = Flask(__name__)
    app.config.from_mapping(
        DATABASE_URL=settings.database_url,
        # Werkzeug refuses to read more than this and raises 413, which errors.py renders.
        MAX_CONTENT_LENGTH=1024 * 1024,
        # The spec gives OPTIONS a 405 like any undeclared method; Flask would answer it itself.
        PROVIDE_AUTOMATIC_OPTIONS=False,
    )
    if test_config:
        app.config.update(test_config)

    from tracker import api, db, errors, health, observability

    db.init_app(app)
    observability.init_app(app)
    errors.init_app(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(health.bp)
    return app
