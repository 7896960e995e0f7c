"""``python -m tasktracker.sqla upgrade``: apply the migrations to ``DATABASE_URL``."""

import os
import sys

from tasktracker.config import DEFAULT_DATABASE_URL
from tasktracker.sqla.migrate import upgrade

if sys.argv[1:] != ["upgrade"]:
    raise SystemExit("usage: python -m tasktracker.sqla upgrade")
upgrade(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
