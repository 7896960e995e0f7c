"""Spec 6.2 and 6.4: LOG_LEVEL and LOG_FORMAT, each on an instance of its own."""

import json

import pytest
from expectations import sign_up
from harness import new_request_id

pytestmark = pytest.mark.needs_process


def serve_a_few_requests(server) -> str:
    """Requests that log at info (access lines) and more; the server is stopped so that all is flushed.

    In every log format and at every level, the password and the token used stay out of the output.
    """
    account = sign_up(server.base_url, "log-settings")
    request_id = new_request_id()
    account.client.get("/api", headers={"X-Request-ID": request_id})
    account.client.post("/api/tasks", json={"title": "logged"})
    account.client.get("/no/such/path")
    server.stop()
    output = server.log.all_output()
    assert account.password not in output, "a password is never logged"
    assert account.token not in output, "a token is never logged"
    return request_id


def is_json_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def test_log_level_warning_leaves_out_info_lines(launch_server):
    server = launch_server("log-level-warning", env_changes={"LOG_LEVEL": "warning"})
    serve_a_few_requests(server)
    levels = [record["level"] for record in server.log.records()]
    assert set(levels) <= {"warning", "error", "critical"}, levels


def test_log_format_text_writes_one_readable_line_per_record(launch_server):
    server = launch_server("log-format-text", env_changes={"LOG_FORMAT": "text"})
    serve_a_few_requests(server)
    lines = server.log.stdout_lines()
    assert len(lines) >= 5, "at least the access lines of the sign-up, the token and the three requests"
    assert not [line for line in lines if is_json_object(line)]


def test_the_defaults_are_json_at_info(launch_server, variant_name):
    server = launch_server("log-defaults", env_changes={"LOG_FORMAT": None, "LOG_LEVEL": None})
    request_id = serve_a_few_requests(server)
    access_records = [
        record
        for record in server.log.records()
        if record.get("request_id") == request_id and record.get("logger") == "tasktracker.access"
    ]
    assert [(record["level"], record["variant"]) for record in access_records] == [("info", variant_name)]
