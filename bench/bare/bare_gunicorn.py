"""gunicorn settings of the bare apps: the shared ones, as each gunicorn variant takes them."""

import dataclasses
import os

from tasktracker.config import Settings
from tasktracker.gunicorn_settings import gunicorn_settings

settings = dataclasses.replace(Settings.from_env(os.environ["BENCH_VARIANT"]), variant="bare")
globals().update(gunicorn_settings(settings))
