"""Spec 4.10, 5 and 6.2 with a database that cannot be reached: the process serves, and says why not."""

import re
import secrets

import pytest
from expectations import assert_json, assert_problem, assert_unauthorized, assert_validation_error
from harness import UNREACHABLE_DATABASE_PASSWORD, ApiClient, new_request_id

pytestmark = pytest.mark.needs_process

# A token of the right form that no database holds: whether it is known cannot be told without
# the database, so it gets 503, never 401 (spec 2.0, 7.3).
WELL_FORMED_TOKEN = secrets.token_urlsafe(32)
CREDENTIALS = {"username": "nobody-offline", "password": "offline-password-1f3b"}

# "psycopg.OperationalError: connection failed: ...", as traceback.format_exception writes it.
EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*: \S")

# Each route that needs a token, and the public ones that need the database.
BEARER_REQUESTS = [
    ("GET", "/api/tasks", None),
    ("GET", "/api/tasks/stats", None),
    ("GET", "/api/tasks/1", None),
    ("POST", "/api/tasks", {"title": "nowhere to go"}),
    ("PATCH", "/api/tasks/1", {"title": "nowhere"}),
    ("DELETE", "/api/tasks/1", None),
    ("GET", "/api/users/me", None),
    ("DELETE", "/api/tokens/current", None),
]
DATABASE_REQUESTS = [
    *BEARER_REQUESTS,
    ("POST", "/api/users", CREDENTIALS),
    ("POST", "/api/tokens", CREDENTIALS),
]


@pytest.fixture(scope="module")
def offline_client(unreachable_database_server) -> ApiClient:
    return ApiClient(unreachable_database_server.base_url, token=WELL_FORMED_TOKEN)


def test_live_answers_without_a_database(offline_client):
    assert assert_json(offline_client.get("/health/live"), 200, "Health") == {"status": "ok"}


def test_ready_says_the_database_is_down(offline_client):
    response = offline_client.get("/health/ready")
    assert assert_json(response, 503, "Readiness") == {"status": "error", "checks": {"database": "error"}}


@pytest.mark.parametrize(("method", "path", "body"), DATABASE_REQUESTS)
def test_database_work_is_unavailable_and_logged_with_its_traceback(
    offline_client, unreachable_database_server, method, path, body
):
    request_id = new_request_id()
    response = offline_client.request(method, path, json=body, headers={"X-Request-ID": request_id})
    assert_problem(response, 503, "unavailable")
    error_records = [
        record
        for record in unreachable_database_server.log.for_request(
            request_id, until=lambda records: any(record.get("level") == "error" for record in records)
        )
        if record.get("level") == "error"
    ]
    assert error_records, "a 503 is logged at error"
    exception_text = error_records[0].get("exception", "")
    assert "Traceback" in exception_text
    assert "Traceback" not in response.text
    assert exception_message(exception_text) not in response.text


def exception_message(formatted_traceback: str) -> str:
    """The text of the last exception in a traceback: its "Type: message" line, without the type."""
    exception_lines = [line for line in formatted_traceback.splitlines() if EXCEPTION_LINE.match(line)]
    assert exception_lines, formatted_traceback
    return exception_lines[-1].partition(": ")[2].strip()


def test_body_decoding_of_the_public_routes_needs_no_database(offline_client):
    headers = {"Content-Type": "application/json", "Authorization": None}
    for path in ("/api/users", "/api/tokens"):
        assert_problem(offline_client.raw("POST", path, b"{", headers), 400, "malformed_json")
        assert_validation_error(
            offline_client.post(path, json={}, headers=headers), [("password", "required"), ("username", "required")]
        )


@pytest.mark.parametrize(("method", "path", "body"), BEARER_REQUESTS)
def test_a_missing_or_malformed_authorization_needs_no_database(offline_client, method, path, body):
    assert_unauthorized(
        offline_client.request(method, path, json=body, headers={"Authorization": None}), "unauthenticated"
    )
    assert_unauthorized(
        offline_client.request(method, path, json=body, headers={"Authorization": "Basic eDp5"}), "invalid_token"
    )


def test_the_database_password_is_never_logged(offline_client, unreachable_database_server):
    request_id = new_request_id()
    offline_client.get("/api/tasks", headers={"X-Request-ID": request_id})
    offline_client.get("/health/ready")
    unreachable_database_server.log.for_request(
        request_id, until=lambda records: any(record.get("exception") for record in records)
    )
    assert UNREACHABLE_DATABASE_PASSWORD not in unreachable_database_server.log.all_output()
