"""An in-memory TaskRepository: the fake for unit tests, and the plainest statement of the contract."""

from __future__ import annotations

import dataclasses
import threading
from collections import Counter
from datetime import date

from tasktracker.domain import PRIORITY_RANK, ListQuery, NewTask, SortField, Task, TaskStats, is_overdue, matches


def _ordered(tasks: list[Task], query: ListQuery) -> list[Task]:
    field, descending = query.sort.field, query.sort.descending
    by_id = sorted(tasks, key=lambda task: task.id, reverse=descending)
    if field is SortField.PRIORITY:
        return sorted(by_id, key=lambda task: PRIORITY_RANK[task.priority], reverse=descending)
    if field is SortField.DUE_DATE:
        # Sorting is stable, so the id order survives; tasks without a due date go last either way.
        # (``or date.min`` never applies: it tells the type checker that the key is never None.)
        dated = sorted(
            (task for task in by_id if task.due_date), key=lambda task: task.due_date or date.min, reverse=descending
        )
        return dated + [task for task in by_id if task.due_date is None]
    return sorted(by_id, key=lambda task: getattr(task, field.value), reverse=descending)


class InMemoryTaskRepository:
    def __init__(self) -> None:
        self._tasks: dict[int, Task] = {}
        self._next_id = 1
        self._lock = threading.Lock()
        self.available = True

    def add(self, task: NewTask) -> Task:
        with self._lock:
            stored = Task(id=self._next_id, version=1, **dataclasses.asdict(task))
            self._tasks[stored.id] = stored
            self._next_id += 1
            return stored

    def get(self, task_id: int) -> Task | None:
        return self._tasks.get(task_id)

    def list(self, query: ListQuery) -> tuple[list[Task], int]:
        matching = [task for task in self._tasks.values() if matches(task, query)]
        ordered = _ordered(matching, query)
        return ordered[query.offset : query.offset + query.limit], len(matching)

    def update(self, task: Task, expected_version: int) -> bool:
        with self._lock:
            stored = self._tasks.get(task.id)
            if stored is None or stored.version != expected_version:
                return False
            self._tasks[task.id] = task
            return True

    def delete(self, task_id: int, expected_version: int) -> bool:
        with self._lock:
            stored = self._tasks.get(task_id)
            if stored is None or stored.version != expected_version:
                return False
            del self._tasks[task_id]
            return True

    def stats(self, today: date) -> TaskStats:
        tasks = list(self._tasks.values())
        return TaskStats(
            total=len(tasks),
            by_status=dict(Counter(task.status for task in tasks)),
            by_priority=dict(Counter(task.priority for task in tasks)),
            overdue=sum(is_overdue(task, today) for task in tasks),
        )

    def ping(self) -> bool:
        return self.available
