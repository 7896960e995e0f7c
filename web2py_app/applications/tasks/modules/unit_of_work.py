"""The unit of work over the DAL: one request's connection, and its one transaction.

The DAL begins the transaction with the request's first statement. web2py ends it, for every DAL
the request used, once the request has its answer (``response.custom_commit``) or has failed with
a ticket (``response._custom_rollback``); :func:`end_with_the_request` hands it this unit for both.
"""

from pydal.base import BaseAdapter

from tasktracker.errors import unavailable_on
from tasktracker.unit_of_work import UnitOfWork

from .account_repository import DalAccountRepository
from .connection import DATABASE_FAILURES, LazyDatabase
from .task_repository import DalTaskRepository

# region: transaction
# Where a failed commit waits for wsgihandler.py in the WSGI environ: the handler answers this
# failure's problem instead of the answer whose change was lost.
COMMIT_FAILURE = "tasktracker.commit_failure"


class DalUnitOfWork(UnitOfWork):
    """The repositories' DAL, built on their first query, and the transaction on it.

    A unit that never queried has nothing to commit and connects to nothing. The connection is
    not the unit's to release: web2py releases it at the end of the request (into the pool, or
    closed), and outside a request whoever built the DAL closes it.
    """

    def __init__(self, connect) -> None:
        self.database = LazyDatabase(connect)
        self.accounts = DalAccountRepository(self.database)

    def tasks_of(self, owner_id: int) -> DalTaskRepository:
        return DalTaskRepository(self.database, owner_id)

    def ping(self) -> bool:
        return self.database.ping()

    def commit(self) -> None:
        if self.database.connected:
            with unavailable_on(*DATABASE_FAILURES):
                self.database.db.commit()

    def rollback(self) -> None:
        if self.database.connected:
            with unavailable_on(*DATABASE_FAILURES):
                self.database.db.rollback()

    def close(self) -> None:
        # What was not committed is rolled back.
        self.rollback()


def end_with_the_request(unit_of_work: DalUnitOfWork, request, response) -> None:
    """web2py's end of request finishes ``unit_of_work``: committed if the answer's status is
    below 400 (a problem sets ``response.status``), rolled back otherwise and after a ticket.

    web2py calls ``custom_commit`` with each connection the request opened, just before it
    releases that connection, and swallows what it raises (dropping the connection rather than
    pooling it); then once more with None. What that last call raises would become a ticket,
    whose snapshot of the request and of web2py's locals may hold a token or a password (spec
    6.2): the failure waits in the environ instead, and the handler answers it.
    """

    def finish(adapter, succeeded: bool) -> None:
        if adapter is None:
            return
        try:
            # finish() reports the service's events once it has committed.
            unit_of_work.finish(succeeded=succeeded)
        except Exception as failure:
            request.wsgi.environ[COMMIT_FAILURE] = failure
            raise

    response.custom_commit = lambda adapter: finish(adapter, succeeded=response.status < 400)
    # gluon.main reads the rollback hook under this name (not response.custom_rollback), and then
    # leaves releasing the connections to it.
    response._custom_rollback = lambda: BaseAdapter.close_all_instances(
        lambda adapter: finish(adapter, succeeded=False)
    )


# endregion
