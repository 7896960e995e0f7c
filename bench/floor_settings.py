"""The floor's settings: the spec's environment variables, read as every variant reads them.

Its own module, so that gunicorn's config reads them before the app (and prometheus-client) is imported.
"""

import dataclasses
import os

from tasktracker.config import Settings

# Named after its server, so that app_info and GET /api say what ran.
SERVER = os.environ.get("BENCH_FLOOR_SERVER", "gunicorn")
settings = dataclasses.replace(Settings.from_env("bottle"), variant=f"floor-{SERVER}", framework=SERVER)
