"""The TaskRepository over web2py's DAL, for the unit of work that holds the request's transaction."""

from datetime import date

from tasktracker.domain import PRIORITY_RANK, ListQuery, NewTask, Priority, SortField, Status, Task, TaskStats
from tasktracker.errors import unavailable_on
from tasktracker.repository import stored_fields

from .connection import DATABASE_FAILURES

# region: persistence


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


class DalTaskRepository:
    """One owner's tasks (spec 7.4), on the request's ``LazyDatabase``: every query is limited to
    ``owner_id``'s rows, so another user's task is not found, and lists and stats count only the owner's."""

    def __init__(self, database, owner_id: int) -> None:
        self._database = database
        self.owner_id = owner_id

    @property
    def db(self):
        return self._database.db

    @property
    def _owned(self):
        return self.db.task.owner == self.owner_id

    def add(self, task: NewTask) -> Task:
        with unavailable_on(*DATABASE_FAILURES):
            task_id = self.db.task.insert(**stored_fields(task), tags=list(task.tags), version=1, owner=self.owner_id)
        return Task(id=int(task_id), version=1, **vars(task))

    def get(self, task_id: int) -> Task | None:
        with unavailable_on(*DATABASE_FAILURES):
            row = self.db(self._owned & (self.db.task.id == task_id)).select().first()
        return to_domain(row) if row else None

    def list(self, query: ListQuery) -> tuple[list[Task], int]:
        with unavailable_on(*DATABASE_FAILURES):
            matching = self.db(self._filters(query))
            total = matching.count()
            rows = matching.select(orderby=self._order_by(query), limitby=(query.offset, query.offset + query.limit))
        return [to_domain(row) for row in rows], total

    def update(self, task: Task, expected_version: int) -> bool:
        with unavailable_on(*DATABASE_FAILURES):
            unchanged_since_read = (
                self._owned & (self.db.task.id == task.id) & (self.db.task.version == expected_version)
            )
            # One UPDATE … WHERE version = expected: the check and the write are one statement.
            updated = self.db(unchanged_since_read).update(
                **stored_fields(task), tags=list(task.tags), version=task.version
            )
        return updated == 1

    def delete(self, task_id: int, expected_version: int) -> bool:
        with unavailable_on(*DATABASE_FAILURES):
            unchanged_since_read = (
                self._owned & (self.db.task.id == task_id) & (self.db.task.version == expected_version)
            )
            deleted = self.db(unchanged_since_read).delete()
        return deleted == 1

    def stats(self, today: date) -> TaskStats:
        with unavailable_on(*DATABASE_FAILURES):
            task = self.db.task
            count = task.id.count()
            owned = self.db(self._owned)
            by_status = {row.task.status: row[count] for row in owned.select(task.status, count, groupby=task.status)}
            by_priority = {
                row.task.priority: row[count] for row in owned.select(task.priority, count, groupby=task.priority)
            }
            unfinished = ~task.status.belongs((Status.DONE.value, Status.ARCHIVED.value))
            overdue = self.db(self._owned & (task.due_date < today) & unfinished).count()
        return TaskStats(
            total=sum(by_status.values()),
            by_status={Status(status): number for status, number in by_status.items()},
            by_priority={Priority(priority): number for priority, number in by_priority.items()},
            overdue=overdue,
        )

    def ping(self) -> bool:
        return self._database.ping()

    def _filters(self, query: ListQuery):
        task = self.db.task
        filters = self._owned
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


# endregion
