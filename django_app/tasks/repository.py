"""The shared TaskRepository over the Django ORM: Django models in the database, domain objects out.

The ORM stays here; the rules stay in tasktracker. Every query runs in the request's transaction,
which the unit of work (tasks/unit_of_work.py) begins when the repository first needs it.
"""

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import date

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.db.models import Case, Count, F, Q, QuerySet, Value, When

from tasks.models import Tag, Task
from tasktracker import domain
from tasktracker.errors import unavailable_on
from tasktracker.repository import stored_fields

# region: persistence
# Failures of the database itself (unreachable, gone away, locked past the timeout), as opposed
# to programming errors, which stay 500s.
DATABASE_FAILURES = (OperationalError, InterfaceError)

PRIORITY_RANK = Case(
    *(When(priority=priority.value, then=Value(rank)) for priority, rank in domain.PRIORITY_RANK.items())
)


def database_failures_as_unavailable() -> AbstractContextManager[None]:
    return unavailable_on(*DATABASE_FAILURES)


def filter_tasks(tasks: QuerySet, query: domain.ListQuery) -> QuerySet:
    if query.statuses is not None:
        tasks = tasks.filter(status__in=[status.value for status in query.statuses])
    if query.priorities is not None:
        tasks = tasks.filter(priority__in=[priority.value for priority in query.priorities])
    # One filter() per tag: each joins the tags again, so a task must carry every one of them.
    for tag in query.tags:
        tasks = tasks.filter(tags__name=tag)
    if query.search is not None:
        # Not icontains: both sides are case-folded already, and LIKE escapes % and _ here.
        tasks = tasks.filter(Q(title_key__contains=query.search) | Q(description_key__contains=query.search))
    if query.due_before is not None:
        tasks = tasks.filter(due_date__lte=query.due_before)
    if query.due_after is not None:
        tasks = tasks.filter(due_date__gte=query.due_after)
    return tasks


def order_tasks(tasks: QuerySet, sort: domain.SortOrder) -> QuerySet:
    key = PRIORITY_RANK if sort.field is domain.SortField.PRIORITY else F(sort.field.value)
    # Undated tasks come last in both directions; ties go by id, in the sort's direction.
    # NULLS LAST only where a key can be null: elsewhere it would stop the database reading
    # the owner's page from the (owner_id, created_at, id) or (owner_id, updated_at, id) index.
    nulls_last = True if sort.field is domain.SortField.DUE_DATE else None
    if sort.descending:
        return tasks.order_by(key.desc(nulls_last=nulls_last), "-id")
    return tasks.order_by(key.asc(nulls_last=nulls_last), "id")


class DjangoTaskRepository:
    """One owner's tasks (spec 7.4): every query starts from ``owner_id``'s rows, so another user's
    task is not found, and lists and stats count only the owner's.

    ``begin_transaction`` is the unit of work's: each method calls it before its first query.
    """

    def __init__(self, begin_transaction: Callable[[], None], owner_id: int) -> None:
        self.begin_transaction = begin_transaction
        self.owner_id = owner_id
        self.owned = Task.objects.filter(owner_id=owner_id)

    @contextmanager
    def _in_transaction(self) -> Iterator[None]:
        with database_failures_as_unavailable():
            self.begin_transaction()
            yield

    def add(self, task: domain.NewTask) -> domain.Task:
        with self._in_transaction():
            record = Task.objects.create(**stored_fields(task), owner_id=self.owner_id, version=1)
            Tag.objects.bulk_create(Tag(task=record, name=name) for name in task.tags)
            return record.to_domain()

    def get(self, task_id: int) -> domain.Task | None:
        with self._in_transaction():
            record = self.owned.prefetch_related("tags").filter(pk=task_id).first()
            return record.to_domain() if record else None

    def list(self, query: domain.ListQuery) -> tuple[list[domain.Task], int]:
        matching = filter_tasks(self.owned, query)
        page = order_tasks(matching, query.sort).prefetch_related("tags")[query.offset : query.offset + query.limit]
        with self._in_transaction():
            return [record.to_domain() for record in page], matching.count()

    def update(self, task: domain.Task, expected_version: int) -> bool:
        with self._in_transaction():
            # One UPDATE ... WHERE id = ? AND version = ?: the check and the write are one statement,
            # so of two writers that read the same version only one matches a row.
            updated = self.owned.filter(pk=task.id, version=expected_version).update(
                **stored_fields(task), version=task.version
            )
            if not updated:
                return False
            Tag.objects.filter(task_id=task.id).delete()
            Tag.objects.bulk_create(Tag(task_id=task.id, name=name) for name in task.tags)
            return True

    def delete(self, task_id: int, expected_version: int) -> bool:
        with self._in_transaction():
            # Django deletes a task by primary key after collecting its tags, so the version check
            # must hold the row: select_for_update locks it until the request's transaction ends
            # (on SQLite the IMMEDIATE transaction already holds the write lock).
            record = self.owned.select_for_update().filter(pk=task_id, version=expected_version).first()
            if record is None:
                return False
            record.delete()
            return True

    def stats(self, today: date) -> domain.TaskStats:
        counts = {f"status_{status.value}": Count("id", filter=Q(status=status.value)) for status in domain.Status}
        counts |= {
            f"priority_{priority.value}": Count("id", filter=Q(priority=priority.value)) for priority in domain.Priority
        }
        overdue = Q(due_date__lt=today) & ~Q(status__in=[domain.Status.DONE.value, domain.Status.ARCHIVED.value])
        with self._in_transaction():
            totals = self.owned.aggregate(total=Count("id"), overdue=Count("id", filter=overdue), **counts)
        return domain.TaskStats(
            total=totals["total"],
            by_status={status: totals[f"status_{status.value}"] for status in domain.Status},
            by_priority={priority: totals[f"priority_{priority.value}"] for priority in domain.Priority},
            overdue=totals["overdue"],
        )

    def ping(self) -> bool:
        return ping_database()


def ping_database() -> bool:
    # Outside the transaction: on SQLite its BEGIN IMMEDIATE would queue readiness behind writers.
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except DatabaseError:
        return False


# endregion
