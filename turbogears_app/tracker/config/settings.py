"""The two configuration layers: the ini file's deployment values, and the environment over them."""

import os

from tasktracker.config import Settings

# region: app-config
# ini option → the spec's environment variable that wins over it (spec 6.4).
ENVIRONMENT_OVERRIDES = {
    "sqlalchemy.url": "DATABASE_URL",
    "log_level": "LOG_LEVEL",
    "log_format": "LOG_FORMAT",
    "workers": "WEB_CONCURRENCY",
}


def deployment_settings(ini_values):
    """The settings in force: an option of the ini file, unless its environment variable is set.

    The one place the variant names itself; everything else takes these settings (the
    application finds them in ``tg.config["tracker.settings"]``).
    """
    from_ini = {
        variable: ini_values[option] for option, variable in ENVIRONMENT_OVERRIDES.items() if option in ini_values
    }
    return Settings.from_env("turbogears", {**from_ini, **os.environ})


# endregion
