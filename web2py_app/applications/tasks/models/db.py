# region: app-config
# The models web2py runs before every action: no session, the request's unit of work, the services.
# ruff: noqa: F821 (web2py runs this file with request, response, session, DAL, HTTP… as globals)
import os

from account_tables import PASSWORD_HASHER
from authentication import BearerAuth
from configuration import settings
from database import DAL_OPTIONS
from schema import define_tables, migrate_schema
from unit_of_work import DalUnitOfWork, end_with_the_request

from tasktracker.account_service import AccountService
from tasktracker.observability.metrics import AUTH_EVENTS, TASK_EVENTS
from tasktracker.service import TaskService

# An API answered with JSON keeps no session: no cookie, no session file. It reads no cookie
# either: a user is known by a bearer token only (spec 7.3).
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
    if request.migrate:
        migrate_schema(db)
    else:
        define_tables(db)
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

# region: auth
# Sign-up, tokens and authentication on the request's unit of work; `@auth.requires_token()`
# is the actions' `@auth.requires_login()`.
account_service = AccountService.over(unit_of_work, PASSWORD_HASHER, settings, AUTH_EVENTS)
auth = BearerAuth(account_service)
# endregion


# region: persistence, auth
def task_service():
    """The caller's tasks only (spec 7.4), once `@auth.requires_token()` knows the caller.

    The domain counters move only once the unit of work has committed.
    """
    return TaskService(unit_of_work.tasks_of(auth.user.id), events=unit_of_work.collect(TASK_EVENTS))


# endregion
