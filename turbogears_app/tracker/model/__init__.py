"""The database session, as a TurboGears project has it: scoped, and joined to the transaction manager.

The tables and their mapping are tasktracker's (``tasktracker.sqla.models``); this package
provides the session, the unit of work over it, and the service the controllers call.
"""

import transaction
from sqlalchemy.orm import scoped_session, sessionmaker
from zope.sqlalchemy import register

from tasktracker.observability.metrics import TASK_EVENTS
from tasktracker.service import TaskService
from tasktracker.sqla import SqlAlchemyTaskRepository, database_failures_as_unavailable
from tasktracker.unit_of_work import UnitOfWork

# region: persistence
DBSession = scoped_session(sessionmaker())


def init_model(engine):
    """Called by TurboGears' SQLAlchemy component with the engine it built from the ini."""
    DBSession.configure(bind=engine)


# endregion


# region: transaction
# zope.sqlalchemy joins DBSession to the transaction package's current transaction: the one
# TurboGears' transaction manager (TransactionApplicationWrapper) begins before dispatch and
# commits or aborts after it, which is why a view never commits.
register(DBSession)


def commit_veto(environ, status, headers):
    """``tm.commit_veto``: a response that answers a failure (status 400 and up) is aborted.

    An exception aborts by itself; this covers what dispatch returns instead of raising
    (``tg.abort``, its own 404 and 405).
    """
    return int(status.split(" ", 1)[0]) >= 400


class TransactionUnitOfWork(UnitOfWork):
    """DBSession in the transaction package's current transaction.

    In a request the transaction manager ends that transaction, and TurboGears'
    DBSessionRemoverMiddleware removes the session; views only take ``tasks``. Outside a request
    (the tests) ``commit``, ``rollback`` and ``close`` end it the same way, through ``transaction``.
    """

    def __init__(self):
        self.tasks = SqlAlchemyTaskRepository(DBSession)

    def collect(self, events):
        """In a request the transaction manager commits, not ``finish()``: the events wait for the
        transaction's own after-commit hook, which tells whether the commit succeeded."""
        collected = super().collect(events)
        transaction.get().addAfterCommitHook(self._after_commit)
        return collected

    def _after_commit(self, committed):
        if committed:
            self.report_events()
        else:
            self.discard_events()

    def commit(self):
        with database_failures_as_unavailable():
            transaction.commit()

    def rollback(self):
        transaction.abort()

    def close(self):
        # A unit closed without a commit keeps nothing, even when the session is used again.
        transaction.abort()
        DBSession.remove()


# endregion


# region: persistence
def task_service():
    unit_of_work = TransactionUnitOfWork()
    # The counters move only once the request's transaction has committed.
    return TaskService(unit_of_work.tasks, events=unit_of_work.collect(TASK_EVENTS))


# endregion
