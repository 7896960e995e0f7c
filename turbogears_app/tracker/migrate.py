"""``python -m tracker.migrate production.ini``: apply tasktracker's Alembic migrations.

The database is the ini's ``sqlalchemy.url``, or DATABASE_URL when set, as for the server.
(``gearbox setup-app`` would need the project installed as a distribution; this runs from the folder.)
"""

import sys
from pathlib import Path

from paste.deploy import appconfig

from tasktracker.sqla.migrate import upgrade
from tracker.config.settings import deployment_settings


# region: persistence
def main(ini_file):
    ini_values = appconfig(f"config:{Path(ini_file).resolve()}")
    upgrade(deployment_settings(ini_values).database_url)


if __name__ == "__main__":
    main(sys.argv[1])
# endregion
