from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tasktracker.domain import Priority, SortOrder, Status
from tasktracker.errors import InvalidQuery, ValidationFailed
from tasktracker.validation import TAG_PATTERN, parse_list_query, validate_create, validate_patch


def field_errors(document: object, validate=validate_create) -> list[tuple[str, str]]:
    with pytest.raises(ValidationFailed) as raised:
        validate(document)
    return [(error.field, error.code) for error in raised.value.errors]


def test_defaults() -> None:
    assert validate_create({"title": "x"}) == {
        "title": "x",
        "description": "",
        "status": Status.TODO,
        "priority": Priority.NORMAL,
        "due_date": None,
        "tags": (),
    }


def test_normalisation() -> None:
    fields = validate_create({"title": "\u2003 Hi \n", "tags": [" B ", "a", "b"], "due_date": "2028-02-29"})
    assert fields["title"] == "Hi"
    assert fields["tags"] == ("a", "b")
    assert fields["due_date"] == date(2028, 2, 29)


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ([], [("body", "invalid_type")]),
        ({}, [("title", "required")]),
        ({"title": None}, [("title", "invalid_type")]),
        ({"title": 5}, [("title", "invalid_type")]),
        ({"title": "   "}, [("title", "blank")]),
        ({"title": "x" * 201}, [("title", "too_long")]),
        ({"title": "a\x07b"}, [("title", "invalid_format")]),
        ({"title": "x", "description": "\x00"}, [("description", "invalid_format")]),
        ({"title": "x", "description": "x" * 10_001}, [("description", "too_long")]),
        ({"title": "x", "status": "archived"}, [("status", "not_allowed")]),
        ({"title": "x", "status": "TODO"}, [("status", "invalid_choice")]),
        ({"title": "x", "priority": 1}, [("priority", "invalid_type")]),
        ({"title": "x", "due_date": "2026-02-30"}, [("due_date", "invalid_date")]),
        ({"title": "x", "due_date": "2026-2-3"}, [("due_date", "invalid_date")]),
        ({"title": "x", "due_date": "2026-02-03T00:00:00"}, [("due_date", "invalid_date")]),
        ({"title": "x", "due_date": 20260203}, [("due_date", "invalid_type")]),
        ({"title": "x", "tags": "a"}, [("tags", "invalid_type")]),
        (
            {"title": "x", "tags": ["ok", 3, "", "-x"]},
            [("tags[1]", "invalid_type"), ("tags[2]", "blank"), ("tags[3]", "invalid_format")],
        ),
        ({"title": "x", "tags": [str(n) for n in range(11)]}, [("tags", "too_many")]),
        ({"title": "x", "version": 2, "id": 1}, [("id", "unknown_field"), ("version", "unknown_field")]),
        ({"priority": "x", "title": ""}, [("priority", "invalid_choice"), ("title", "blank")]),
    ],
)
def test_create_errors(document: object, expected: list[tuple[str, str]]) -> None:
    assert field_errors(document) == expected


def test_patch_allows_archived_and_nulls_only_due_date() -> None:
    changes = validate_patch({"status": "archived", "due_date": None})
    assert changes.status is Status.ARCHIVED and changes.due_date is None
    assert changes.sent_fields == {"status", "due_date"}
    assert field_errors({"title": None}, validate_patch) == [("title", "invalid_type")]


@given(
    st.dictionaries(st.text(max_size=8), st.recursive(st.none() | st.booleans() | st.integers() | st.text(), st.lists))
)
def test_any_document_is_accepted_or_rejected_with_sorted_field_errors(document: dict) -> None:
    try:
        validate_create(document)
    except ValidationFailed as failed:
        keys = [(error.field, error.code) for error in failed.errors]
        assert keys == sorted(keys) and keys


@given(st.lists(st.text(max_size=40), max_size=10))
def test_accepted_tags_are_normalised_sorted_and_unique(tags: list[str]) -> None:
    try:
        fields = validate_create({"title": "t", "tags": tags})
    except ValidationFailed:
        return
    assert list(fields["tags"]) == sorted(set(fields["tags"]))
    assert all(TAG_PATTERN.fullmatch(tag) for tag in fields["tags"])
    assert set(fields["tags"]) == {tag.strip().lower() for tag in tags}


@given(st.text(max_size=250))
def test_accepted_titles_are_trimmed_and_bounded(title: str) -> None:
    try:
        fields = validate_create({"title": title})
    except ValidationFailed:
        return
    assert fields["title"] == title.strip() and 1 <= len(fields["title"]) <= 200


def test_list_query_defaults() -> None:
    query = parse_list_query("")
    assert (query.limit, query.offset, query.sort) == (20, 0, SortOrder.parse("-created_at"))
    assert query.statuses is None and query.tags == frozenset()


def test_list_query_values() -> None:
    query = parse_list_query(
        "status=todo,done&priority=high&tag=A&tag=b&q=%C3%89T%C3%89&sort=priority&limit=5&offset=010&x=1"
    )
    assert query.statuses == {Status.TODO, Status.DONE}
    assert query.priorities == {Priority.HIGH}
    assert query.tags == {"a", "b"}
    assert query.search == "été"
    assert (query.limit, query.offset) == (5, 10)


def test_plus_is_a_space_in_queries() -> None:
    assert parse_list_query("q=a+b").search == "a b"


@pytest.mark.parametrize(
    ("query_string", "expected"),
    [
        ("status=", [("status", "invalid_choice")]),
        ("status=todo,", [("status", "invalid_choice")]),
        ("priority=LOW", [("priority", "invalid_choice")]),
        ("q=", [("q", "blank")]),
        ("q=" + "x" * 201, [("q", "too_long")]),
        ("tag=&tag=ok&tag=no!", [("tag", "blank"), ("tag", "invalid_format")]),
        ("due_before=2026-13-01", [("due_before", "invalid_date")]),
        ("sort=title", [("sort", "invalid_choice")]),
        ("limit=0", [("limit", "out_of_range")]),
        ("limit=101", [("limit", "out_of_range")]),
        ("limit=+5", [("limit", "invalid_format")]),
        ("limit=1e1", [("limit", "invalid_format")]),
        ("offset=-1", [("offset", "invalid_format")]),
        ("offset=2147483648", [("offset", "out_of_range")]),
        ("offset=" + "9" * 5000, [("offset", "out_of_range")]),
        ("limit=5&limit=6", [("limit", "too_many")]),
        ("q=%FF", [("q", "invalid_format")]),
        ("sort=x&limit=x", [("limit", "invalid_format"), ("sort", "invalid_choice")]),
    ],
)
def test_list_query_errors(query_string: str, expected: list[tuple[str, str]]) -> None:
    with pytest.raises(InvalidQuery) as raised:
        parse_list_query(query_string)
    assert [(error.field, error.code) for error in raised.value.errors] == expected
