"""The TaskRepository over a SQLAlchemy session. The caller owns the session's transaction."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import UTC, date, datetime
from typing import Any, cast

from sqlalchemy import case, delete, func, insert, or_, select, update
from sqlalchemy import exc as sqlalchemy_errors
from sqlalchemy.engine import CursorResult, Engine
from sqlalchemy.orm import QueryableAttribute, Session
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.elements import UnaryExpression

from tasktracker.domain import PRIORITY_RANK, ListQuery, NewTask, Priority, SortField, Status, Task, TaskStats
from tasktracker.errors import unavailable_on
from tasktracker.repository import stored_fields
from tasktracker.sqla.models import TaskRecord, TaskTagRecord

# Failures of the database itself (unreachable, gone away, locked past the timeout), as
# opposed to programming errors, which stay 500s.
DATABASE_FAILURES = (
    sqlalchemy_errors.OperationalError,
    sqlalchemy_errors.InterfaceError,
    sqlalchemy_errors.TimeoutError,
)


def database_failures_as_unavailable() -> AbstractContextManager[None]:
    """Wrap work on the session (a commit, say) so a database failure becomes a 503."""
    return unavailable_on(*DATABASE_FAILURES)


def as_utc(moment: datetime | None) -> datetime | None:
    # SQLite keeps no time zone: what was stored as UTC comes back naive.
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def to_domain(record: TaskRecord) -> Task:
    created_at = as_utc(record.created_at)
    updated_at = as_utc(record.updated_at)
    assert created_at is not None and updated_at is not None
    return Task(
        id=record.id,
        title=record.title,
        description=record.description,
        status=Status(record.status),
        priority=Priority(record.priority),
        due_date=record.due_date,
        tags=tuple(sorted(tag.tag for tag in record.tags)),
        created_at=created_at,
        updated_at=updated_at,
        completed_at=as_utc(record.completed_at),
        version=record.version,
    )


def _filters(query: ListQuery) -> list[ColumnElement[bool]]:
    filters: list[ColumnElement[bool]] = []
    if query.statuses is not None:
        filters.append(TaskRecord.status.in_(sorted(status.value for status in query.statuses)))
    if query.priorities is not None:
        filters.append(TaskRecord.priority.in_(sorted(priority.value for priority in query.priorities)))
    for tag in sorted(query.tags):
        filters.append(TaskRecord.tags.any(TaskTagRecord.tag == tag))
    if query.search is not None:
        filters.append(
            or_(
                TaskRecord.title_key.contains(query.search, autoescape=True),
                TaskRecord.description_key.contains(query.search, autoescape=True),
            )
        )
    if query.due_before is not None:
        filters.append(TaskRecord.due_date <= query.due_before)
    if query.due_after is not None:
        filters.append(TaskRecord.due_date >= query.due_after)
    return filters


_PRIORITY_RANK = case({priority.value: rank for priority, rank in PRIORITY_RANK.items()}, value=TaskRecord.priority)


def _order_by(query: ListQuery) -> list[ColumnElement[object]]:
    field, descending = query.sort.field, query.sort.descending

    def directed(column: ColumnElement[Any] | QueryableAttribute[Any]) -> UnaryExpression[Any]:
        return column.desc() if descending else column.asc()

    if field is SortField.PRIORITY:
        keys = [directed(_PRIORITY_RANK)]
    elif field is SortField.DUE_DATE:
        # False sorts before True on both databases: dated tasks first, in either direction.
        keys = [TaskRecord.due_date.is_(None).asc(), directed(TaskRecord.due_date)]
    else:
        keys = [directed(getattr(TaskRecord, field.value))]
    return [*keys, directed(TaskRecord.id)]


class SqlAlchemyTaskRepository:
    """One owner's tasks (spec 7.4): every statement is limited to ``owner_id``'s rows, so another
    user's task is not found, and lists and stats count only the owner's."""

    def __init__(self, session: Session, owner_id: int) -> None:
        self.session = session
        self.owner_id = owner_id
        self._owned = TaskRecord.owner_id == owner_id

    def add(self, task: NewTask) -> Task:
        with database_failures_as_unavailable():
            record = TaskRecord(
                **stored_fields(task),
                owner_id=self.owner_id,
                version=1,
                tags=[TaskTagRecord(tag=tag) for tag in task.tags],
            )
            self.session.add(record)
            self.session.flush()
            return to_domain(record)

    def get(self, task_id: int) -> Task | None:
        with database_failures_as_unavailable():
            # populate_existing: a retried write must see what other transactions committed,
            # not the copy this session loaded on the previous attempt.
            record = self.session.scalars(
                select(TaskRecord)
                .where(self._owned, TaskRecord.id == task_id)
                .execution_options(populate_existing=True)
            ).one_or_none()
            return to_domain(record) if record else None

    def list(self, query: ListQuery) -> tuple[list[Task], int]:
        filters = [self._owned, *_filters(query)]
        with database_failures_as_unavailable():
            total = self.session.scalar(select(func.count(TaskRecord.id)).where(*filters)) or 0
            records = self.session.scalars(
                select(TaskRecord).where(*filters).order_by(*_order_by(query)).limit(query.limit).offset(query.offset)
            ).all()
            return [to_domain(record) for record in records], total

    def update(self, task: Task, expected_version: int) -> bool:
        with database_failures_as_unavailable():
            # A DML statement's result is a CursorResult, whose rowcount counts the rows matched.
            result = cast(
                CursorResult[Any],
                self.session.execute(
                    update(TaskRecord)
                    .where(self._owned, TaskRecord.id == task.id, TaskRecord.version == expected_version)
                    .values(**stored_fields(task), version=task.version)
                    .execution_options(synchronize_session=False)
                ),
            )
            if result.rowcount != 1:
                return False
            self.session.execute(delete(TaskTagRecord).where(TaskTagRecord.task_id == task.id))
            if task.tags:
                self.session.execute(insert(TaskTagRecord), [{"task_id": task.id, "tag": tag} for tag in task.tags])
            return True

    def delete(self, task_id: int, expected_version: int) -> bool:
        with database_failures_as_unavailable():
            result = cast(
                CursorResult[Any],
                self.session.execute(
                    delete(TaskRecord)
                    .where(self._owned, TaskRecord.id == task_id, TaskRecord.version == expected_version)
                    .execution_options(synchronize_session=False)
                ),
            )
            return result.rowcount == 1

    def stats(self, today: date) -> TaskStats:
        with database_failures_as_unavailable():
            by_status = dict(
                self.session.execute(
                    select(TaskRecord.status, func.count()).where(self._owned).group_by(TaskRecord.status)
                ).all()
            )
            by_priority = dict(
                self.session.execute(
                    select(TaskRecord.priority, func.count()).where(self._owned).group_by(TaskRecord.priority)
                ).all()
            )
            overdue = self.session.scalar(
                select(func.count(TaskRecord.id)).where(
                    self._owned,
                    TaskRecord.due_date < today,
                    TaskRecord.status.not_in([Status.DONE.value, Status.ARCHIVED.value]),
                )
            )
        return TaskStats(
            total=sum(by_status.values()),
            by_status={Status(status): count for status, count in by_status.items()},
            by_priority={Priority(priority): count for priority, count in by_priority.items()},
            overdue=overdue or 0,
        )

    def ping(self) -> bool:
        return ping_engine(self.session)


def ping_engine(session: Session) -> bool:
    """True when the session's database answers a trivial query. Never raises."""
    try:
        # A connection of its own, outside the session's transaction.
        bind = session.get_bind()
        engine = bind if isinstance(bind, Engine) else bind.engine
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        return True
    except sqlalchemy_errors.SQLAlchemyError:
        return False
