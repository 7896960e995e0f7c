"""Spec 4.4: GET /api/tasks/stats, measured as changes so that other tests' tasks do not matter."""

import datetime

import pytest
from expectations import assert_json

COUNT_KEYS = (
    ["total", "overdue"]
    + [f"by_status.{status}" for status in ("todo", "in_progress", "done", "archived")]
    + [f"by_priority.{priority}" for priority in ("low", "normal", "high", "urgent")]
)


def read_stats(client) -> dict[str, int]:
    stats = assert_json(client.get("/api/tasks/stats"), 200, "Stats")
    flat = {"total": stats["total"], "overdue": stats["overdue"]}
    for group in ("by_status", "by_priority"):
        flat.update({f"{group}.{key}": value for key, value in stats[group].items()})
    return flat


def stats_change(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    """Only the counts that moved."""
    return {key: after[key] - before[key] for key in COUNT_KEYS if after[key] != before[key]}


def utc_today() -> datetime.date:
    return datetime.datetime.now(datetime.UTC).date()


def test_every_key_is_present(client):
    stats = assert_json(client.get("/api/tasks/stats"), 200, "Stats")
    assert set(stats) == {"total", "by_status", "by_priority", "overdue"}
    assert stats["total"] == sum(stats["by_status"].values()) == sum(stats["by_priority"].values())


def test_creates_are_counted_by_status_and_priority(client):
    before = read_stats(client)
    client.create_task(title="s1", status="todo", priority="low")
    client.create_task(title="s2", status="in_progress", priority="urgent")
    client.create_task(title="s3", status="done", priority="urgent")
    client.create_task(title="s4", status="todo", priority="high")
    assert stats_change(before, read_stats(client)) == {
        "total": 4,
        "by_status.todo": 2,
        "by_status.in_progress": 1,
        "by_status.done": 1,
        "by_priority.low": 1,
        "by_priority.urgent": 2,
        "by_priority.high": 1,
    }


def test_status_and_priority_changes_move_the_counts(client):
    task = client.create_task(title="mover", status="done", priority="normal")
    before = read_stats(client)
    client.patch(f"/api/tasks/{task['id']}", json={"status": "archived"})
    assert stats_change(before, read_stats(client)) == {"by_status.done": -1, "by_status.archived": 1}
    before = read_stats(client)
    client.delete(f"/api/tasks/{task['id']}")
    assert stats_change(before, read_stats(client)) == {"total": -1, "by_status.archived": -1, "by_priority.normal": -1}


def test_rejected_writes_change_nothing(client):
    task = client.create_task(title="unchanged", status="todo")
    before = read_stats(client)
    client.post("/api/tasks", json={"title": ""})
    client.patch(f"/api/tasks/{task['id']}", json={"status": "archived"})
    client.delete(f"/api/tasks/{task['id']}", headers={"If-Match": '"9"'})
    assert stats_change(before, read_stats(client)) == {}


@pytest.mark.parametrize(
    ("status", "due_date", "overdue"),
    [
        ("todo", "2000-01-01", 1),
        ("in_progress", "2000-01-01", 1),
        ("done", "2000-01-01", 0),
        ("todo", None, 0),
        ("todo", "9999-12-31", 0),
        ("todo", "0001-01-01", 1),
    ],
    ids=["todo-past", "in-progress-past", "done-past", "no-due-date", "far-future", "year-one"],
)
def test_overdue_counts_open_tasks_due_in_the_past(client, status, due_date, overdue):
    before = read_stats(client)
    client.create_task(title="overdue?", status=status, due_date=due_date)
    change = stats_change(before, read_stats(client))
    assert change.get("overdue", 0) == overdue


def test_an_archived_task_is_never_overdue(client):
    task = client.create_task(title="archived past", status="done", due_date="2000-01-01")
    before = read_stats(client)
    client.patch(f"/api/tasks/{task['id']}", json={"status": "archived"})
    assert stats_change(before, read_stats(client)).get("overdue", 0) == 0


def test_due_today_is_not_overdue_and_due_yesterday_is(client):
    # Measured again if the UTC date turns while the test runs.
    for _attempt in range(2):
        today = utc_today()
        before = read_stats(client)
        client.create_task(title="due today", due_date=today.isoformat())
        client.create_task(title="due tomorrow", due_date=(today + datetime.timedelta(days=1)).isoformat())
        client.create_task(title="due yesterday", due_date=(today - datetime.timedelta(days=1)).isoformat())
        change = stats_change(before, read_stats(client))
        if utc_today() == today:
            break
    assert change.get("overdue", 0) == 1


def test_finishing_an_overdue_task_removes_it_from_overdue(client):
    task = client.create_task(title="late", due_date="2001-02-03")
    before = read_stats(client)
    client.patch(f"/api/tasks/{task['id']}", json={"status": "done"})
    assert stats_change(before, read_stats(client)) == {"overdue": -1, "by_status.todo": -1, "by_status.done": 1}


def test_moving_the_due_date_changes_overdue(client):
    task = client.create_task(title="rescheduled", due_date="2001-02-03")
    before = read_stats(client)
    client.patch(f"/api/tasks/{task['id']}", json={"due_date": None})
    assert stats_change(before, read_stats(client)) == {"overdue": -1}
