"""The unit of work: one request's transaction, with the task repository on it.

The pattern of *Architecture Patterns with Python* (chapter 6). A variant opens one where its
framework begins a request's transaction and closes it where the framework ends one: a
middleware, a teardown hook, a plugin, a tool, the transaction manager, web2py's end of request.
The ``with`` form commits when the block ends normally and rolls back when it raises; hooks that
see the response instead call :meth:`UnitOfWork.finish` with whether the request succeeded.
Either way the connection or session is released at the end.
"""

from __future__ import annotations

import abc
from types import TracebackType
from typing import Self

from tasktracker.memory import InMemoryTaskRepository
from tasktracker.repository import TaskRepository


class UnitOfWork(abc.ABC):
    tasks: TaskRepository

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exception_type: type[BaseException] | None,
        exception: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.finish(succeeded=exception is None)

    def finish(self, succeeded: bool) -> None:
        """Commit if the request succeeded, else roll back; release the connection either way.

        A failing commit raises (``Unavailable`` for a database failure), so that the request
        is answered with an error rather than a success whose change was lost.
        """
        try:
            if succeeded:
                self.commit()
            else:
                self.rollback()
        finally:
            self.close()

    @abc.abstractmethod
    def commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None: ...

    def close(self) -> None:  # noqa: B027 - optional: not every unit has something to release
        """Release the connection or session. Nothing to release by default."""


class InMemoryUnitOfWork(UnitOfWork):
    """For unit tests: changes are made to the repository at once; commits are counted."""

    def __init__(self, tasks: InMemoryTaskRepository | None = None) -> None:
        self.tasks = tasks if tasks is not None else InMemoryTaskRepository()
        self.commits = 0
        self.rollbacks = 0

    def commit(self) -> None:
        self.commits += 1

    def rollback(self) -> None:
        self.rollbacks += 1
