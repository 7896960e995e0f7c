# region: app-config
# The models web2py runs before every action: no session, the request's unit of work, the service.
# ruff: noqa: F821 (web2py runs this file with request, response, session, DAL, HTTP… as globals)
import os

from database import DAL_OPTIONS
from task_table import create_task_indexes, define_task_table
from unit_of_work import DalUnitOfWork, end_with_the_request

from tasktracker.observability.metrics import TASK_EVENTS
from tasktracker.service import TaskService

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
    if request.migrate:
        create_task_indexes(db)
    return db


# endregion

# region: transaction
# The request's transaction: the DAL begins it at the first query, and web2py's end of request
# commits or rolls it back through this unit of work. The actions never commit.
# The DAL's PostgreSQL adapter connects as soon as it is built, so the repository builds it on
# first use: health/live, body decoding and validation answer even while the database is down.
unit_of_work = DalUnitOfWork(connect_database)
end_with_the_request(unit_of_work, request, response)
# endregion

# region: persistence
# The domain counters move only once the unit of work has committed.
task_service = TaskService(unit_of_work.tasks, events=unit_of_work.collect(TASK_EVENTS))
# endregion
