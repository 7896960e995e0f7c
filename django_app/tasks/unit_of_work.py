"""The unit of work over the Django ORM: one request, one ``transaction.atomic()`` block."""

from contextlib import ExitStack

from accounts.repository import DjangoAccountRepository
from django.db import transaction

from tasks.repository import DjangoTaskRepository, database_failures_as_unavailable, ping_database
from tasktracker.unit_of_work import UnitOfWork


# region: transaction
class DjangoUnitOfWork(UnitOfWork):
    """The transaction of Django's default database, as one atomic block.

    ``transaction.atomic()`` rather than ``set_autocommit(False)``: on SQLite only atomic()
    begins with the configured ``BEGIN IMMEDIATE`` (and keeps savepoints working). The block is
    entered at the repository's first query, not here: a request answered before it needs the
    database (a malformed body, a validation error) never connects, so it is answered the same
    while the database is down.
    """

    def __init__(self) -> None:
        self._atomic_block = ExitStack()
        self._in_transaction = False
        self.accounts = DjangoAccountRepository(begin_transaction=self.begin)

    def tasks_of(self, owner_id: int) -> DjangoTaskRepository:
        return DjangoTaskRepository(begin_transaction=self.begin, owner_id=owner_id)

    def ping(self) -> bool:
        return ping_database()

    def begin(self) -> None:
        """Enter the atomic block, unless it is open already."""
        if not self._in_transaction:
            # Durable: nothing around it, so leaving the block really commits.
            self._atomic_block.enter_context(transaction.atomic(durable=True))
            self._in_transaction = True

    def commit(self) -> None:
        self._leave_atomic_block()

    def rollback(self) -> None:
        if self._in_transaction:
            transaction.set_rollback(True)
        self._leave_atomic_block()

    def close(self) -> None:
        # What was not committed is rolled back; Django closes or keeps the connection itself
        # when the request finishes (CONN_MAX_AGE).
        self.rollback()

    def _leave_atomic_block(self) -> None:
        # atomic() commits or rolls back as the block ends; a commit that fails is rolled back
        # and raised.
        self._in_transaction = False
        with database_failures_as_unavailable():
            self._atomic_block.close()


# endregion
