import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tasktracker.domain import ALLOWED_TRANSITIONS, Status
from tasktracker.errors import InvalidTransition, PreconditionFailed, TaskArchived, TaskNotFound, ValidationFailed
from tasktracker.memory import InMemoryTaskRepository
from tasktracker.service import TaskService


class RecordedEvents:
    def __init__(self) -> None:
        self.events: list[tuple] = []

    def task_created(self) -> None:
        self.events.append(("created",))

    def task_deleted(self) -> None:
        self.events.append(("deleted",))

    def status_changed(self, from_status: Status, to_status: Status) -> None:
        self.events.append(("status", from_status.value, to_status.value))


class SteppingClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def events() -> RecordedEvents:
    return RecordedEvents()


@pytest.fixture
def service(events: RecordedEvents) -> TaskService:
    return TaskService(InMemoryTaskRepository(), events=events, clock=SteppingClock())


def test_create_done_sets_completed_at(service: TaskService, events: RecordedEvents) -> None:
    task = service.create_task({"title": "t", "status": "done"})
    assert task.completed_at == task.created_at == task.updated_at
    assert task.version == 1 and events.events == [("created",)]


def test_patch_without_change_keeps_version(service: TaskService) -> None:
    task = service.create_task({"title": "t", "tags": ["a"]})
    assert service.update_task(task.id, {}) == task
    assert service.update_task(task.id, {"title": " t ", "tags": ["A"]}) == task


def test_patch_changes_version_and_updated_at(service: TaskService, events: RecordedEvents) -> None:
    task = service.create_task({"title": "t"})
    done = service.update_task(task.id, {"status": "done"}, if_match='"1"')
    assert done.version == 2 and done.updated_at > task.updated_at and done.completed_at == done.updated_at
    reopened = service.update_task(task.id, {"status": "todo"})
    assert reopened.completed_at is None
    assert events.events[1:] == [("status", "todo", "done"), ("status", "done", "todo")]


def test_archived_keeps_completed_at_and_refuses_changes(service: TaskService) -> None:
    task = service.create_task({"title": "t", "status": "done"})
    archived = service.update_task(task.id, {"status": "archived"})
    assert archived.completed_at == task.completed_at
    assert service.update_task(task.id, {}) == archived
    with pytest.raises(TaskArchived):
        service.update_task(task.id, {"status": "archived"})
    service.delete_task(task.id)


def test_order_of_checks(service: TaskService) -> None:
    task = service.create_task({"title": "t"})
    with pytest.raises(TaskNotFound):
        service.update_task(task.id + 1, {"title": 5}, if_match='"9"')
    with pytest.raises(PreconditionFailed):
        service.update_task(task.id, {"title": 5}, if_match='"9"')
    with pytest.raises(ValidationFailed):
        service.update_task(task.id, {"title": 5, "status": "archived"})
    with pytest.raises(InvalidTransition):
        service.update_task(task.id, {"title": "new", "status": "archived"})
    assert service.get_task(task.id) == task


def test_delete_honours_if_match(service: TaskService, events: RecordedEvents) -> None:
    task = service.create_task({"title": "t"})
    with pytest.raises(PreconditionFailed):
        service.delete_task(task.id, if_match='W/"1"')
    service.delete_task(task.id, if_match='"1"')
    with pytest.raises(TaskNotFound):
        service.delete_task(task.id)
    assert events.events == [("created",), ("deleted",)]


def test_concurrent_if_match_exactly_one_wins(service: TaskService) -> None:
    task = service.create_task({"title": "t"})
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def patch(index: int) -> None:
        barrier.wait()
        try:
            service.update_task(task.id, {"title": f"t{index}"}, if_match='"1"')
            outcomes.append("ok")
        except PreconditionFailed:
            outcomes.append("412")

    threads = [threading.Thread(target=patch, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("ok") == 1 and outcomes.count("412") == 7


def test_stats_overdue_uses_the_clock(service: TaskService) -> None:
    service.create_task({"title": "late", "due_date": "2026-03-31"})
    service.create_task({"title": "today", "due_date": "2026-04-01"})
    stats = service.stats()
    assert stats.total == 2 and stats.overdue == 1
    assert stats.by_status[Status.TODO] == 2 and date(2026, 4, 1) == service.clock().date()


@settings(max_examples=60)
@given(st.lists(st.sampled_from(list(Status)), max_size=12))
def test_state_machine_property(statuses: list[Status]) -> None:
    service = TaskService(InMemoryTaskRepository(), clock=SteppingClock())
    task = service.create_task({"title": "t"})
    for wanted in statuses:
        before = service.get_task(task.id)
        try:
            after = service.update_task(task.id, {"status": wanted.value})
        except TaskArchived:
            assert before.status is Status.ARCHIVED
            continue
        except InvalidTransition:
            assert (before.status, wanted) not in ALLOWED_TRANSITIONS and before.status is not wanted
            continue
        assert after.status is wanted
        assert (before.status is wanted) == (after.version == before.version)
        if after.status is Status.DONE:
            assert after.completed_at is not None
        if after.status in (Status.TODO, Status.IN_PROGRESS):
            assert after.completed_at is None
        if after.status is Status.ARCHIVED:
            assert after.completed_at == before.completed_at is not None
