"""Spec 7.4 (new in 2.0): a task belongs to the user who created it; to anyone else it does not exist.

The module's user (``client``) owns the tasks; ``other_account`` is the user who must not see them.
"""

import uuid

import pytest
from expectations import assert_json, assert_task_response, media_type

MISSING_TASK = 2147483647
TASK_KEYS = {
    "id",
    "title",
    "description",
    "status",
    "priority",
    "due_date",
    "tags",
    "created_at",
    "updated_at",
    "completed_at",
    "version",
}
# (method, headers, body) of every way to reach a task; none may reach another user's.
ATTEMPTS = {
    "get": ("GET", {}, None),
    "get-if-none-match-any": ("GET", {"If-None-Match": "*"}, None),
    "get-if-none-match-etag": ("GET", {"If-None-Match": '"1"'}, None),
    "head": ("HEAD", {}, None),
    "head-if-none-match-etag": ("HEAD", {"If-None-Match": '"1"'}, None),
    "patch": ("PATCH", {}, {"title": "taken over"}),
    "patch-status": ("PATCH", {}, {"status": "archived"}),
    "patch-if-match-etag": ("PATCH", {"If-Match": '"1"'}, {"title": "taken over"}),
    "patch-if-match-any": ("PATCH", {"If-Match": "*"}, {"title": "taken over"}),
    "patch-if-match-stale": ("PATCH", {"If-Match": '"7"'}, {"title": "taken over"}),
    "patch-invalid-fields": ("PATCH", {}, {"title": "", "owner_id": 1}),
    "delete": ("DELETE", {}, None),
    "delete-if-match-etag": ("DELETE", {"If-Match": '"1"'}, None),
    "delete-if-match-any": ("DELETE", {"If-Match": "*"}, None),
    "delete-if-match-stale": ("DELETE", {"If-Match": '"7"'}, None),
}


@pytest.fixture(scope="module")
def tag_of_module() -> str:
    return f"own-{uuid.uuid4().hex[:16]}"


@pytest.fixture(scope="module")
def owned_task(client, tag_of_module) -> dict:
    return client.create_task(title="owned by one user", priority="urgent", due_date="2001-01-01", tags=[tag_of_module])


def without_request_id(response) -> tuple:
    """What may not tell another user's task from a missing one: everything but the request id."""
    body = response.json() if response.content else None
    if body is not None:
        body.pop("request_id", None)
    return response.status_code, media_type(response), body, "ETag" in response.headers, "Allow" in response.headers


def attempt(client, method: str, path: str, headers: dict, body):
    if method == "HEAD":
        return client.on_the_wire(method, path, headers)
    return client.request(method, path, json=body, headers=headers)


@pytest.mark.parametrize("name", list(ATTEMPTS))
def test_another_users_task_is_not_found(client, other_account, owned_task, name):
    method, headers, body = ATTEMPTS[name]
    intruder = other_account.client
    refused = attempt(intruder, method, f"/api/tasks/{owned_task['id']}", headers, body)
    missing = attempt(intruder, method, f"/api/tasks/{MISSING_TASK}", headers, body)
    assert refused.status_code == 404, f"{name}: expected 404, got {refused.status_code}: {refused.content[:300]}"
    assert without_request_id(refused) == without_request_id(missing), "indistinguishable from a missing task"
    if method == "HEAD":
        assert refused.content == b""
    else:
        assert refused.json()["code"] == "not_found"
    # The owner sees the task exactly as it was.
    assert assert_task_response(client.get(f"/api/tasks/{owned_task['id']}"), 200) == owned_task


def test_the_task_representation_keeps_its_keys(client, owned_task):
    assert set(owned_task) == TASK_KEYS


def test_each_user_lists_only_their_own_tasks(client, other_account, owned_task, tag_of_module):
    intruder = other_account.client
    theirs = intruder.create_task(title="owned by the other user", tags=[tag_of_module])
    mine = assert_json(client.get("/api/tasks", params={"tag": tag_of_module, "limit": 100}), 200, "TaskList")
    others = assert_json(intruder.get("/api/tasks", params={"tag": tag_of_module, "limit": 100}), 200, "TaskList")
    assert [task["id"] for task in mine["items"]] == [owned_task["id"]]
    assert mine["total"] == 1
    assert [task["id"] for task in others["items"]] == [theirs["id"]]
    assert others["total"] == 1
    # A search or a sort does not widen the set either.
    for params in ({"q": "owned by"}, {"sort": "-priority"}, {"status": "todo"}):
        listing = intruder.get("/api/tasks", params={**params, "tag": tag_of_module}).json()
        assert [task["id"] for task in listing["items"]] == [theirs["id"]], params
    # The owner cannot reach the other user's task either.
    assert client.get(f"/api/tasks/{theirs['id']}").status_code == 404
    assert intruder.delete(f"/api/tasks/{theirs['id']}").status_code == 204


def test_an_unfiltered_list_counts_only_the_callers_tasks(client, other_account, owned_task):
    intruder = other_account.client
    before = intruder.get("/api/tasks", params={"limit": 100}).json()
    client.create_task(title="one more of mine")
    after = assert_json(intruder.get("/api/tasks", params={"limit": 100}), 200, "TaskList")
    assert after["total"] == before["total"], "another user's create does not count"
    assert owned_task["id"] not in {task["id"] for task in after["items"]}


def read_stats(client) -> dict:
    return assert_json(client.get("/api/tasks/stats"), 200, "Stats")


def test_stats_count_only_the_callers_tasks(client, other_account):
    intruder = other_account.client
    their_stats, my_stats = read_stats(intruder), read_stats(client)
    task = client.create_task(title="counted for one", status="in_progress", priority="high", due_date="2002-02-02")
    client.patch(f"/api/tasks/{task['id']}", json={"priority": "low"})
    my_after = read_stats(client)
    assert my_after["total"] == my_stats["total"] + 1
    assert my_after["overdue"] == my_stats["overdue"] + 1
    assert my_after["by_status"]["in_progress"] == my_stats["by_status"]["in_progress"] + 1
    assert my_after["by_priority"]["low"] == my_stats["by_priority"]["low"] + 1
    assert read_stats(intruder) == their_stats, "nothing of another user's moves the stats"
    # The other user's attempt to finish it is a 404, and moves neither user's stats.
    assert intruder.patch(f"/api/tasks/{task['id']}", json={"status": "done"}).status_code == 404
    assert read_stats(client) == my_after
    assert read_stats(intruder) == their_stats
    client.delete(f"/api/tasks/{task['id']}")
    assert read_stats(intruder) == their_stats
    assert read_stats(client) == my_stats
