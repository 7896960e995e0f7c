"""What every response of the contract looks like: the OpenAPI schemas and the shared checks."""

from __future__ import annotations

import re
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
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    412: "Precondition Failed",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
CODES_WITH_FIELD_ERRORS = {"invalid_query", "validation_error"}
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


class ContractClient(ApiClient):
    """The HTTP client, plus the shortcut most tests start with."""

    def create_task(self, **fields) -> dict:
        """A new task, created and checked like any other response."""
        return assert_task_response(self.post("/api/tasks", json=fields), 201)
