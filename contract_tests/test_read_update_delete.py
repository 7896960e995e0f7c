"""GET, PATCH and DELETE of one task (spec 4.5 to 4.8)."""

import pytest
from expectations import assert_problem, assert_task_response, assert_validation_error

NOT_IDS = [
    "abc",
    "0",
    "007",
    "-1",
    "+1",
    "1.0",
    "1e3",
    "0x1",
    "2147483648",
    "99999999999999999999",
    "%201",
    "1%20",
    "%E2%91%A0",
    "١",
]
MISSING_ID = "2147483647"


def task_path(task: dict) -> str:
    return f"/api/tasks/{task['id']}"


def test_get_returns_the_task_with_its_etag(client):
    created = client.create_task(title="get me")
    response = client.get(task_path(created))
    assert assert_task_response(response, 200) == created
    assert response.headers["ETag"] == '"1"'


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_a_missing_task_is_not_found(client, method):
    kwargs = {"json": {"title": "x"}} if method == "PATCH" else {}
    assert_problem(client.request(method, f"/api/tasks/{MISSING_ID}", **kwargs), 404, "not_found")


@pytest.mark.parametrize("segment", NOT_IDS)
@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_a_segment_that_is_not_an_id_is_not_found(client, method, segment):
    kwargs = {"json": {"title": "x"}} if method == "PATCH" else {}
    assert_problem(client.request(method, f"/api/tasks/{segment}", **kwargs), 404, "not_found")


def test_a_deleted_task_is_gone(client):
    task = client.create_task(title="delete me")
    response = client.delete(task_path(task))
    assert response.status_code == 204
    assert response.content == b""
    assert response.headers.get("X-Request-ID")
    assert_problem(client.get(task_path(task)), 404, "not_found")
    assert_problem(client.delete(task_path(task)), 404, "not_found")
    assert_problem(client.patch(task_path(task), json={"title": "x"}), 404, "not_found")


def test_delete_sends_no_body_on_the_wire(client):
    task = client.create_task(title="delete on the wire")
    response = client.on_the_wire("DELETE", task_path(task))
    assert response.status_code == 204
    assert response.content == b""
    assert "Content-Type" not in response.headers, response.headers["Content-Type"]


def test_deleting_one_task_leaves_the_others(client, tag):
    kept = client.create_task(title="kept", tags=[tag])
    deleted = client.create_task(title="deleted", tags=[tag])
    assert client.delete(task_path(deleted)).status_code == 204
    assert [task["id"] for task in client.get("/api/tasks", params={"tag": tag}).json()["items"]] == [kept["id"]]


def test_the_id_of_a_deleted_task_is_never_given_again(client):
    """Spec 4.8. The newest task is deleted: a store that hands out the largest id plus one would reuse it."""
    newest = client.create_task(title="deleted while newest")
    assert client.delete(task_path(newest)).status_code == 204
    following = client.create_task(title="created after")
    assert following["id"] > newest["id"]
    assert_problem(client.get(task_path(newest)), 404, "not_found")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"title": "  renamed  "}, {"title": "renamed"}),
        ({"description": " new description "}, {"description": " new description "}),
        ({"priority": "urgent"}, {"priority": "urgent"}),
        ({"due_date": "2030-01-31"}, {"due_date": "2030-01-31"}),
        ({"due_date": None}, {"due_date": None}),
        ({"tags": ["Zeta", " alpha ", "ALPHA"]}, {"tags": ["alpha", "zeta"]}),
        ({"tags": []}, {"tags": []}),
        ({"status": "in_progress"}, {"status": "in_progress"}),
        ({"title": "both", "priority": "low"}, {"title": "both", "priority": "low"}),
    ],
    ids=[
        "title-trimmed",
        "description-untrimmed",
        "priority",
        "due-date",
        "clear-due-date",
        "tags-replaced",
        "tags-cleared",
        "status",
        "two-fields",
    ],
)
def test_patch_changes_only_the_given_fields(client, change, expected):
    original = client.create_task(
        title="original", description="d", priority="high", due_date="2029-05-05", tags=["keep"]
    )
    response = client.patch(task_path(original), json=change)
    patched = assert_task_response(response, 200)
    assert patched == {**original, **expected, "version": 2, "updated_at": patched["updated_at"]}
    assert patched["updated_at"] >= original["updated_at"]
    assert response.headers["ETag"] == '"2"'
    assert client.get(task_path(original)).json() == patched


@pytest.mark.parametrize(
    "same_values",
    [
        {},
        {"title": "same"},
        {"title": "  same\t"},
        {"description": "desc"},
        {"status": "todo"},
        {"priority": "low"},
        {"due_date": "2028-02-29"},
        {"tags": ["b", "a"]},
        {"tags": ["A", " b", "a"]},
        {
            "title": "same",
            "description": "desc",
            "status": "todo",
            "priority": "low",
            "due_date": "2028-02-29",
            "tags": ["a", "b"],
        },
    ],
    ids=[
        "empty",
        "title",
        "title-after-trim",
        "description",
        "status",
        "priority",
        "due-date",
        "tags-reordered",
        "tags-after-normalising",
        "everything",
    ],
)
def test_a_patch_that_changes_nothing_keeps_version_and_updated_at(client, same_values):
    original = client.create_task(
        title="same", description="desc", priority="low", due_date="2028-02-29", tags=["a", "b"]
    )
    response = client.patch(task_path(original), json=same_values)
    assert assert_task_response(response, 200) == original
    assert response.headers["ETag"] == '"1"'


def test_clearing_an_absent_due_date_is_no_change(client):
    original = client.create_task(title="no due date")
    assert assert_task_response(client.patch(task_path(original), json={"due_date": None}), 200) == original


def test_version_counts_only_real_changes(client):
    task = client.create_task(title="v1")
    path = task_path(task)
    steps = [
        ({"title": "v2"}, 2),
        ({"title": "v2"}, 2),
        ({}, 2),
        ({"description": "x"}, 3),
        ({"priority": "normal"}, 3),
        ({"priority": "low", "title": "v2"}, 4),
    ]
    for change, expected_version in steps:
        patched = assert_task_response(client.patch(path, json=change), 200)
        assert patched["version"] == expected_version, change
        assert patched["created_at"] == task["created_at"]


def test_patch_does_not_require_a_title(client):
    task = client.create_task(title="keeps its title")
    assert (
        assert_task_response(client.patch(task_path(task), json={"priority": "high"}), 200)["title"]
        == "keeps its title"
    )


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"title": ""}, [("title", "blank")]),
        ({"title": None}, [("title", "invalid_type")]),
        ({"title": "x" * 201}, [("title", "too_long")]),
        ({"title": "a\x00"}, [("title", "invalid_format")]),
        ({"description": None}, [("description", "invalid_type")]),
        ({"description": "x" * 10001}, [("description", "too_long")]),
        ({"status": None}, [("status", "invalid_type")]),
        ({"status": "Archived"}, [("status", "invalid_choice")]),
        ({"priority": 3}, [("priority", "invalid_type")]),
        ({"due_date": "2026-02-29"}, [("due_date", "invalid_date")]),
        ({"due_date": 0}, [("due_date", "invalid_type")]),
        ({"tags": None}, [("tags", "invalid_type")]),
        ({"tags": ["ok", ""]}, [("tags[1]", "blank")]),
        ({"tags": [str(index) for index in range(11)]}, [("tags", "too_many")]),
        ({"id": 1}, [("id", "unknown_field")]),
        ({"version": 2}, [("version", "unknown_field")]),
        ({"created_at": "2026-01-01T00:00:00.000Z"}, [("created_at", "unknown_field")]),
        (
            {"title": 1, "priority": "x", "foo": 1},
            [("foo", "unknown_field"), ("priority", "invalid_choice"), ("title", "invalid_type")],
        ),
    ],
    ids=[
        "title-blank",
        "title-null",
        "title-too-long",
        "title-control",
        "description-null",
        "description-too-long",
        "status-null",
        "status-case",
        "priority-int",
        "due-date-not-a-date",
        "due-date-int",
        "tags-null",
        "tag-blank",
        "tags-too-many",
        "id",
        "version",
        "created-at",
        "several",
    ],
)
def test_patch_validates_fields_like_create(client, body, errors):
    task = client.create_task(title="validated")
    assert_validation_error(client.patch(task_path(task), json=body), errors)
    assert client.get(task_path(task)).json() == task


def test_created_at_never_changes(client):
    task = client.create_task(title="created")
    patched = assert_task_response(client.patch(task_path(task), json={"title": "changed"}), 200)
    assert patched["created_at"] == task["created_at"]
