import dataclasses
import io

import pytest

from tasktracker.config import Settings
from tasktracker.errors import MalformedJson, PayloadTooLarge, TaskNotFound, UnsupportedMediaType
from tasktracker.http import (
    MAX_BODY_BYTES,
    api_info,
    decode_json_body,
    if_match_allows,
    if_none_match_hits,
    parse_task_id,
    problem_for_routing_status,
    read_capped_body,
    readiness,
    route_template_for_path,
    route_template_for_rule,
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


@pytest.mark.parametrize(
    ("rule", "template"),
    [
        ("/api/tasks/<task_id:task_id>", "/api/tasks/{id}"),
        ("api/tasks/<str:task_id>", "/api/tasks/{id}"),
        ("/api/tasks/<task_id:re:(?!stats$)[^/]+>", "/api/tasks/{id}"),
        ("/api/tasks/stats", "/api/tasks/stats"),
    ],
)
def test_router_rules_become_templates(rule: str, template: str) -> None:
    assert route_template_for_rule(rule) == template


def test_routing_statuses_become_the_spec_problems() -> None:
    assert problem_for_routing_status(404, "/nowhere").code == "not_found"
    not_allowed = problem_for_routing_status(405, "/api/tasks/stats")
    assert not_allowed is not None and not_allowed.headers == {"Allow": "GET, HEAD"}
    assert problem_for_routing_status(413, "/api/tasks").code == "payload_too_large"
    assert problem_for_routing_status(500, "/api") is None


def test_the_body_is_read_with_a_cap() -> None:
    assert read_capped_body(io.BytesIO(b'{"a": 1}'), 8) == b'{"a": 1}'
    assert len(read_capped_body(io.BytesIO(b"x" * (MAX_BODY_BYTES + 10)), None)) == MAX_BODY_BYTES + 1
    with pytest.raises(PayloadTooLarge):
        read_capped_body(io.BytesIO(b""), MAX_BODY_BYTES + 1)


def test_api_info_names_the_variant_and_its_framework() -> None:
    # The shared suite runs with no framework installed: pytest stands in for bottle's distribution.
    settings = dataclasses.replace(Settings.from_env("bottle", {}), framework="pytest")
    document = api_info(settings)
    assert (document["variant"], document["framework"]) == ("bottle", "pytest")
    assert document["framework_version"] == pytest.__version__
