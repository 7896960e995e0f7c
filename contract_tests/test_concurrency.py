"""Spec 4.9 and 6.5: concurrent writers, with and without If-Match, lose nothing and never see a 5xx."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from expectations import assert_problem, assert_task_response

PARALLEL_REQUESTS = 10


def run_together(client, requests_to_send: list[tuple[str, str, dict]]) -> list:
    """Sends every request at the same moment, each from its own thread and connection."""
    start_together = threading.Barrier(len(requests_to_send))

    def send(request):
        method, path, kwargs = request
        start_together.wait()
        return client.request(method, path, **kwargs)

    with ThreadPoolExecutor(max_workers=len(requests_to_send)) as pool:
        return list(pool.map(send, requests_to_send))


def test_of_concurrent_patches_with_the_same_if_match_exactly_one_wins(client):
    task = client.create_task(title="race")
    path = f"/api/tasks/{task['id']}"
    patches = [
        ("PATCH", path, {"json": {"title": f"winner {index}"}, "headers": {"If-Match": '"1"'}})
        for index in range(PARALLEL_REQUESTS)
    ]
    responses = run_together(client, patches)
    winners = [response for response in responses if response.status_code == 200]
    assert len(winners) == 1, [response.status_code for response in responses]
    for response in responses:
        if response.status_code != 200:
            assert_problem(response, 412, "precondition_failed")
    final = assert_task_response(client.get(path), 200)
    assert final["version"] == 2
    assert final["title"] == winners[0].json()["title"]


def test_of_concurrent_deletes_with_the_same_if_match_exactly_one_wins(client):
    task = client.create_task(title="delete race")
    path = f"/api/tasks/{task['id']}"
    responses = run_together(client, [("DELETE", path, {"headers": {"If-Match": '"1"'}})] * PARALLEL_REQUESTS)
    statuses = sorted(response.status_code for response in responses)
    assert statuses.count(204) == 1, statuses
    assert set(statuses) <= {204, 404, 412}, statuses


def test_concurrent_patches_of_different_fields_are_all_applied(client):
    task = client.create_task(title="before", description="before", priority="low", tags=["before"])
    path = f"/api/tasks/{task['id']}"
    changes = [
        {"title": "after"},
        {"description": "after"},
        {"priority": "urgent"},
        {"due_date": "2032-02-02"},
        {"tags": ["after"]},
        {"status": "in_progress"},
    ]
    responses = run_together(client, [("PATCH", path, {"json": change}) for change in changes])
    for response in responses:
        assert_task_response(response, 200)
    final = assert_task_response(client.get(path), 200)
    for change in changes:
        assert {key: final[key] for key in change} == change
    assert final["version"] == 1 + len(changes)
    assert sorted(response.json()["version"] for response in responses) == list(range(2, 2 + len(changes)))


def test_concurrent_patches_of_one_field_are_applied_one_after_the_other(client):
    task = client.create_task(title="counter")
    path = f"/api/tasks/{task['id']}"
    responses = run_together(
        client, [("PATCH", path, {"json": {"description": f"writer {index}"}}) for index in range(PARALLEL_REQUESTS)]
    )
    versions = sorted(assert_task_response(response, 200)["version"] for response in responses)
    assert versions == list(range(2, 2 + PARALLEL_REQUESTS)), "every write is a change, none lost"
    final = assert_task_response(client.get(path), 200)
    last_writer = max(responses, key=lambda response: response.json()["version"])
    assert final["description"] == last_writer.json()["description"]


@pytest.mark.parametrize("round_number", range(3))
def test_concurrent_creates_all_succeed(client, tag, round_number):
    creates = [
        ("POST", "/api/tasks", {"json": {"title": f"parallel {round_number}.{index}", "tags": [tag]}})
        for index in range(2 * PARALLEL_REQUESTS)
    ]
    responses = run_together(client, creates)
    created = [assert_task_response(response, 201) for response in responses]
    assert len({task["id"] for task in created}) == len(creates)
    assert client.get("/api/tasks", params={"tag": tag}).json()["total"] == len(creates)


def test_mixed_concurrent_writes_never_fail(client, tag):
    tasks = [client.create_task(title=f"mixed {index}", tags=[tag]) for index in range(PARALLEL_REQUESTS)]
    mixed = []
    for index, task in enumerate(tasks):
        path = f"/api/tasks/{task['id']}"
        mixed.append(("PATCH", path, {"json": {"priority": "high"}}))
        mixed.append(("POST", "/api/tasks", {"json": {"title": f"new {index}", "tags": [tag]}}))
        mixed.append(("DELETE", path, {}) if index % 2 else ("GET", "/api/tasks/stats", {}))
    responses = run_together(client, mixed)
    for response in responses:
        assert response.status_code < 500, response.text
    assert (
        client.get("/api/tasks", params={"tag": tag}).json()["total"] == 2 * PARALLEL_REQUESTS - PARALLEL_REQUESTS // 2
    )
