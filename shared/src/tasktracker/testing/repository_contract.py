"""The repository contract: tests any TaskRepository runs against itself.

Subclass :class:`RepositoryContract` in a test module and provide a ``task_repositories``
fixture that yields two repositories over one empty, migrated database (and one transaction):
the tasks of two different users, so that each owner's tasks are shown to be the owner's only
(spec 7.4)::

    class TestMyRepository(RepositoryContract):
        @pytest.fixture
        def task_repositories(self):
            ...  # yield (first_owners_repository, second_owners_repository)

The in-memory, SQLAlchemy, Django ORM and web2py DAL repositories all pass this same class.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from tasktracker.domain import ListQuery, NewTask, Priority, SortOrder, Status, Task, new_task
from tasktracker.repository import TaskRepository

BASE_TIME = datetime(2026, 3, 1, 12, 0, 0, 123000, tzinfo=UTC)


def make_new_task(title: str = "A task", minutes: int = 0, **fields: Any) -> NewTask:
    defaults: dict[str, Any] = {
        "description": "",
        "status": Status.TODO,
        "priority": Priority.NORMAL,
        "due_date": None,
        "tags": (),
    }
    defaults.update(fields)
    return new_task(title=title, now=BASE_TIME + timedelta(minutes=minutes), **defaults)


def titles(tasks: list[Task]) -> list[str]:
    return [task.title for task in tasks]


class RepositoryContract:
    @pytest.fixture
    def task_repositories(self) -> tuple[TaskRepository, TaskRepository]:
        raise NotImplementedError("provide two owners' repositories over one empty database")

    @pytest.fixture
    def task_repository(self, task_repositories: tuple[TaskRepository, TaskRepository]) -> TaskRepository:
        return task_repositories[0]

    @pytest.fixture
    def other_owner(self, task_repositories: tuple[TaskRepository, TaskRepository]) -> TaskRepository:
        return task_repositories[1]

    # --- add / get ---

    def test_add_assigns_an_id_and_version_one(self, task_repository: TaskRepository) -> None:
        first = task_repository.add(make_new_task("first"))
        second = task_repository.add(make_new_task("second"))
        assert first.id >= 1 and second.id > first.id
        assert first.version == 1

    def test_a_stored_task_comes_back_equal(self, task_repository: TaskRepository) -> None:
        new = make_new_task(
            "Été à Straße",
            description="line one\nline two\t✓",
            status=Status.DONE,
            priority=Priority.URGENT,
            due_date=date(2026, 12, 31),
            tags=("alpha", "beta-2", "zeta"),
        )
        stored = task_repository.add(new)
        fetched = task_repository.get(stored.id)
        assert fetched == stored
        assert fetched is not None
        assert dataclasses.asdict(fetched) == {**dataclasses.asdict(new), "id": stored.id, "version": 1}

    def test_timestamps_come_back_as_utc_with_milliseconds(self, task_repository: TaskRepository) -> None:
        stored = task_repository.get(task_repository.add(make_new_task(status=Status.DONE)).id)
        assert stored is not None
        for moment in (stored.created_at, stored.updated_at, stored.completed_at):
            assert moment == BASE_TIME
            assert moment is not None and moment.utcoffset() == timedelta(0)

    def test_get_of_a_missing_id_is_none(self, task_repository: TaskRepository) -> None:
        assert task_repository.get(2_147_483_647) is None

    # --- update ---

    def test_update_with_the_expected_version_writes_everything(self, task_repository: TaskRepository) -> None:
        stored = task_repository.add(make_new_task("before", tags=("a", "b")))
        later = BASE_TIME + timedelta(hours=1)
        changed = dataclasses.replace(
            stored,
            title="after",
            description="new",
            status=Status.DONE,
            priority=Priority.HIGH,
            due_date=date(2027, 1, 2),
            tags=("b", "c"),
            updated_at=later,
            completed_at=later,
            version=2,
        )
        assert task_repository.update(changed, expected_version=1) is True
        assert task_repository.get(stored.id) == changed

    def test_update_with_a_stale_version_writes_nothing(self, task_repository: TaskRepository) -> None:
        stored = task_repository.add(make_new_task("kept", tags=("keep",)))
        stale = dataclasses.replace(stored, title="lost", tags=("lost",), version=2)
        assert task_repository.update(stale, expected_version=5) is False
        assert task_repository.get(stored.id) == stored

    def test_update_of_a_missing_task_is_false(self, task_repository: TaskRepository) -> None:
        stored = task_repository.add(make_new_task())
        ghost = dataclasses.replace(stored, id=stored.id + 1000, version=2)
        assert task_repository.update(ghost, expected_version=1) is False

    def test_update_can_clear_tags_and_due_date(self, task_repository: TaskRepository) -> None:
        stored = task_repository.add(make_new_task(tags=("x",), due_date=date(2026, 1, 1)))
        cleared = dataclasses.replace(stored, tags=(), due_date=None, version=2)
        assert task_repository.update(cleared, expected_version=1)
        assert task_repository.get(stored.id) == cleared

    # --- delete ---

    def test_delete_with_the_expected_version(self, task_repository: TaskRepository) -> None:
        stored = task_repository.add(make_new_task(tags=("gone",)))
        assert task_repository.delete(stored.id, expected_version=2) is False
        assert task_repository.get(stored.id) == stored
        assert task_repository.delete(stored.id, expected_version=1) is True
        assert task_repository.get(stored.id) is None
        assert task_repository.delete(stored.id, expected_version=1) is False
        assert task_repository.list(ListQuery(tags=frozenset({"gone"}))) == ([], 0)

    # --- list: filters ---

    def test_list_filters_by_status_and_priority(self, task_repository: TaskRepository) -> None:
        task_repository.add(make_new_task("todo-low", priority=Priority.LOW))
        task_repository.add(make_new_task("done-high", status=Status.DONE, priority=Priority.HIGH))
        task_repository.add(make_new_task("wip-high", status=Status.IN_PROGRESS, priority=Priority.HIGH))
        by_status, total = task_repository.list(
            ListQuery(statuses=frozenset({Status.TODO, Status.DONE}), sort=SortOrder.parse("created_at"))
        )
        assert titles(by_status) == ["todo-low", "done-high"] and total == 2
        by_both, _ = task_repository.list(
            ListQuery(statuses=frozenset({Status.DONE}), priorities=frozenset({Priority.HIGH}))
        )
        assert titles(by_both) == ["done-high"]

    def test_list_tags_must_all_be_present(self, task_repository: TaskRepository) -> None:
        task_repository.add(make_new_task("ab", tags=("a", "b")))
        task_repository.add(make_new_task("a", tags=("a",)))
        task_repository.add(make_new_task("abc", tags=("a", "b", "c")))
        found, total = task_repository.list(ListQuery(tags=frozenset({"a", "b"}), sort=SortOrder.parse("created_at")))
        assert titles(found) == ["ab", "abc"] and total == 2

    @pytest.mark.parametrize(
        ("search", "expected"),
        [
            ("été", ["Été indien"]),
            ("strasse", ["Große Straße"]),
            ("große", ["Große Straße"]),
            ("100%", ["100% done"]),
            ("a_b", ["snake a_b"]),
            ("hidden", ["Plain"]),
            ("indien\nx", []),
        ],
    )
    def test_list_search_is_case_folded_substring(
        self, task_repository: TaskRepository, search: str, expected: list[str]
    ) -> None:
        task_repository.add(make_new_task("Été indien"))
        task_repository.add(make_new_task("Große Straße"))
        task_repository.add(make_new_task("100% done"))
        task_repository.add(make_new_task("100 percent"))
        task_repository.add(make_new_task("snake a_b"))
        task_repository.add(make_new_task("snake aXb"))
        task_repository.add(make_new_task("Plain", description="Something HIDDEN here"))
        found, total = task_repository.list(ListQuery(search=search.casefold()))
        assert sorted(titles(found)) == sorted(expected) and total == len(expected)

    def test_list_due_bounds_are_inclusive_and_skip_undated(self, task_repository: TaskRepository) -> None:
        for day in (1, 2, 3, 4):
            task_repository.add(make_new_task(f"day {day}", due_date=date(2026, 5, day)))
        task_repository.add(make_new_task("undated"))
        found, total = task_repository.list(
            ListQuery(due_after=date(2026, 5, 2), due_before=date(2026, 5, 3), sort=SortOrder.parse("due_date"))
        )
        assert titles(found) == ["day 2", "day 3"] and total == 2
        before, _ = task_repository.list(ListQuery(due_before=date(2026, 5, 1)))
        assert titles(before) == ["day 1"]

    # --- list: order and pages ---

    def test_list_default_order_is_newest_first(self, task_repository: TaskRepository) -> None:
        for minute in range(3):
            task_repository.add(make_new_task(f"t{minute}", minutes=minute))
        found, _ = task_repository.list(ListQuery())
        assert titles(found) == ["t2", "t1", "t0"]

    def test_list_ties_break_by_id_in_the_sort_direction(self, task_repository: TaskRepository) -> None:
        for name in ("first", "second", "third"):
            task_repository.add(make_new_task(name))
        ascending, _ = task_repository.list(ListQuery(sort=SortOrder.parse("created_at")))
        descending, _ = task_repository.list(ListQuery(sort=SortOrder.parse("-created_at")))
        assert titles(ascending) == ["first", "second", "third"]
        assert titles(descending) == ["third", "second", "first"]

    def test_list_sorts_priority_by_rank(self, task_repository: TaskRepository) -> None:
        for priority in (Priority.NORMAL, Priority.URGENT, Priority.LOW, Priority.HIGH):
            task_repository.add(make_new_task(priority.value, priority=priority))
        ascending, _ = task_repository.list(ListQuery(sort=SortOrder.parse("priority")))
        descending, _ = task_repository.list(ListQuery(sort=SortOrder.parse("-priority")))
        assert titles(ascending) == ["low", "normal", "high", "urgent"]
        assert titles(descending) == ["urgent", "high", "normal", "low"]

    def test_list_due_date_puts_undated_last_both_ways(self, task_repository: TaskRepository) -> None:
        task_repository.add(make_new_task("undated-1"))
        task_repository.add(make_new_task("late", due_date=date(2026, 9, 1)))
        task_repository.add(make_new_task("early", due_date=date(2026, 1, 1)))
        task_repository.add(make_new_task("undated-2"))
        ascending, _ = task_repository.list(ListQuery(sort=SortOrder.parse("due_date")))
        descending, _ = task_repository.list(ListQuery(sort=SortOrder.parse("-due_date")))
        assert titles(ascending) == ["early", "late", "undated-1", "undated-2"]
        assert titles(descending) == ["late", "early", "undated-2", "undated-1"]

    def test_list_sorts_by_updated_at(self, task_repository: TaskRepository) -> None:
        older = task_repository.add(make_new_task("touched", minutes=0))
        task_repository.add(make_new_task("untouched", minutes=5))
        touched = dataclasses.replace(older, updated_at=BASE_TIME + timedelta(minutes=10), version=2)
        assert task_repository.update(touched, expected_version=1)
        found, _ = task_repository.list(ListQuery(sort=SortOrder.parse("-updated_at")))
        assert titles(found) == ["touched", "untouched"]

    def test_list_pages_and_total(self, task_repository: TaskRepository) -> None:
        for minute in range(5):
            task_repository.add(make_new_task(f"t{minute}", minutes=minute))
        page, total = task_repository.list(ListQuery(sort=SortOrder.parse("created_at"), limit=2, offset=1))
        assert titles(page) == ["t1", "t2"] and total == 5
        beyond, total = task_repository.list(ListQuery(limit=2, offset=10))
        assert beyond == [] and total == 5

    # --- stats / ping ---

    def test_stats_counts_everything(self, task_repository: TaskRepository) -> None:
        today = date(2026, 6, 15)
        yesterday = today - timedelta(days=1)
        task_repository.add(make_new_task("overdue", due_date=yesterday))
        task_repository.add(make_new_task("due today", due_date=today, priority=Priority.HIGH))
        task_repository.add(make_new_task("done late", status=Status.DONE, due_date=yesterday))
        wip = task_repository.add(make_new_task("wip late", status=Status.IN_PROGRESS, due_date=yesterday))
        archived = dataclasses.replace(
            task_repository.add(make_new_task("archived", status=Status.DONE)), status=Status.ARCHIVED, version=2
        )
        assert task_repository.update(archived, expected_version=1)
        stats = task_repository.stats(today)
        assert stats.total == 5
        assert {status: stats.by_status.get(status, 0) for status in Status} == {
            Status.TODO: 2,
            Status.IN_PROGRESS: 1,
            Status.DONE: 1,
            Status.ARCHIVED: 1,
        }
        assert {priority: stats.by_priority.get(priority, 0) for priority in Priority} == {
            Priority.LOW: 0,
            Priority.NORMAL: 4,
            Priority.HIGH: 1,
            Priority.URGENT: 0,
        }
        assert stats.overdue == 2 and wip.id > 0

    def test_stats_of_an_empty_repository(self, task_repository: TaskRepository) -> None:
        stats = task_repository.stats(date(2026, 1, 1))
        assert stats.total == 0 and stats.overdue == 0
        assert all(count == 0 for count in stats.by_status.values())

    def test_ping(self, task_repository: TaskRepository) -> None:
        assert task_repository.ping() is True

    # --- ownership (spec 7.4) ---

    def test_another_owner_sees_none_of_the_tasks(
        self, task_repository: TaskRepository, other_owner: TaskRepository
    ) -> None:
        mine = task_repository.add(make_new_task("mine", status=Status.IN_PROGRESS, due_date=date(2026, 1, 1)))
        theirs = other_owner.add(make_new_task("theirs"))
        assert other_owner.get(mine.id) is None
        assert titles(other_owner.list(ListQuery(limit=100))[0]) == ["theirs"]
        assert other_owner.list(ListQuery(limit=100))[1] == 1
        stats = other_owner.stats(date(2026, 6, 1))
        assert stats.total == 1 and stats.overdue == 0
        assert task_repository.stats(date(2026, 6, 1)).overdue == 1
        assert task_repository.get(theirs.id) is None

    def test_another_owner_cannot_change_or_delete_a_task(
        self, task_repository: TaskRepository, other_owner: TaskRepository
    ) -> None:
        mine = task_repository.add(make_new_task("mine"))
        assert not other_owner.update(dataclasses.replace(mine, title="taken", version=2), expected_version=1)
        assert not other_owner.delete(mine.id, expected_version=1)
        assert task_repository.get(mine.id) == mine
