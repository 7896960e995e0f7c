"""In-memory repositories: the fakes for unit tests, and the plainest statement of their contracts."""

from __future__ import annotations

import dataclasses
import threading
from collections import Counter
from datetime import date, datetime

from tasktracker.account_service import User
from tasktracker.domain import PRIORITY_RANK, ListQuery, NewTask, SortField, Task, TaskStats, is_overdue, matches
from tasktracker.errors import UsernameTaken


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


class _TaskStore:
    """What every owner's view shares: the tasks by id with their owner, the next id, the lock."""

    def __init__(self) -> None:
        self.tasks: dict[int, tuple[int, Task]] = {}
        self.next_id = 1
        self.lock = threading.Lock()
        self.available = True


class InMemoryTaskRepository:
    """One owner's view of a store of tasks; :meth:`of` gives another owner's view of the same store."""

    def __init__(self, owner_id: int = 1, store: _TaskStore | None = None) -> None:
        self.owner_id = owner_id
        self._store = store if store is not None else _TaskStore()

    def of(self, owner_id: int) -> InMemoryTaskRepository:
        return InMemoryTaskRepository(owner_id, self._store)

    @property
    def available(self) -> bool:
        return self._store.available

    @available.setter
    def available(self, value: bool) -> None:
        self._store.available = value

    @property
    def _tasks(self) -> dict[int, Task]:
        return {task_id: task for task_id, (owner, task) in self._store.tasks.items() if owner == self.owner_id}

    def add(self, task: NewTask) -> Task:
        with self._store.lock:
            stored = Task(id=self._store.next_id, version=1, **dataclasses.asdict(task))
            self._store.tasks[stored.id] = (self.owner_id, stored)
            self._store.next_id += 1
            return stored

    def get(self, task_id: int) -> Task | None:
        return self._tasks.get(task_id)

    def list(self, query: ListQuery) -> tuple[list[Task], int]:
        matching = [task for task in self._tasks.values() if matches(task, query)]
        ordered = _ordered(matching, query)
        return ordered[query.offset : query.offset + query.limit], len(matching)

    def update(self, task: Task, expected_version: int) -> bool:
        with self._store.lock:
            stored = self._tasks.get(task.id)
            if stored is None or stored.version != expected_version:
                return False
            self._store.tasks[task.id] = (self.owner_id, task)
            return True

    def delete(self, task_id: int, expected_version: int) -> bool:
        with self._store.lock:
            stored = self._tasks.get(task_id)
            if stored is None or stored.version != expected_version:
                return False
            del self._store.tasks[task_id]
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
        return self._store.available


@dataclasses.dataclass
class _StoredToken:
    user_id: int
    expires_at: datetime
    revoked: bool = False


class InMemoryAccountRepository:
    """An AccountRepository (spec 7) in memory: the reference the database ones are held to."""

    def __init__(self) -> None:
        self._users: dict[str, tuple[User, str]] = {}
        self._tokens: dict[str, _StoredToken] = {}
        self._failures: list[tuple[str, datetime]] = []
        self._lock = threading.Lock()

    def add_user(self, username: str, password_hash: str, created_at: datetime) -> User:
        with self._lock:
            if username in self._users:
                raise UsernameTaken()
            user = User(id=len(self._users) + 1, username=username, created_at=created_at)
            self._users[username] = (user, password_hash)
            return user

    def user_with_password_hash(self, username: str) -> tuple[User, str] | None:
        return self._users.get(username)

    def add_token(self, digest: str, user_id: int, created_at: datetime, expires_at: datetime) -> None:
        with self._lock:
            self._tokens[digest] = _StoredToken(user_id, expires_at)

    def user_of_token(self, digest: str, now: datetime) -> User | None:
        stored = self._tokens.get(digest)
        if stored is None or stored.revoked or stored.expires_at <= now:
            return None
        return next(user for user, _ in self._users.values() if user.id == stored.user_id)

    def revoke_token(self, digest: str) -> None:
        with self._lock:
            if digest in self._tokens:
                self._tokens[digest].revoked = True

    def add_login_failure(self, key: str, at: datetime) -> None:
        with self._lock:
            self._failures.append((key, at))

    def login_failures_since(self, key: str, since: datetime) -> list[datetime]:
        return [at for stored, at in self._failures if stored == key and at >= since]
