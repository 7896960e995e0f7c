"""Spec 6.2: JSON log lines, one access line per request, and nothing private in the output."""

import uuid

import pytest
from expectations import TIMESTAMP_PATTERN
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
