"""Spec 3: the status state machine, completed_at, and archived tasks."""

import itertools

import pytest
from expectations import assert_problem, assert_task_response, assert_validation_error

STATUSES = ["todo", "in_progress", "done", "archived"]
ALLOWED = {
    ("todo", "in_progress"),
    ("todo", "done"),
    ("in_progress", "todo"),
    ("in_progress", "done"),
    ("done", "todo"),
    ("done", "archived"),
}


def task_in_status(client, status: str, **fields) -> dict:
    """A new task in ``status``; an archived one is created done, then archived."""
    if status != "archived":
        return client.create_task(title=f"in {status}", status=status, **fields)
    task = client.create_task(title="to archive", status="done", **fields)
    response = client.patch(f"/api/tasks/{task['id']}", json={"status": "archived"})
    return assert_task_response(response, 200)


def task_path(task: dict) -> str:
    return f"/api/tasks/{task['id']}"


@pytest.mark.parametrize(("current", "target"), sorted(ALLOWED))
def test_allowed_changes(client, current, target):
    task = task_in_status(client, current)
    changed = assert_task_response(client.patch(task_path(task), json={"status": target}), 200)
    assert changed["status"] == target
    assert changed["version"] == task["version"] + 1


@pytest.mark.parametrize(
    ("current", "target"),
    sorted(
        (current, target)
        for current, target in itertools.product(STATUSES[:3], STATUSES)
        if current != target and (current, target) not in ALLOWED
    ),
)
def test_other_changes_are_invalid_transitions_and_write_nothing(client, current, target):
    task = task_in_status(client, current)
    response = client.patch(task_path(task), json={"status": target, "title": "must not be written"})
    assert_problem(response, 409, "invalid_transition")
    assert client.get(task_path(task)).json() == task


@pytest.mark.parametrize("status", STATUSES[:3])
def test_setting_the_current_status_is_no_change(client, status):
    task = task_in_status(client, status)
    assert assert_task_response(client.patch(task_path(task), json={"status": status}), 200) == task


@pytest.mark.parametrize(
    "body",
    [
        {"status": "archived"},
        {"status": "todo"},
        {"status": "done"},
        {"title": "new title"},
        {"title": "to archive"},
        {"priority": "normal"},
        {"tags": []},
        {"due_date": None},
    ],
    ids=["same-status", "reopen", "done", "title", "same-title", "same-priority", "same-tags", "same-due-date"],
)
def test_an_archived_task_cannot_be_modified(client, body):
    task = task_in_status(client, "archived")
    assert_problem(client.patch(task_path(task), json=body), 409, "task_archived")
    assert client.get(task_path(task)).json() == task


def test_an_empty_patch_of_an_archived_task_is_ok(client):
    task = task_in_status(client, "archived")
    assert assert_task_response(client.patch(task_path(task), json={}), 200) == task


def test_an_archived_task_can_be_deleted(client):
    task = task_in_status(client, "archived")
    assert client.delete(task_path(task)).status_code == 204
    assert_problem(client.get(task_path(task)), 404, "not_found")


def test_field_errors_come_before_task_archived(client):
    task = task_in_status(client, "archived")
    assert_validation_error(client.patch(task_path(task), json={"priority": "x"}), [("priority", "invalid_choice")])


def test_field_errors_come_before_invalid_transition(client):
    task = task_in_status(client, "todo")
    response = client.patch(task_path(task), json={"status": "archived", "due_date": "nope"})
    assert_validation_error(response, [("due_date", "invalid_date")])


def test_task_archived_comes_before_invalid_transition(client):
    task = task_in_status(client, "archived")
    assert_problem(client.patch(task_path(task), json={"status": "in_progress"}), 409, "task_archived")


@pytest.mark.parametrize("current", ["todo", "in_progress"])
def test_entering_done_sets_completed_at_to_the_time_of_the_change(client, current):
    task = task_in_status(client, current)
    assert task["completed_at"] is None
    done = assert_task_response(client.patch(task_path(task), json={"status": "done"}), 200)
    assert done["completed_at"] == done["updated_at"]
    assert done["completed_at"] >= task["updated_at"]


def test_leaving_done_for_todo_clears_completed_at(client):
    task = task_in_status(client, "done")
    reopened = assert_task_response(client.patch(task_path(task), json={"status": "todo"}), 200)
    assert reopened["completed_at"] is None


def test_archiving_keeps_completed_at(client):
    task = task_in_status(client, "done")
    archived = assert_task_response(client.patch(task_path(task), json={"status": "archived"}), 200)
    assert archived["completed_at"] == task["completed_at"]
    assert archived["version"] == 2


def test_other_changes_of_a_done_task_keep_completed_at(client):
    task = task_in_status(client, "done")
    changed = assert_task_response(client.patch(task_path(task), json={"status": "done", "title": "renamed"}), 200)
    assert changed["completed_at"] == task["completed_at"]
    assert changed["version"] == 2


def test_reopening_and_finishing_again_sets_a_new_completed_at(client):
    task = task_in_status(client, "done")
    client.patch(task_path(task), json={"status": "todo"})
    done_again = assert_task_response(client.patch(task_path(task), json={"status": "done"}), 200)
    assert done_again["completed_at"] == done_again["updated_at"]
    assert done_again["completed_at"] >= task["completed_at"]
    assert done_again["version"] == 3


def test_moving_between_todo_and_in_progress_keeps_completed_at_empty(client):
    task = task_in_status(client, "todo")
    started = assert_task_response(client.patch(task_path(task), json={"status": "in_progress"}), 200)
    stopped = assert_task_response(client.patch(task_path(task), json={"status": "todo"}), 200)
    assert started["completed_at"] is None and stopped["completed_at"] is None
