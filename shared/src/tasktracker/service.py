"""The service layer: the only thing a variant calls to work with tasks.

It takes primitive values (decoded JSON documents, header strings, ids) and a repository, and it
returns domain objects or raises the spec's problems. The variant owns the transaction: it opens
one per request and commits it when the response is a success.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from tasktracker.domain import ListQuery, Status, Task, TaskPage, TaskStats, apply_changes, new_task, utc_now
from tasktracker.errors import PreconditionFailed, TaskNotFound
from tasktracker.http import if_match_allows
from tasktracker.repository import TaskRepository
from tasktracker.validation import validate_create, validate_patch

# How often a write without If-Match is re-read and re-applied after losing a race with another
# writer before the service gives up; each loss means another request's change was committed.
MAX_WRITE_ATTEMPTS = 20


class TaskEvents(Protocol):
    """What the service reports as it happens: the domain counters of the metrics contract."""

    def task_created(self) -> None: ...

    def task_deleted(self) -> None: ...

    def status_changed(self, from_status: Status, to_status: Status) -> None: ...


class IgnoreEvents:
    def task_created(self) -> None:
        pass

    def task_deleted(self) -> None:
        pass

    def status_changed(self, from_status: Status, to_status: Status) -> None:
        pass


class ConcurrentWriteConflict(RuntimeError):
    """A write lost the race MAX_WRITE_ATTEMPTS times in a row; rendered as a 500."""


class TaskService:
    def __init__(
        self,
        repository: TaskRepository,
        events: TaskEvents | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.repository = repository
        self.events = events or IgnoreEvents()
        self.clock = clock

    def create_task(self, document: object) -> Task:
        fields = validate_create(document)
        task = self.repository.add(new_task(**fields, now=self.clock()))
        self.events.task_created()
        return task

    def get_task(self, task_id: int) -> Task:
        task = self.repository.get(task_id)
        if task is None:
            raise TaskNotFound()
        return task

    def list_tasks(self, query: ListQuery) -> TaskPage:
        items, total = self.repository.list(query)
        return TaskPage(items=items, total=total, limit=query.limit, offset=query.offset)

    def update_task(self, task_id: int, document: object, if_match: str | None = None) -> Task:
        """PATCH, in the spec's order of checks: 404, 412, 422, 409."""
        for _ in range(MAX_WRITE_ATTEMPTS):
            current = self.get_task(task_id)
            if not if_match_allows(if_match, current.version):
                raise PreconditionFailed()
            changed = apply_changes(current, validate_patch(document), self.clock())
            if changed is current:
                return current
            if self.repository.update(changed, expected_version=current.version):
                if changed.status is not current.status:
                    self.events.status_changed(current.status, changed.status)
                return changed
            # Another request wrote in between. With If-Match the next pass answers 412 (or 404);
            # without it, the change is applied again on top of the other one, so none is lost.
        raise ConcurrentWriteConflict(f"task {task_id} kept changing during the update")

    def delete_task(self, task_id: int, if_match: str | None = None) -> None:
        for _ in range(MAX_WRITE_ATTEMPTS):
            current = self.get_task(task_id)
            if not if_match_allows(if_match, current.version):
                raise PreconditionFailed()
            if self.repository.delete(task_id, expected_version=current.version):
                self.events.task_deleted()
                return
        raise ConcurrentWriteConflict(f"task {task_id} kept changing during the delete")

    def stats(self) -> TaskStats:
        return self.repository.stats(today=self.clock().date())

    def database_is_ready(self) -> bool:
        return self.repository.ping()
