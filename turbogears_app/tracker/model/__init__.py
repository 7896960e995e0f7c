"""The database session, as a TurboGears project has it: scoped, and joined to the transaction manager.

The tables and their mapping are tasktracker's (``tasktracker.sqla.models``), and sa_auth's
``User`` maps its ``users`` table (``model/auth.py``); this package provides the session, the
unit of work over it, and the services the controllers and the authenticator call.
"""

import tg
import transaction
from sqlalchemy.orm import scoped_session, sessionmaker
from zope.sqlalchemy import register

from tasktracker.account_service import AccountService
from tasktracker.observability.metrics import AUTH_EVENTS, TASK_EVENTS
from tasktracker.passwords import Argon2Hasher
from tasktracker.service import TaskService
from tasktracker.sqla import SqlAlchemyTaskRepository, database_failures_as_unavailable
from tasktracker.sqla.accounts import SqlAlchemyAccountRepository
from tasktracker.sqla.repository import ping_engine
from tasktracker.unit_of_work import UnitOfWork
from tracker.model.auth import User

# region: persistence
# The quickstart's model package exposes its auth classes: app_cfg names model.User as sa_auth.user_class.
__all__ = ["DBSession", "TransactionUnitOfWork", "User", "account_service", "init_model", "task_service"]

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
    DBSessionRemoverMiddleware removes the session; views only take ``accounts`` and
    ``tasks_of(owner)``. Outside a request (the tests, and the authenticator, which repoze.who runs
    before the transaction manager begins) ``commit``, ``rollback`` and ``close`` end it the same
    way, through ``transaction``.
    """

    def __init__(self):
        self.accounts = SqlAlchemyAccountRepository(DBSession)

    def tasks_of(self, owner_id):
        return SqlAlchemyTaskRepository(DBSession, owner_id)

    def ping(self):
        return ping_engine(DBSession)

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

    def commit_even_if_failed(self):
        """A failed token request's record is kept although the request is answered 401: the
        transaction manager aborts whatever a request answered with an error (the commit veto, or
        the exception itself) before anything of ours could run after the view, so it is
        committed now. The transaction package begins a new transaction for what follows."""
        self.commit()

    def rollback(self):
        transaction.abort()

    def close(self):
        # A unit closed without a commit keeps nothing, even when the session is used again.
        transaction.abort()
        DBSession.remove()


# endregion


# region: persistence
def task_service(owner_id):
    """The tasks of the request's user (``request.identity["user"]``) and nobody else's."""
    unit_of_work = TransactionUnitOfWork()
    # The counters move only once the request's transaction has committed.
    return TaskService(unit_of_work.tasks_of(owner_id), events=unit_of_work.collect(TASK_EVENTS))


# endregion


# region: auth
# tasktracker's Argon2id at OWASP's minimum (m=19 MiB, t=2, p=1), once per process: it hashes its
# dummy password when it is made.
PASSWORD_HASHER = Argon2Hasher()


def account_service(unit_of_work=None):
    return AccountService.over(
        unit_of_work or TransactionUnitOfWork(), PASSWORD_HASHER, tg.config["tracker.settings"], AUTH_EVENTS
    )


# endregion
