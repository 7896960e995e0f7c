"""Spec 6.1: the request id, echoed in every response, every error body and every log line."""

import pytest
from expectations import GENERATED_REQUEST_ID_PATTERN, assert_problem
from harness import new_request_id

VALID_IDS = ["abc", "A.b_c-9", "0", "-", "x" * 128, "0123456789abcdef0123456789abcdef", "..."]
INVALID_IDS = ["x" * 129, "has space", "semi;colon", "slash/", "colon:", "é", "tab\there", 'quote"', "", "  "]
# Each shape of response: success, no body, 304, every kind of error, and an unmatched path.
REQUESTS = [
    ("GET", "/api"),
    ("HEAD", "/api/tasks"),
    ("GET", "/metrics"),
    ("GET", "/health/live"),
    ("GET", "/nope"),
    ("DELETE", "/api"),
    ("GET", "/api/tasks?limit=0"),
    ("GET", "/api/tasks/abc"),
    ("OPTIONS", "/api/tasks"),
]


@pytest.mark.parametrize("request_id", VALID_IDS)
def test_a_valid_request_id_is_echoed(client, request_id):
    assert client.get("/api", headers={"X-Request-ID": request_id}).headers["X-Request-ID"] == request_id


@pytest.mark.parametrize(
    "request_id",
    INVALID_IDS,
    ids=["129-chars", "space", "semicolon", "slash", "colon", "non-ascii", "tab", "quote", "empty", "blank"],
)
def test_an_invalid_request_id_is_replaced(client, request_id):
    echoed = client.raw("GET", "/api", headers={"X-Request-ID": request_id}).headers["X-Request-ID"]
    assert GENERATED_REQUEST_ID_PATTERN.match(echoed), echoed


def test_a_missing_request_id_is_generated_fresh_each_time(client):
    first = client.get("/api").headers["X-Request-ID"]
    second = client.get("/api").headers["X-Request-ID"]
    assert GENERATED_REQUEST_ID_PATTERN.match(first) and GENERATED_REQUEST_ID_PATTERN.match(second)
    assert first != second


@pytest.mark.parametrize(("method", "path"), REQUESTS)
def test_every_response_carries_the_request_id(client, method, path):
    request_id = new_request_id()
    response = client.raw(method, path, headers={"X-Request-ID": request_id})
    assert response.headers.get("X-Request-ID") == request_id
    if response.status_code >= 400:
        assert response.json()["request_id"] == request_id


def test_the_request_id_is_in_error_bodies(client):
    request_id = new_request_id()
    problem = assert_problem(
        client.get("/api/tasks/2147483647", headers={"X-Request-ID": request_id}), 404, "not_found"
    )
    assert problem["request_id"] == request_id


def test_a_generated_request_id_is_in_error_bodies(client):
    assert_problem(client.get("/api/tasks/2147483647"), 404, "not_found")


def test_the_request_id_is_echoed_on_writes(client):
    request_id = new_request_id()
    created = client.post("/api/tasks", json={"title": "rid"}, headers={"X-Request-ID": request_id})
    assert created.headers["X-Request-ID"] == request_id
    not_modified = client.get(
        f"/api/tasks/{created.json()['id']}", headers={"X-Request-ID": request_id, "If-None-Match": "*"}
    )
    assert (not_modified.status_code, not_modified.headers["X-Request-ID"]) == (304, request_id)
    deleted = client.delete(f"/api/tasks/{created.json()['id']}", headers={"X-Request-ID": request_id})
    assert (deleted.status_code, deleted.headers["X-Request-ID"]) == (204, request_id)


@pytest.mark.needs_process
@pytest.mark.parametrize(("method", "path"), [("GET", "/api"), ("GET", "/nope"), ("POST", "/api/tasks")])
def test_the_request_id_is_in_the_log_lines_of_the_request(client, server_log, method, path):
    request_id = new_request_id()
    client.request(
        method, path, json={"title": "logged"} if method == "POST" else None, headers={"X-Request-ID": request_id}
    )
    records = server_log.for_request(
        request_id, until=lambda records: any(record.get("logger") == "tasktracker.access" for record in records)
    )
    assert records, f"no log line carries request_id {request_id}"


@pytest.mark.needs_process
def test_a_generated_request_id_is_logged(client, server_log):
    request_id = client.get("/api/tasks/stats").headers["X-Request-ID"]
    assert server_log.for_request(request_id), f"no log line carries the generated request_id {request_id}"
