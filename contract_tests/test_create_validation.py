"""POST /api/tasks: defaults, normalisation and every field rule of spec 2.2 and 2.3."""

import pytest
from expectations import assert_task_response, assert_validation_error

# 200 code points, four UTF-8 bytes each: length is counted in code points, not bytes.
EMOJI_200 = "\N{GRINNING FACE}" * 200


def create(client, body):
    return client.post("/api/tasks", json=body)


def test_a_minimal_task_gets_every_default(client):
    response = create(client, {"title": "minimal"})
    task = assert_task_response(response, 201)
    assert task["title"] == "minimal"
    assert task["description"] == ""
    assert task["status"] == "todo"
    assert task["priority"] == "normal"
    assert task["due_date"] is None
    assert task["tags"] == []
    assert task["completed_at"] is None
    assert task["version"] == 1
    assert task["created_at"] == task["updated_at"]
    assert response.headers["Location"] == f"/api/tasks/{task['id']}"
    assert response.headers["ETag"] == '"1"'


def test_every_field_is_stored_as_given(client, tag):
    body = {
        "title": "full",
        "description": "line one\nline two\ttabbed\r\n",
        "status": "in_progress",
        "priority": "urgent",
        "due_date": "2031-12-31",
        "tags": [tag, "alpha"],
    }
    task = assert_task_response(create(client, body), 201)
    assert {key: task[key] for key in body} == {**body, "tags": sorted([tag, "alpha"])}
    assert task["completed_at"] is None


def test_the_created_task_is_what_get_returns(client):
    created = client.create_task(title="read back", priority="high")
    fetched = assert_task_response(client.get(f"/api/tasks/{created['id']}"), 200)
    assert fetched == created


def test_ids_are_distinct(client):
    first = client.create_task(title="first")
    second = client.create_task(title="second")
    assert first["id"] != second["id"]


@pytest.mark.parametrize("status", ["todo", "in_progress", "done"])
def test_every_status_but_archived_is_allowed_on_create(client, status):
    task = assert_task_response(create(client, {"title": "status", "status": status}), 201)
    assert task["status"] == status
    assert task["created_at"] == task["updated_at"]


def test_a_task_created_done_is_completed_at_creation(client):
    task = assert_task_response(create(client, {"title": "born done", "status": "done"}), 201)
    assert task["completed_at"] == task["created_at"] == task["updated_at"]


@pytest.mark.parametrize("priority", ["low", "normal", "high", "urgent"])
def test_every_priority_is_allowed(client, priority):
    assert assert_task_response(create(client, {"title": "p", "priority": priority}), 201)["priority"] == priority


@pytest.mark.parametrize(
    ("submitted", "stored"),
    [
        ("  padded  ", "padded"),
        ("\t\n tabs and newlines \r\n", "tabs and newlines"),
        ("\u3000ideographic space\u2003", "ideographic space"),
        ("inner  spaces kept", "inner  spaces kept"),
        (" " + "a" * 200 + " ", "a" * 200),
        (EMOJI_200, EMOJI_200),
        ("été", "été"),
        ("line\u2028separator", "line\u2028separator"),
        ("zero\u200bwidth", "zero\u200bwidth"),
    ],
    ids=[
        "spaces",
        "whitespace-controls",
        "unicode-spaces",
        "inner",
        "200-after-trim",
        "200-emoji",
        "accents",
        "line-separator-is-not-cc",
        "format-character-is-not-cc",
    ],
)
def test_title_is_trimmed_before_it_is_validated(client, submitted, stored):
    assert assert_task_response(create(client, {"title": submitted}), 201)["title"] == stored


@pytest.mark.parametrize(
    ("title", "code"),
    [
        ("", "blank"),
        ("   ", "blank"),
        ("\n\t\r ", "blank"),
        ("\u2003", "blank"),
        ("\x1c", "blank"),
        ("a" * 201, "too_long"),
        ("\N{GRINNING FACE}" * 201, "too_long"),
        ("a\x00b", "invalid_format"),
        ("a\nb", "invalid_format"),
        ("a\tb", "invalid_format"),
        ("a\x7fb", "invalid_format"),
        ("a\x85b", "invalid_format"),
        ("a\x9fb", "invalid_format"),
        ("a" * 201 + "\x00", "too_long"),
        (None, "invalid_type"),
        (5, "invalid_type"),
        (True, "invalid_type"),
        (["a"], "invalid_type"),
        ({"a": 1}, "invalid_type"),
    ],
    ids=[
        "empty",
        "spaces",
        "whitespace",
        "em-space",
        "file-separator-is-whitespace",
        "201",
        "201-emoji",
        "nul",
        "newline-inside",
        "tab-inside",
        "del",
        "nel-inside",
        "c1-control",
        "too-long-before-format",
        "null",
        "int",
        "bool",
        "array",
        "object",
    ],
)
def test_title_rules(client, title, code):
    assert_validation_error(create(client, {"title": title}), [("title", code)])


def test_title_is_required(client):
    assert_validation_error(create(client, {"description": "no title"}), [("title", "required")])


def test_an_empty_object_misses_only_the_title(client):
    assert_validation_error(create(client, {}), [("title", "required")])


@pytest.mark.parametrize(
    "description",
    ["", "  not trimmed  ", "tab\tnewline\ncarriage\r", "x" * 10000, "\N{GRINNING FACE}" * 10000],
    ids=["empty", "untrimmed", "allowed-controls", "10000", "10000-emoji"],
)
def test_description_accepted_as_is(client, description):
    task = assert_task_response(create(client, {"title": "d", "description": description}), 201)
    assert task["description"] == description


@pytest.mark.parametrize(
    ("description", "code"),
    [
        ("x" * 10001, "too_long"),
        ("x" * 10001 + "\x00", "too_long"),
        ("a\x00b", "invalid_format"),
        ("a\x0bb", "invalid_format"),
        ("a\x0cb", "invalid_format"),
        ("a\x1bb", "invalid_format"),
        ("a\x7fb", "invalid_format"),
        ("a\x85b", "invalid_format"),
        (None, "invalid_type"),
        (1, "invalid_type"),
        (["x"], "invalid_type"),
    ],
    ids=[
        "10001",
        "too-long-before-format",
        "nul",
        "vertical-tab",
        "form-feed",
        "escape",
        "del",
        "nel",
        "null",
        "int",
        "array",
    ],
)
def test_description_rules(client, description, code):
    assert_validation_error(create(client, {"title": "d", "description": description}), [("description", code)])


@pytest.mark.parametrize(
    ("status", "code"),
    [
        ("archived", "not_allowed"),
        ("TODO", "invalid_choice"),
        ("Done", "invalid_choice"),
        (" todo", "invalid_choice"),
        ("in-progress", "invalid_choice"),
        ("", "invalid_choice"),
        (None, "invalid_type"),
        (1, "invalid_type"),
        (["todo"], "invalid_type"),
    ],
)
def test_status_rules_on_create(client, status, code):
    assert_validation_error(create(client, {"title": "s", "status": status}), [("status", code)])


@pytest.mark.parametrize(
    ("priority", "code"),
    [
        ("HIGH", "invalid_choice"),
        ("high ", "invalid_choice"),
        ("medium", "invalid_choice"),
        ("", "invalid_choice"),
        (None, "invalid_type"),
        (1, "invalid_type"),
        (False, "invalid_type"),
    ],
)
def test_priority_rules(client, priority, code):
    assert_validation_error(create(client, {"title": "p", "priority": priority}), [("priority", code)])


@pytest.mark.parametrize("due_date", ["2024-02-29", "0001-01-01", "9999-12-31", "2026-11-26", None])
def test_due_date_accepted(client, due_date):
    assert assert_task_response(create(client, {"title": "due", "due_date": due_date}), 201)["due_date"] == due_date


@pytest.mark.parametrize(
    ("due_date", "code"),
    [
        ("2023-02-29", "invalid_date"),
        ("2026-13-01", "invalid_date"),
        ("2026-00-10", "invalid_date"),
        ("2026-01-32", "invalid_date"),
        ("2026-04-31", "invalid_date"),
        ("0000-01-01", "invalid_date"),
        ("2026-1-01", "invalid_date"),
        ("20260101", "invalid_date"),
        ("2026-01-01T00:00:00", "invalid_date"),
        ("2026-01-01T00:00:00Z", "invalid_date"),
        (" 2026-01-01", "invalid_date"),
        ("2026-01-01 ", "invalid_date"),
        ("10000-01-01", "invalid_date"),
        ("+2026-01-01", "invalid_date"),
        ("２０２６-01-01", "invalid_date"),
        ("2026-W01-1", "invalid_date"),
        ("", "invalid_date"),
        (20260101, "invalid_type"),
        (["2026-01-01"], "invalid_type"),
        (True, "invalid_type"),
    ],
)
def test_due_date_rules(client, due_date, code):
    assert_validation_error(create(client, {"title": "due", "due_date": due_date}), [("due_date", code)])


@pytest.mark.parametrize(
    ("submitted", "stored"),
    [
        ([], []),
        (["b", "a"], ["a", "b"]),
        (["  Work ", "work", "WORK"], ["work"]),
        (["b-1", "a", "b", "1"], ["1", "a", "b", "b-1"]),
        (["x" * 32], ["x" * 32]),
        (["0-"], ["0-"]),
        ([f"t{index}" for index in range(10)], sorted(f"t{index}" for index in range(10))),
    ],
    ids=["empty", "sorted", "trim-lower-dedupe", "code-point-order", "32-chars", "trailing-hyphen", "ten"],
)
def test_tags_are_normalised(client, submitted, stored):
    assert assert_task_response(create(client, {"title": "tags", "tags": submitted}), 201)["tags"] == stored


@pytest.mark.parametrize(
    ("tags", "errors"),
    [
        ("a", [("tags", "invalid_type")]),
        (None, [("tags", "invalid_type")]),
        ({"a": 1}, [("tags", "invalid_type")]),
        ([f"t{index}" for index in range(11)], [("tags", "too_many")]),
        (["same"] * 11, [("tags", "too_many")]),
        ([1], [("tags[0]", "invalid_type")]),
        ([None], [("tags[0]", "invalid_type")]),
        ([["a"]], [("tags[0]", "invalid_type")]),
        ([""], [("tags[0]", "blank")]),
        (["   "], [("tags[0]", "blank")]),
        (["-a"], [("tags[0]", "invalid_format")]),
        (["a_b"], [("tags[0]", "invalid_format")]),
        (["a b"], [("tags[0]", "invalid_format")]),
        (["x" * 33], [("tags[0]", "invalid_format")]),
        (["é"], [("tags[0]", "invalid_format")]),
        (["ok", 1, "", "x y"], [("tags[1]", "invalid_type"), ("tags[2]", "blank"), ("tags[3]", "invalid_format")]),
        (["ok", "OK", "bad!"], [("tags[2]", "invalid_format")]),
    ],
    ids=[
        "string",
        "null",
        "object",
        "eleven",
        "eleven-duplicates",
        "int-element",
        "null-element",
        "array-element",
        "empty-element",
        "spaces-element",
        "leading-hyphen",
        "underscore",
        "inner-space",
        "33-chars",
        "non-ascii",
        "several-elements",
        "index-as-submitted",
    ],
)
def test_tags_rules(client, tags, errors):
    assert_validation_error(create(client, {"title": "tags", "tags": tags}), errors)


@pytest.mark.parametrize("read_only_key", ["id", "created_at", "updated_at", "completed_at", "version"])
def test_read_only_keys_are_unknown_fields(client, read_only_key):
    assert_validation_error(create(client, {"title": "ro", read_only_key: 1}), [(read_only_key, "unknown_field")])


def test_each_unknown_key_is_reported_sorted_by_code_point(client):
    body = {"title": "x", "b": 1, "é": 1, "B": 1, "_": 1, "": 1}
    assert_validation_error(
        create(client, body),
        [
            ("", "unknown_field"),
            ("B", "unknown_field"),
            ("_", "unknown_field"),
            ("b", "unknown_field"),
            ("é", "unknown_field"),
        ],
    )


def test_all_errors_of_a_body_are_reported_together_and_sorted(client):
    body = {
        "title": "  ",
        "description": 5,
        "status": "archived",
        "priority": "x",
        "due_date": "2026-02-30",
        "tags": ["ok", 7],
        "extra": True,
        "Zulu": None,
    }
    assert_validation_error(
        create(client, body),
        [
            ("Zulu", "unknown_field"),
            ("description", "invalid_type"),
            ("due_date", "invalid_date"),
            ("extra", "unknown_field"),
            ("priority", "invalid_choice"),
            ("status", "not_allowed"),
            ("tags[1]", "invalid_type"),
            ("title", "blank"),
        ],
    )


def test_missing_title_is_reported_with_other_errors(client):
    assert_validation_error(
        create(client, {"priority": "none", "id": 3}),
        [("id", "unknown_field"), ("priority", "invalid_choice"), ("title", "required")],
    )


def test_a_rejected_body_creates_nothing(client, tag):
    response = create(client, {"title": "rejected", "tags": [tag], "priority": "never"})
    assert_validation_error(response, [("priority", "invalid_choice")])
    assert client.get("/api/tasks", params={"tag": tag}).json()["total"] == 0
