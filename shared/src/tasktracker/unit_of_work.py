"""The unit of work: one request's transaction, with the account repository and each owner's task
repository on it (spec 7.4: a request reads and writes only its user's tasks).

The pattern of *Architecture Patterns with Python* (chapter 6). A variant opens one where its
framework begins a request's transaction and closes it where the framework ends one: a
middleware, a teardown hook, a plugin, a tool, the transaction manager, web2py's end of request.
The ``with`` form commits when the block ends normally and rolls back when it raises; hooks that
see the response instead call :meth:`UnitOfWork.finish` with whether the request succeeded.
Either way the connection or session is released at the end.

What the service reports (the domain counters of spec 6.3) waits for the commit: a variant hands
the service ``unit_of_work.collect(events)``, and the events reach ``events`` only once the unit
has committed, so a create whose commit failed is never counted.
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from types import TracebackType
from typing import Self

from tasktracker.account_service import AccountRepository
from tasktracker.domain import Status
from tasktracker.memory import InMemoryAccountRepository, InMemoryTaskRepository
from tasktracker.repository import TaskRepository
from tasktracker.service import TaskEvents


class _EventsAfterCommit:
    """TaskEvents that hold each event until the unit of work that collected them has committed."""

    def __init__(self, pending: list[Callable[[], None]], events: TaskEvents) -> None:
        self._pending = pending
        self._events = events

    def task_created(self) -> None:
        self._pending.append(self._events.task_created)

    def task_deleted(self) -> None:
        self._pending.append(self._events.task_deleted)

    def status_changed(self, from_status: Status, to_status: Status) -> None:
        self._pending.append(lambda: self._events.status_changed(from_status, to_status))


class UnitOfWork(abc.ABC):
    accounts: AccountRepository

    @abc.abstractmethod
    def tasks_of(self, owner_id: int) -> TaskRepository:
        """The tasks of one user, in this unit's transaction: nobody else's are seen or changed."""

    @abc.abstractmethod
    def ping(self) -> bool:
        """True when the database answers a trivial query (readiness). Never raises."""

    def collect(self, events: TaskEvents) -> TaskEvents:
        """``events`` for the service, reported only once :meth:`finish` has committed."""
        return _EventsAfterCommit(self._pending_events(), events)

    def _pending_events(self) -> list[Callable[[], None]]:
        # Kept in the instance's dict so that subclasses need not call an __init__ of ours.
        pending: list[Callable[[], None]] = self.__dict__.setdefault("_pending", [])
        return pending

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exception_type: type[BaseException] | None,
        exception: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.finish(succeeded=exception is None)

    def commit_even_if_failed(self) -> None:
        """What was written so far must be kept although the request will fail (spec 7.2: a failed
        token request's record, answered 401). :meth:`finish` then commits whatever the outcome.

        A unit whose framework rolls a failed request back before :meth:`finish` can run (a
        transaction manager that dooms it) commits here at once instead.
        """
        self.__dict__["_commit_even_if_failed"] = True

    def finish(self, succeeded: bool) -> None:
        """Commit if the request succeeded, else roll back; release the connection either way.

        A failing commit raises (``Unavailable`` for a database failure), so that the request
        is answered with an error rather than a success whose change was lost.
        """
        succeeded = succeeded or self.__dict__.get("_commit_even_if_failed", False)
        try:
            if succeeded:
                self.commit()
            else:
                self.rollback()
        except BaseException:
            self.discard_events()
            raise
        finally:
            self.close()
        if succeeded:
            self.report_events()
        else:
            self.discard_events()

    def report_events(self) -> None:
        """Hand what :meth:`collect` held to its events: the unit has committed."""
        pending = self._pending_events()
        while pending:
            pending.pop(0)()

    def discard_events(self) -> None:
        self._pending_events().clear()

    @abc.abstractmethod
    def commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None: ...

    def close(self) -> None:  # noqa: B027 - optional: not every unit has something to release
        """Release the connection or session. Nothing to release by default."""


class InMemoryUnitOfWork(UnitOfWork):
    """For unit tests: changes are made to the repository at once; commits are counted."""

    def __init__(
        self, tasks: InMemoryTaskRepository | None = None, accounts: InMemoryAccountRepository | None = None
    ) -> None:
        self._tasks = tasks if tasks is not None else InMemoryTaskRepository()
        self.accounts = accounts if accounts is not None else InMemoryAccountRepository()
        self.commits = 0
        self.rollbacks = 0

    def tasks_of(self, owner_id: int) -> InMemoryTaskRepository:
        return self._tasks.of(owner_id)

    def ping(self) -> bool:
        return self._tasks.ping()

    def commit(self) -> None:
        self.commits += 1

    def rollback(self) -> None:
        self.rollbacks += 1
