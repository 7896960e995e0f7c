# The models web2py runs before every action: no session, and the task database.
# ruff: noqa: F821 (web2py runs this file with request, response, session, DAL, HTTP… as globals)
import os

from database import DAL_OPTIONS
from task_repository import DalTaskRepository
from task_table import define_task_table

# region: app-config
# An API answered with JSON keeps no session: no cookie, no session file.
session.forget(response)
# endregion


# region: persistence
def connect_database():
    # Migrations run only from migrate.py, never while serving.
    db = DAL(
        **DAL_OPTIONS,
        # The .table files that record the migrated schema; git ignores them.
        folder=os.path.join(request.folder, "databases"),
        migrate_enabled=bool(request.migrate),
    )
    define_task_table(db, migrate=True)
    return db


# The DAL's PostgreSQL adapter connects as soon as it is built, so the repository builds it on
# first use: health/live, body decoding and validation answer even while the database is down.
task_repository = DalTaskRepository(connect_database)
# endregion
