"""The persistence port: what the service layer needs from any storage (SQLAlchemy, Django ORM, DAL).

Every implementation runs ``tasktracker.testing.repository_contract`` against itself.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol

from tasktracker.domain import ListQuery, NewTask, Task, TaskStats, search_key


class TaskRepository(Protocol):
    """Timestamps go in and come out as timezone-aware UTC datetimes with millisecond precision.

    Implementations raise ``tasktracker.errors.Unavailable`` when the database cannot be reached
    or used, chaining the driver's exception.
    """

    def add(self, task: NewTask) -> Task:
        """Store a new task with version 1 and return it with its id."""
        ...

    def get(self, task_id: int) -> Task | None: ...

    def list(self, query: ListQuery) -> tuple[list[Task], int]:
        """The page of tasks matching ``query`` in its order, and the number of all matches.

        Search compares ``query.search`` (already case-folded) with case-folded copies of the
        title and description stored beside them, never with the database's collation.
        """
        ...

    def update(self, task: Task, expected_version: int) -> bool:
        """Write ``task`` if the stored version is still ``expected_version``, atomically.

        Returns False (writing nothing) when the task changed or disappeared in the meantime.
        """
        ...

    def delete(self, task_id: int, expected_version: int) -> bool:
        """Delete the task if its stored version is still ``expected_version``, atomically."""
        ...

    def stats(self, today: date) -> TaskStats:
        """Counts of all tasks: total, by status, by priority, and overdue as of ``today``."""
        ...

    def ping(self) -> bool:
        """True when the database answers a trivial query. Never raises."""
        ...


def stored_fields(task: NewTask | Task) -> dict[str, str | date | datetime | None]:
    """A task's scalar columns as every repository stores them, search keys included.

    Its tags, id and version are each repository's own business.
    """
    return {
        "title": task.title,
        "description": task.description,
        "title_key": search_key(task.title),
        "description_key": search_key(task.description),
        "status": task.status.value,
        "priority": task.priority.value,
        "due_date": task.due_date,
        "created_at": task.created_at,
        "updated_at": task.updated_at,
        "completed_at": task.completed_at,
    }
