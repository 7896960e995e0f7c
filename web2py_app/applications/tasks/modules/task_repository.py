"""The TaskRepository over web2py's DAL. web2py commits the request's transaction, or rolls it back."""

from contextlib import contextmanager
from datetime import date

from tasktracker.domain import PRIORITY_RANK, ListQuery, NewTask, Priority, SortField, Status, Task, TaskStats
from tasktracker.errors import Unavailable
from tasktracker.repository import stored_fields


def to_domain(row) -> Task:
    return Task(
        id=row.id,
        title=row.title,
        description=row.description,
        status=Status(row.status),
        priority=Priority(row.priority),
        due_date=row.due_date,
        tags=tuple(sorted(row.tags or ())),
        created_at=row.created_at,
        updated_at=row.updated_at,
        completed_at=row.completed_at,
        version=row.version,
    )


# region: persistence
class DalTaskRepository:
    """``connect`` builds the DAL, with the task table, the first time the repository needs it."""

    def __init__(self, connect) -> None:
        self._connect = connect
        self._db = None

    @property
    def db(self):
        if self._db is None:
            try:
                self._db = self._connect()
            except RuntimeError as failure:  # DAL()'s "Failure to connect, tried N times"
                raise Unavailable() from failure
        return self._db

    # endregion

    @contextmanager
    def _failures_as_unavailable(self):
        """Failures of the database itself become a 503; programming errors stay 500s."""
        try:
            yield
        except Exception as failure:
            # The DAL lets the driver's own errors through: gone away, locked past the timeout.
            driver = self._db and self._db._adapter.driver
            if driver and isinstance(failure, (driver.OperationalError, driver.InterfaceError)):
                raise Unavailable() from failure
            raise

    def add(self, task: NewTask) -> Task:
        with self._failures_as_unavailable():
            task_id = self.db.task.insert(**stored_fields(task), tags=list(task.tags), version=1)
        return Task(id=int(task_id), version=1, **vars(task))

    def get(self, task_id: int) -> Task | None:
        with self._failures_as_unavailable():
            row = self.db(self.db.task.id == task_id).select().first()
        return to_domain(row) if row else None

    def list(self, query: ListQuery) -> tuple[list[Task], int]:
        with self._failures_as_unavailable():
            matching = self.db(self._filters(query))
            total = matching.count()
            rows = matching.select(orderby=self._order_by(query), limitby=(query.offset, query.offset + query.limit))
        return [to_domain(row) for row in rows], total

    def update(self, task: Task, expected_version: int) -> bool:
        with self._failures_as_unavailable():
            unchanged_since_read = (self.db.task.id == task.id) & (self.db.task.version == expected_version)
            # One UPDATE … WHERE version = expected: the check and the write are one statement.
            updated = self.db(unchanged_since_read).update(
                **stored_fields(task), tags=list(task.tags), version=task.version
            )
        return updated == 1

    def delete(self, task_id: int, expected_version: int) -> bool:
        with self._failures_as_unavailable():
            unchanged_since_read = (self.db.task.id == task_id) & (self.db.task.version == expected_version)
            deleted = self.db(unchanged_since_read).delete()
        return deleted == 1

    def stats(self, today: date) -> TaskStats:
        with self._failures_as_unavailable():
            task = self.db.task
            count = task.id.count()
            by_status = {
                row.task.status: row[count] for row in self.db().select(task.status, count, groupby=task.status)
            }
            by_priority = {
                row.task.priority: row[count] for row in self.db().select(task.priority, count, groupby=task.priority)
            }
            unfinished = ~task.status.belongs((Status.DONE.value, Status.ARCHIVED.value))
            overdue = self.db((task.due_date < today) & unfinished).count()
        return TaskStats(
            total=sum(by_status.values()),
            by_status={Status(status): number for status, number in by_status.items()},
            by_priority={Priority(priority): number for priority, number in by_priority.items()},
            overdue=overdue,
        )

    def ping(self) -> bool:
        try:
            self.db.executesql("SELECT 1")
        except Exception:
            return False
        return True

    # region: transaction
    def commit(self) -> None:
        """Commit the request's writes now, so that a failure is a 503 rather than a lost write.

        web2py would commit after the action too, but it swallows a failing commit.
        """
        if self._db is not None:
            with self._failures_as_unavailable():
                self._db.commit()

    # endregion

    def _filters(self, query: ListQuery):
        task = self.db.task
        filters = task.id > 0
        if query.statuses is not None:
            filters &= task.status.belongs(sorted(status.value for status in query.statuses))
        if query.priorities is not None:
            filters &= task.priority.belongs(sorted(priority.value for priority in query.priorities))
        for tag in sorted(query.tags):
            filters &= task.tags.contains(tag, case_sensitive=True)
        if query.search is not None:
            filters &= task.title_key.contains(query.search, case_sensitive=True) | task.description_key.contains(
                query.search, case_sensitive=True
            )
        if query.due_before is not None:
            filters &= task.due_date <= query.due_before
        if query.due_after is not None:
            filters &= task.due_date >= query.due_after
        return filters

    def _order_by(self, query: ListQuery):
        task = self.db.task
        field, descending = query.sort.field, query.sort.descending

        def directed(expression):
            return ~expression if descending else expression

        if field is SortField.PRIORITY:
            # CASE priority WHEN 'low' THEN 0 … : the rank, never the alphabetical order.
            rank = None
            for priority, priority_rank in sorted(PRIORITY_RANK.items(), key=lambda item: item[1], reverse=True):
                rank = priority_rank if rank is None else (task.priority == priority.value).case(priority_rank, rank)
            keys = directed(rank)
        elif field is SortField.DUE_DATE:
            # Dated tasks first in either direction, then by date.
            keys = (task.due_date == None).case(1, 0) | directed(task.due_date)  # noqa: E711 (a DAL query)
        else:
            keys = directed(task[field.value])
        return keys | directed(task.id)
