"""Spec 6.2: JSON log lines, one access line per request, and nothing private in the output."""

import secrets
import uuid

import pytest
from expectations import TIMESTAMP_PATTERN, strong_password
from harness import new_request_id

pytestmark = pytest.mark.needs_process

LEVELS = {"debug", "info", "warning", "error", "critical"}
ACCESS_LOGGER = "tasktracker.access"


def is_access_record(record: dict) -> bool:
    return record.get("logger") == ACCESS_LOGGER


def has_access_record(records: list[dict]) -> bool:
    return any(is_access_record(record) for record in records)


def access_records(server_log, request_id: str) -> list[dict]:
    return [
        record for record in server_log.for_request(request_id, until=has_access_record) if is_access_record(record)
    ]


def test_every_stdout_line_is_a_json_log_record(client, server_log, variant_name):
    client.get("/api")
    assert server_log.lines_that_are_not_log_records() == []
    records = server_log.records()
    assert records
    for record in records:
        assert TIMESTAMP_PATTERN.match(record["ts"]), record
        assert record["level"] in LEVELS, record
        assert isinstance(record["logger"], str) and record["logger"], record
        assert isinstance(record["msg"], str), record
        assert record["variant"] == variant_name, record


@pytest.mark.parametrize(
    ("method", "path", "route", "status"),
    [
        ("GET", "/api", "/api", 200),
        ("GET", "/api/tasks?limit=5&q=hidden", "/api/tasks", 200),
        ("GET", "/api/tasks/2147483647", "/api/tasks/{id}", 404),
        ("GET", "/api/tasks/abc", "/api/tasks/{id}", 404),
        ("DELETE", "/api/tasks/stats", "/api/tasks/stats", 405),
        ("HEAD", "/health/live", "/health/live", 200),
        ("GET", "/metrics", "/metrics", 200),
        ("GET", "/no/such/path", "unmatched", 404),
    ],
)
def test_exactly_one_access_line_per_request(client, server_log, variant_name, method, path, route, status):
    request_id = new_request_id()
    response = client.raw(method, path, headers={"X-Request-ID": request_id})
    assert response.status_code == status
    records = access_records(server_log, request_id)
    assert len(records) == 1, records
    record = records[0]
    assert record["level"] == "info"
    assert record["method"] == method
    assert record["path"] == path.split("?")[0]
    assert record["route"] == route
    assert type(record["status"]) is int and record["status"] == status
    assert type(record["duration_ms"]) in (int, float) and record["duration_ms"] >= 0
    assert record["variant"] == variant_name
    assert record["request_id"] == request_id


def test_the_access_line_of_a_create(client, server_log):
    request_id = new_request_id()
    client.post("/api/tasks", json={"title": "access"}, headers={"X-Request-ID": request_id})
    [record] = access_records(server_log, request_id)
    assert (record["method"], record["path"], record["route"], record["status"]) == (
        "POST",
        "/api/tasks",
        "/api/tasks",
        201,
    )


def test_every_line_of_a_request_carries_its_request_id(client, server_log):
    request_id = new_request_id()
    client.post("/api/tasks", json={"title": ""}, headers={"X-Request-ID": request_id})
    records = server_log.for_request(request_id, until=has_access_record)
    assert has_access_record(records)
    assert all(record["request_id"] == request_id for record in records)


def test_bodies_query_strings_and_headers_are_never_logged(client, server_log):
    marker = f"SECRET{uuid.uuid4().hex}"
    request_ids = [new_request_id() for _ in range(6)]
    client.post(
        "/api/tasks", json={"title": f"title {marker}", "description": marker}, headers={"X-Request-ID": request_ids[0]}
    )
    client.post("/api/tasks", json={"title": "", "tags": [marker]}, headers={"X-Request-ID": request_ids[1]})
    client.raw(
        "POST",
        "/api/tasks",
        f'{{"title": "{marker}"'.encode(),
        {"Content-Type": "application/json", "X-Request-ID": request_ids[2]},
    )
    client.get(f"/api/tasks?q={marker}&secret={marker}", headers={"X-Request-ID": request_ids[3]})
    client.get(
        "/api",
        headers={"Authorization": f"Bearer {marker}", "Cookie": f"session={marker}", "X-Request-ID": request_ids[4]},
    )
    client.get(f"/nope?token={marker}", headers={"X-Api-Key": marker, "X-Request-ID": request_ids[5]})
    for request_id in request_ids:
        assert access_records(server_log, request_id), request_id
    leaking_lines = [line for line in server_log.all_output().splitlines() if marker in line]
    assert leaking_lines == []


def test_the_server_own_access_log_is_off(client, server_log):
    marker = uuid.uuid4().hex
    request_id = new_request_id()
    client.get(f"/unmatched-{marker}", headers={"X-Request-ID": request_id})
    assert access_records(server_log, request_id)
    lines_naming_the_path = [line for line in server_log.all_output().splitlines() if marker in line]
    assert len(lines_naming_the_path) == 1, lines_naming_the_path


# (which client, method, path, status, whether the access line names the user): spec 6.2, the
# user whose token authenticated the request, else null; a route's 404 and 405 come before the
# authentication (section 4), a task's 404 after it.
USER_ID_CASES = [
    ("token", "GET", "/api/tasks", 200, True),
    ("token", "GET", "/api/users/me", 200, True),
    ("token", "GET", "/api/tasks/2147483647", 404, True),
    ("token", "GET", "/api", 200, False),
    ("token", "GET", "/health/live", 200, False),
    ("token", "PUT", "/api/tasks", 405, False),
    ("token", "GET", "/no/such/path", 404, False),
    ("none", "GET", "/api/tasks", 401, False),
    ("unknown", "GET", "/api/tasks", 401, False),
]


@pytest.mark.parametrize(
    ("sender", "method", "path", "status", "names_the_user"),
    USER_ID_CASES,
    ids=[f"{case[0]}-{case[1]}-{case[2]}-{case[3]}" for case in USER_ID_CASES],
)
def test_the_access_line_carries_the_user_id(client, account, server_log, sender, method, path, status, names_the_user):
    headers = {
        "token": {},
        "none": {"Authorization": None},
        "unknown": {"Authorization": f"Bearer {secrets.token_urlsafe(32)}"},
    }[sender]
    request_id = new_request_id()
    response = client.raw(method, path, headers={**headers, "X-Request-ID": request_id})
    assert response.status_code == status, response.content[:300]
    [record] = access_records(server_log, request_id)
    assert "user_id" in record, record
    expected = account.user["id"] if names_the_user else None
    assert record["user_id"] == expected and type(record["user_id"]) is type(expected), record


def test_passwords_and_tokens_are_never_logged(anonymous_client, new_account, server_log):
    account = new_account("secrets")
    wrong_password = strong_password()
    unknown_token = secrets.token_urlsafe(32)
    last_request_id = new_request_id()
    client = account.client
    client.get("/api/users/me")
    client.create_task(title="secret holder")
    anonymous_client.post("/api/users", json={"username": account.username, "password": account.password})
    anonymous_client.post("/api/tokens", json={"username": account.username, "password": wrong_password})
    anonymous_client.post("/api/tokens", json={"username": f"{account.username}x", "password": account.password})
    anonymous_client.post(
        "/api/users",
        data=f'{{"username": 1, "password": "{wrong_password}"'.encode(),
        headers={"Content-Type": "application/json"},
    )
    client.get("/api/tasks", headers={"Authorization": f"Bearer {unknown_token}"})
    client.get("/api/tasks", headers={"Authorization": f"Basic {account.password}"})
    assert client.delete("/api/tokens/current").status_code == 204
    client.get("/api/tasks", headers={"X-Request-ID": last_request_id})
    assert access_records(server_log, last_request_id), "the requests above have been logged"
    output = server_log.all_output()
    for name, secret in [
        ("the password", account.password),
        ("a wrong password", wrong_password),
        ("the token", account.token),
        ("an unknown token", unknown_token),
    ]:
        assert secret not in output, f"{name} is in the server's output"
