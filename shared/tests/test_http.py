import pytest

from tasktracker.errors import MalformedJson, PayloadTooLarge, TaskNotFound, UnsupportedMediaType
from tasktracker.http import (
    MAX_BODY_BYTES,
    decode_json_body,
    if_match_allows,
    if_none_match_hits,
    parse_task_id,
    readiness,
    route_template_for_path,
)


@pytest.mark.parametrize("segment", ["1", "42", "2147483647"])
def test_canonical_ids(segment: str) -> None:
    assert parse_task_id(segment) == int(segment)


@pytest.mark.parametrize("segment", ["0", "007", "-1", "+1", "abc", "2147483648", "9" * 30, "１", " 1"])
def test_non_ids_are_not_found(segment: str) -> None:
    with pytest.raises(TaskNotFound):
        parse_task_id(segment)


@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("/api", "/api"),
        ("/api/tasks", "/api/tasks"),
        ("/api/tasks/stats", "/api/tasks/stats"),
        ("/api/tasks/12", "/api/tasks/{id}"),
        ("/api/tasks/abc", "/api/tasks/{id}"),
        ("/api/tasks/", "unmatched"),
        ("/api/tasks/1/x", "unmatched"),
        ("/api/", "unmatched"),
        ("/", "unmatched"),
        ("/metrics", "/metrics"),
    ],
)
def test_route_templates(path: str, template: str) -> None:
    assert route_template_for_path(path) == template


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "APPLICATION/JSON", "application/json; charset=utf-8", "application/json;charset=UTF-8"],
)
def test_json_media_types(content_type: str) -> None:
    assert decode_json_body(content_type, b'{"a": 1}') == {"a": 1}


@pytest.mark.parametrize(
    "content_type", [None, "", "text/plain", "application/json-seq", "application/json; charset=latin-1", "text/json"]
)
def test_other_media_types(content_type: str | None) -> None:
    with pytest.raises(UnsupportedMediaType):
        decode_json_body(content_type, b"{}")


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{",
        b"\xff\xfe{}",
        b'{"a": NaN}',
        b"[Infinity]",
        b"-Infinity",
        b"1e400",
        b"9" * 5000,
        b"[" * 100_000 + b"]" * 100_000,
        b'"\\ud800"',
        b'{"\\udfff": 1}',
        b'{"a": 1, "a": 2}',
    ],
)
def test_malformed_bodies(body: bytes) -> None:
    with pytest.raises(MalformedJson):
        decode_json_body("application/json", body)


def test_size_is_checked_before_the_media_type() -> None:
    with pytest.raises(PayloadTooLarge):
        decode_json_body("text/plain", b" " * (MAX_BODY_BYTES + 1))
    padded = b"{}" + b" " * (MAX_BODY_BYTES - 2)
    assert decode_json_body("application/json", padded) == {}


def test_valid_surrogate_pairs_are_fine() -> None:
    assert decode_json_body("application/json", b'"\\ud83d\\ude00"') == "😀"


@pytest.mark.parametrize(
    ("header", "allowed"),
    [(None, True), ('"3"', True), ("*", True), ('"1", "3"', True), ('W/"3"', False), ('"4"', False), ("3", False)],
)
def test_if_match_is_strong(header: str | None, allowed: bool) -> None:
    assert if_match_allows(header, 3) is allowed


@pytest.mark.parametrize(
    ("header", "hit"),
    [(None, False), ('"3"', True), ('W/"3"', True), ("*", True), ('"2", W/"3"', True), ('"4"', False)],
)
def test_if_none_match_is_weak(header: str | None, hit: bool) -> None:
    assert if_none_match_hits(header, 3) is hit


def test_readiness() -> None:
    assert readiness(True) == (200, {"status": "ok", "checks": {"database": "ok"}})
    assert readiness(False) == (503, {"status": "error", "checks": {"database": "error"}})
    assert readiness(True, server_started=False) == (503, {"status": "error", "checks": {"database": "ok"}})
