"""Spec 4.9: ETag, If-None-Match on GET and HEAD, If-Match on PATCH and DELETE, and the order of checks."""

import pytest
from expectations import assert_problem, assert_task_response

MISSING_PATH = "/api/tasks/2147483647"


@pytest.fixture
def task_at_version_2(client) -> dict:
    """A task whose ETag is "2", so that "1" is a real, stale version."""
    task = client.create_task(title="conditional")
    return assert_task_response(client.patch(f"/api/tasks/{task['id']}", json={"title": "conditional v2"}), 200)


def task_path(task: dict) -> str:
    return f"/api/tasks/{task['id']}"


def test_etag_is_the_version_in_double_quotes(client, task_at_version_2):
    assert client.get(task_path(task_at_version_2)).headers["ETag"] == '"2"'
    assert client.head(task_path(task_at_version_2)).headers["ETag"] == '"2"'


@pytest.mark.parametrize(
    "if_none_match",
    ['"2"', 'W/"2"', "*", '"1", "2"', '"9",W/"2"', '  "2"  ', 'xyz, "2"'],
    ids=["strong", "weak", "star", "list", "list-weak-no-space", "spaces", "after-unparsable"],
)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_if_none_match_matching_is_not_modified(client, task_at_version_2, method, if_none_match):
    response = client.on_the_wire(method, task_path(task_at_version_2), {"If-None-Match": if_none_match})
    assert response.status_code == 304
    assert response.content == b""
    assert "Content-Type" not in response.headers, response.headers["Content-Type"]
    assert response.headers.get("ETag") == '"2"'
    assert response.headers.get("X-Request-ID")


@pytest.mark.parametrize(
    "if_none_match",
    ['"1"', 'W/"1"', '"3", "1"', "2", '"2', "W/2", '"02"', ""],
    ids=["stale", "stale-weak", "list-of-others", "unquoted", "unterminated", "unquoted-weak", "leading-zero", "empty"],
)
def test_if_none_match_not_matching_returns_the_task(client, task_at_version_2, if_none_match):
    response = client.get(task_path(task_at_version_2), headers={"If-None-Match": if_none_match})
    assert assert_task_response(response, 200) == task_at_version_2


def test_if_none_match_on_a_missing_task_is_not_found(client):
    assert_problem(client.get(MISSING_PATH, headers={"If-None-Match": "*"}), 404, "not_found")


@pytest.mark.parametrize(
    "if_match",
    ['"2"', "*", '"1", "2"', '"7","2"', 'junk, "2"'],
    ids=["current", "star", "list", "list-no-space", "after-unparsable"],
)
def test_patch_with_a_matching_if_match_succeeds(client, task_at_version_2, if_match):
    response = client.patch(task_path(task_at_version_2), json={"priority": "urgent"}, headers={"If-Match": if_match})
    patched = assert_task_response(response, 200)
    assert patched["version"] == 3


@pytest.mark.parametrize(
    "if_match",
    ['"1"', '"3"', 'W/"2"', '"1", W/"2"', "2", '"2', '"02"', "W/*"],
    ids=[
        "stale",
        "future",
        "weak-never-matches",
        "list-without-strong-match",
        "unquoted",
        "unterminated",
        "leading-zero",
        "weak-star",
    ],
)
def test_patch_with_another_if_match_fails_and_writes_nothing(client, task_at_version_2, if_match):
    response = client.patch(task_path(task_at_version_2), json={"priority": "urgent"}, headers={"If-Match": if_match})
    assert_problem(response, 412, "precondition_failed")
    assert client.get(task_path(task_at_version_2)).json() == task_at_version_2


def test_a_no_op_patch_with_a_matching_if_match_is_ok(client, task_at_version_2):
    response = client.patch(task_path(task_at_version_2), json={}, headers={"If-Match": '"2"'})
    assert assert_task_response(response, 200) == task_at_version_2


def test_a_no_op_patch_with_a_stale_if_match_still_fails(client, task_at_version_2):
    response = client.patch(task_path(task_at_version_2), json={}, headers={"If-Match": '"1"'})
    assert_problem(response, 412, "precondition_failed")


@pytest.mark.parametrize("if_match", ['"2"', "*"])
def test_delete_with_a_matching_if_match_deletes(client, task_at_version_2, if_match):
    response = client.delete(task_path(task_at_version_2), headers={"If-Match": if_match})
    assert response.status_code == 204
    assert response.content == b""


@pytest.mark.parametrize("if_match", ['"1"', 'W/"2"', "2"])
def test_delete_with_another_if_match_fails_and_keeps_the_task(client, task_at_version_2, if_match):
    assert_problem(
        client.delete(task_path(task_at_version_2), headers={"If-Match": if_match}), 412, "precondition_failed"
    )
    assert client.get(task_path(task_at_version_2)).status_code == 200


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_a_missing_task_is_not_found_before_if_match(client, method):
    response = client.request(
        method, MISSING_PATH, json={"title": "x"} if method == "PATCH" else None, headers={"If-Match": '"1"'}
    )
    assert_problem(response, 404, "not_found")


@pytest.mark.early_answer
@pytest.mark.parametrize("path", [MISSING_PATH, "/api/tasks/0", "/api/tasks/abc", "/api/tasks/007"])
def test_body_decoding_comes_before_not_found(client, path):
    """A segment that is not an id is a 404 of the route like a missing task (spec 4), after the body."""
    headers = {"Content-Type": "application/json", "If-Match": '"1"'}
    assert_problem(client.raw("PATCH", path, b"{broken", headers), 400, "malformed_json")
    assert_problem(client.raw("PATCH", path, b"", headers), 400, "malformed_json")
    assert_problem(client.raw("PATCH", path, b'{"title": "x"}', {"If-Match": '"1"'}), 415, "unsupported_media_type")
    assert_problem(client.raw("PATCH", path, b" " * 1_048_577, headers), 413, "payload_too_large")


def test_not_found_comes_before_field_errors(client):
    assert_problem(client.patch(MISSING_PATH, json={"title": ""}), 404, "not_found")
    assert_problem(client.patch(MISSING_PATH, json=["not an object"]), 404, "not_found")


def test_if_match_comes_before_field_errors(client, task_at_version_2):
    response = client.patch(task_path(task_at_version_2), json={"title": ""}, headers={"If-Match": '"1"'})
    assert_problem(response, 412, "precondition_failed")


def test_if_match_comes_before_shape(client, task_at_version_2):
    response = client.patch(task_path(task_at_version_2), json=[1], headers={"If-Match": '"1"'})
    assert_problem(response, 412, "precondition_failed")


def test_if_match_comes_before_task_archived(client):
    task = client.create_task(title="archived", status="done")
    archived = assert_task_response(client.patch(task_path(task), json={"status": "archived"}), 200)
    response = client.patch(task_path(archived), json={"title": "x"}, headers={"If-Match": '"1"'})
    assert_problem(response, 412, "precondition_failed")
    response = client.patch(task_path(archived), json={"title": "x"}, headers={"If-Match": '"2"'})
    assert_problem(response, 409, "task_archived")


def test_if_match_comes_before_invalid_transition(client, task_at_version_2):
    response = client.patch(task_path(task_at_version_2), json={"status": "archived"}, headers={"If-Match": '"1"'})
    assert_problem(response, 412, "precondition_failed")


def test_each_change_moves_the_etag(client):
    task = client.create_task(title="etag moves")
    path = task_path(task)
    etag = client.get(path).headers["ETag"]
    for new_title in ("one", "two", "three"):
        response = client.patch(path, json={"title": new_title}, headers={"If-Match": etag})
        assert_task_response(response, 200)
        assert response.headers["ETag"] != etag
        etag = response.headers["ETag"]
    assert etag == '"4"'
