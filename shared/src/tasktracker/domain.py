"""The Task entity and its rules: statuses, priorities, the state machine, queries and stats.

Plain Python only: no ORM, no framework. Repositories map their own models to these objects.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum

from tasktracker.errors import InvalidTransition, TaskArchived

MAX_TASK_ID = 2_147_483_647


class Status(StrEnum):
    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    ARCHIVED = "archived"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


# Sorting by priority uses this rank, never the alphabetical order of the names.
PRIORITY_RANK: dict[Priority, int] = {
    Priority.LOW: 0,
    Priority.NORMAL: 1,
    Priority.HIGH: 2,
    Priority.URGENT: 3,
}

ALLOWED_TRANSITIONS: frozenset[tuple[Status, Status]] = frozenset(
    {
        (Status.TODO, Status.IN_PROGRESS),
        (Status.TODO, Status.DONE),
        (Status.IN_PROGRESS, Status.TODO),
        (Status.IN_PROGRESS, Status.DONE),
        (Status.DONE, Status.TODO),
        (Status.DONE, Status.ARCHIVED),
    }
)

# Statuses a task may be created with.
CREATABLE_STATUSES: frozenset[Status] = frozenset({Status.TODO, Status.IN_PROGRESS, Status.DONE})


def utc_now() -> datetime:
    """The clock, truncated to the millisecond: timestamps are stored at the precision they are shown."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def search_key(text: str) -> str:
    """The form stored beside a title or description so every database matches `q` the same way."""
    return text.casefold()


@dataclass(frozen=True)
class NewTask:
    """A validated task not stored yet."""

    title: str
    description: str
    status: Status
    priority: Priority
    due_date: date | None
    tags: tuple[str, ...]
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None


@dataclass(frozen=True)
class Task:
    id: int
    title: str
    description: str
    status: Status
    priority: Priority
    due_date: date | None
    tags: tuple[str, ...]
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    version: int

    @property
    def title_key(self) -> str:
        return search_key(self.title)

    @property
    def description_key(self) -> str:
        return search_key(self.description)


@dataclass(frozen=True)
class TaskChanges:
    """A validated PATCH. Only the names in ``sent_fields`` were sent; ``None`` there means null."""

    title: str | None = None
    description: str | None = None
    status: Status | None = None
    priority: Priority | None = None
    due_date: date | None = None
    tags: tuple[str, ...] | None = None
    sent_fields: frozenset[str] = frozenset()

    def is_empty(self) -> bool:
        return not self.sent_fields


def new_task(
    *,
    title: str,
    description: str,
    status: Status,
    priority: Priority,
    due_date: date | None,
    tags: tuple[str, ...],
    now: datetime,
) -> NewTask:
    return NewTask(
        title=title,
        description=description,
        status=status,
        priority=priority,
        due_date=due_date,
        tags=tags,
        created_at=now,
        updated_at=now,
        completed_at=now if status is Status.DONE else None,
    )


def apply_changes(task: Task, changes: TaskChanges, now: datetime) -> Task:
    """The task after a PATCH, or the same task when nothing stored would change.

    Raises TaskArchived or InvalidTransition; the caller writes nothing in that case.
    """
    if task.status is Status.ARCHIVED and not changes.is_empty():
        raise TaskArchived()
    updates = {
        name: getattr(changes, name) for name in changes.sent_fields if getattr(changes, name) != getattr(task, name)
    }
    if not updates:
        return task
    new_status = updates.get("status")
    if new_status is not None:
        if (task.status, new_status) not in ALLOWED_TRANSITIONS:
            raise InvalidTransition(task.status, new_status)
        if new_status is Status.DONE:
            updates["completed_at"] = now
        elif new_status is Status.TODO:
            updates["completed_at"] = None
    return dataclasses.replace(task, **updates, updated_at=now, version=task.version + 1)


class SortField(StrEnum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    DUE_DATE = "due_date"
    PRIORITY = "priority"


@dataclass(frozen=True)
class SortOrder:
    field: SortField
    descending: bool

    @classmethod
    def parse(cls, text: str) -> SortOrder:
        """``-created_at`` → created_at, descending. Raises ValueError for an unknown field."""
        descending = text.startswith("-")
        return cls(SortField(text.removeprefix("-")), descending)


DEFAULT_SORT = SortOrder(SortField.CREATED_AT, descending=True)


@dataclass(frozen=True)
class ListQuery:
    """A validated ``GET /api/tasks`` query. ``search`` is already case-folded."""

    statuses: frozenset[Status] | None = None
    priorities: frozenset[Priority] | None = None
    tags: frozenset[str] = frozenset()
    search: str | None = None
    due_before: date | None = None
    due_after: date | None = None
    sort: SortOrder = DEFAULT_SORT
    limit: int = 20
    offset: int = 0


@dataclass(frozen=True)
class TaskPage:
    items: list[Task]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True)
class TaskStats:
    total: int
    by_status: dict[Status, int] = field(default_factory=dict)
    by_priority: dict[Priority, int] = field(default_factory=dict)
    overdue: int = 0


def matches(task: Task, query: ListQuery) -> bool:
    """The filter part of a list query, in plain Python (the in-memory repository uses it)."""
    if query.statuses is not None and task.status not in query.statuses:
        return False
    if query.priorities is not None and task.priority not in query.priorities:
        return False
    if not query.tags <= set(task.tags):
        return False
    if query.search is not None and query.search not in task.title_key and query.search not in task.description_key:
        return False
    if query.due_before is not None and (task.due_date is None or task.due_date > query.due_before):
        return False
    return not (query.due_after is not None and (task.due_date is None or task.due_date < query.due_after))


def is_overdue(task: Task, today: date) -> bool:
    return task.due_date is not None and task.due_date < today and task.status not in (Status.DONE, Status.ARCHIVED)
