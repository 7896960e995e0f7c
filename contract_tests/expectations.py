"""What every response of the contract looks like: the OpenAPI schemas and the shared checks."""

from __future__ import annotations

import datetime
import re
import secrets
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from harness import ApiClient
from jsonschema import Draft202012Validator, ValidationError, validators
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

OPENAPI_PATH = Path(__file__).resolve().parent.parent / "docs" / "openapi.yaml"
OPENAPI_URI = "urn:task-tracker:openapi"

TIMESTAMP_PATTERN = re.compile(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z\Z")
GENERATED_REQUEST_ID_PATTERN = re.compile(r"\A[0-9a-f]{32}\Z")

TITLE_BY_STATUS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    412: "Precondition Failed",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
CODES_WITH_FIELD_ERRORS = {"invalid_query", "validation_error"}
# Spec 2.0, 7: a token (secrets.token_urlsafe(32): 43 characters of base64url, 256 bits) and the
# two bearer challenges (RFC 6750 §3).
TOKEN_PATTERN = re.compile(r"\A[A-Za-z0-9_-]{43}\Z")
UNAUTHENTICATED_CHALLENGE = 'Bearer realm="task-tracker"'
INVALID_TOKEN_CHALLENGE = 'Bearer realm="task-tracker", error="invalid_token"'
CHALLENGE_BY_CODE = {"unauthenticated": UNAUTHENTICATED_CHALLENGE, "invalid_token": INVALID_TOKEN_CHALLENGE}
# The upper bounds, in seconds, of http_request_duration_seconds' buckets (spec 6.3), besides +Inf.
DURATION_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0}


def _ecma_pattern(validator, pattern, instance, schema):
    """``pattern`` as ECMA-262 reads it: Python's ``$`` would also accept a trailing newline."""
    if not validator.is_type(instance, "string"):
        return
    python_pattern = pattern[:-1] + r"\Z" if pattern.endswith("$") and not pattern.endswith(r"\$") else pattern
    if not re.search(python_pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


ContractValidator = validators.extend(Draft202012Validator, {"pattern": _ecma_pattern})


@cache
def _openapi_registry() -> Registry:
    document = yaml.safe_load(OPENAPI_PATH.read_text(encoding="utf-8"))
    return Registry().with_resource(OPENAPI_URI, Resource.from_contents(document, default_specification=DRAFT202012))


@cache
def _validator_for(schema_name: str) -> ContractValidator:
    return ContractValidator(
        {"$ref": f"{OPENAPI_URI}#/components/schemas/{schema_name}"},
        registry=_openapi_registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def assert_matches_schema(instance, schema_name: str) -> None:
    errors = sorted(_validator_for(schema_name).iter_errors(instance), key=lambda error: str(error.absolute_path))
    assert not errors, f"not a valid {schema_name}: " + "; ".join(
        f"{list(error.absolute_path)}: {error.message}" for error in errors
    )


def media_type(response) -> str:
    return response.headers.get("Content-Type", "").split(";")[0].strip()


def assert_json(response, status: int, schema_name: str):
    """A JSON response with this status whose body is a valid ``schema_name``; returns the body."""
    assert response.status_code == status, f"expected {status}, got {response.status_code}: {response.text[:1000]}"
    assert media_type(response) == "application/json", response.headers.get("Content-Type")
    assert response.headers.get("X-Request-ID"), "every response carries X-Request-ID"
    body = response.json()
    assert_matches_schema(body, schema_name)
    return body


def assert_task_response(response, status: int) -> dict:
    """A task body, with the ETag of its version (spec 4.9)."""
    task = assert_json(response, status, "Task")
    assert response.headers.get("ETag") == f'"{task["version"]}"'
    assert_task_invariants(task)
    return task


def assert_task_invariants(task: dict) -> None:
    for key in ("created_at", "updated_at"):
        assert TIMESTAMP_PATTERN.match(task[key]), task[key]
    if task["completed_at"] is not None:
        assert TIMESTAMP_PATTERN.match(task["completed_at"]), task["completed_at"]
    assert task["tags"] == sorted(set(task["tags"])), "tags are unique and sorted by code point"
    assert task["updated_at"] >= task["created_at"]


def assert_problem(response, status: int, code: str, errors: list[tuple[str, str]] | None = None) -> dict:
    """The full problem shape of spec 5; ``errors`` are the expected (field, code) pairs, in order."""
    assert response.status_code == status, (
        f"expected {status} {code}, got {response.status_code}: {response.text[:1000]}"
    )
    assert media_type(response) == "application/problem+json", response.headers.get("Content-Type")
    problem = response.json()
    schema_name = "ValidationProblem" if code in CODES_WITH_FIELD_ERRORS else "Problem"
    assert_matches_schema(problem, schema_name)
    assert problem["type"] == "about:blank"
    assert problem["title"] == TITLE_BY_STATUS[status]
    assert problem["status"] == status
    assert problem["code"] == code
    assert isinstance(problem["detail"], str) and problem["detail"].strip()
    assert problem["request_id"] == response.headers.get("X-Request-ID")
    if code in CODES_WITH_FIELD_ERRORS:
        for field_error in problem["errors"]:
            assert field_error["message"].strip(), field_error
        reported = [(field_error["field"], field_error["code"]) for field_error in problem["errors"]]
        assert reported == sorted(reported), "errors are sorted by field, then code"
        if errors is not None:
            assert reported == errors
    else:
        assert "errors" not in problem
    return problem


def assert_validation_error(response, errors: list[tuple[str, str]]) -> dict:
    return assert_problem(response, 422, "validation_error", errors)


def assert_invalid_query(response, errors: list[tuple[str, str]]) -> dict:
    return assert_problem(response, 400, "invalid_query", errors)


def parse_timestamp(text: str) -> datetime.datetime:
    assert TIMESTAMP_PATTERN.match(text), text
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.UTC)


def assert_user_response(response, status: int) -> dict:
    """A user document (spec 2.0, 7.1): ``{"id", "username", "created_at"}``, never a password."""
    user = assert_json(response, status, "User")
    assert set(user) == {"id", "username", "created_at"}, user
    parse_timestamp(user["created_at"])
    return user


def assert_token_response(response) -> dict:
    """The 201 of POST /api/tokens (spec 2.0, 7.2), not to be cached (RFC 6749 §5.1)."""
    issued = assert_json(response, 201, "Token")
    assert TOKEN_PATTERN.match(issued["token"]), "a token is 43 base64url characters (32 bytes of randomness)"
    assert issued["token_type"] == "Bearer", issued
    parse_timestamp(issued["expires_at"])
    assert response.headers.get("Cache-Control") == "no-store", response.headers.get("Cache-Control")
    return issued


def assert_unauthorized(response, code: str) -> dict:
    """A 401 of the bearer scheme: the problem and its exact ``WWW-Authenticate`` challenge."""
    problem = assert_problem(response, 401, code)
    assert response.headers.get("WWW-Authenticate") == CHALLENGE_BY_CODE[code], response.headers.get("WWW-Authenticate")
    return problem


def assert_too_many_attempts(response) -> int:
    """The lock-out's 429 with a ``Retry-After`` of whole seconds within the 15-minute window."""
    assert_problem(response, 429, "too_many_attempts")
    retry_after = response.headers.get("Retry-After", "")
    assert retry_after.isdigit(), f"Retry-After is a number of seconds: {retry_after!r}"
    assert 1 <= int(retry_after) <= 900, retry_after
    return int(retry_after)


class ContractClient(ApiClient):
    """The HTTP client, plus the shortcut most tests start with."""

    def create_task(self, **fields) -> dict:
        """A new task, created and checked like any other response."""
        return assert_task_response(self.post("/api/tasks", json=fields), 201)

    def with_token(self, token: str | None) -> ContractClient:
        """A client of the same server that sends this token (None: no Authorization header)."""
        return ContractClient(self.base_url, token)


def unique_username(label: str) -> str:
    """A valid username no other test uses: the label (a module's name, say), then random hex."""
    prefix = re.sub(r"[^a-z0-9_.-]", "-", label.lower().removeprefix("test_"))[:20].strip("_.-") or "user"
    return f"{prefix}-{secrets.token_hex(5)}"


def strong_password() -> str:
    """A password that passes every rule of sign-up and that no log line could contain by chance."""
    return f"pw-{secrets.token_urlsafe(24)}"


@dataclass(frozen=True)
class Account:
    """A signed-up user, one token of theirs, and a client that sends that token."""

    user: dict
    password: str
    token: str
    client: ContractClient

    @property
    def username(self) -> str:
        return self.user["username"]


def take_token(client: ApiClient, username: str, password: str) -> str:
    response = client.post(
        "/api/tokens", json={"username": username, "password": password}, headers={"Authorization": None}
    )
    return assert_token_response(response)["token"]


def sign_up(base_url: str, label: str) -> Account:
    """A fresh user on this server (POST /api/users) and a token of theirs (POST /api/tokens)."""
    anonymous = ContractClient(base_url)
    username, password = unique_username(label), strong_password()
    user = assert_user_response(anonymous.post("/api/users", json={"username": username, "password": password}), 201)
    assert user["username"] == username
    token = take_token(anonymous, username, password)
    return Account(user, password, token, anonymous.with_token(token))
