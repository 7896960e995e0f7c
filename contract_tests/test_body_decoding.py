"""Spec 2.1: size, media type, syntax and shape of a request body, checked in that order.

These requests go through http.client so that the bytes and headers are exactly the ones written here.
"""

import pytest
from expectations import assert_problem, assert_task_response, assert_validation_error

ONE_MEBIBYTE = 1_048_576
JSON = {"Content-Type": "application/json"}
VALID_BODY = b'{"title": "decoded"}'


def padded_to(size: int, document: bytes = VALID_BODY) -> bytes:
    """A valid JSON text of exactly ``size`` bytes: trailing whitespace is insignificant."""
    return document + b" " * (size - len(document))


def nested_arrays(depth: int) -> bytes:
    return b'{"title": "deep", "nested": ' + b"[" * depth + b"]" * depth + b"}"


@pytest.fixture
def existing_task_path(client):
    return f"/api/tasks/{client.create_task(title='patch target')['id']}"


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        "application/json;charset=UTF-8",
        "application/json; charset=Utf-8",
        "APPLICATION/JSON",
        "Application/Json; Charset=UTF-8",
        "application/json; profile=tasks",
    ],
)
def test_json_media_types_are_accepted(client, content_type):
    response = client.raw("POST", "/api/tasks", VALID_BODY, {"Content-Type": content_type})
    assert assert_task_response(response, 201)["title"] == "decoded"


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "text/plain",
        "text/json",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/jsonx",
        "application/json-patch+json",
        "application/merge-patch+json",
        "application/problem+json",
        "json",
        "application/json; charset=latin-1",
        "application/json; charset=iso-8859-1",
        "application/json; charset=utf-16",
    ],
)
def test_other_media_types_are_unsupported(client, content_type):
    headers = {} if content_type is None else {"Content-Type": content_type}
    assert_problem(client.raw("POST", "/api/tasks", VALID_BODY, headers), 415, "unsupported_media_type")


def test_no_content_type_and_no_body_is_unsupported(client):
    response = client.raw("POST", "/api/tasks", b"", {"Content-Length": "0"})
    assert_problem(response, 415, "unsupported_media_type")


MALFORMED_BODIES = {
    "empty": b"",
    "whitespace-only": b"   \n",
    "truncated": b'{"title": "x"',
    "single-quotes": b"{'title': 'x'}",
    "trailing-comma": b'{"title": "x",}',
    "two-documents": b'{"title": "x"} {"title": "y"}',
    "trailing-garbage": b'{"title": "x"} x',
    "bare-word": b"title",
    "comment": b'{"title": "x" /* note */}',
    "invalid-utf8": b'{"title": "\xff"}',
    "overlong-utf8": b'{"title": "\xc0\xaf"}',
    "utf8-encoded-surrogate": b'{"title": "\xed\xa0\x80"}',
    "latin1-bytes": '{"title": "café"}'.encode("latin-1"),
    "nan": b'{"title": "x", "n": NaN}',
    "infinity": b'{"title": "x", "n": Infinity}',
    "minus-infinity": b'{"title": "x", "n": -Infinity}',
    "float-overflow": b'{"title": "x", "n": 1e400}',
    "negative-float-overflow": b'{"title": "x", "n": -1e400}',
    "integer-4301-digits": b'{"title": "x", "n": ' + b"9" * 4301 + b"}",
    "integer-5000-digits": b'{"title": "x", "n": ' + b"9" * 5000 + b"}",
    "nesting-100000": nested_arrays(100_000),
    "lone-high-surrogate": b'{"title": "\\ud800"}',
    "lone-low-surrogate": b'{"title": "x\\udc00y"}',
    "high-surrogate-then-letter": b'{"title": "\\ud800\\u0041"}',
    "swapped-surrogates": b'{"title": "\\ude00\\ud83d"}',
    "surrogate-in-key": b'{"title": "x", "\\ud800": 1}',
    "duplicate-key": b'{"title": "a", "title": "b"}',
    "duplicate-key-nested": b'{"title": "a", "extra": {"k": 1, "k": 2}}',
    "duplicate-unknown-key": b'{"title": "a", "x": 1, "x": 1}',
    "unescaped-control-in-string": b'{"title": "a\x01b"}',
    "single-quoted-key": b"{'title': 1}",
    "leading-zero-number": b'{"title": "x", "n": 012}',
}


@pytest.mark.parametrize("body", MALFORMED_BODIES.values(), ids=MALFORMED_BODIES.keys())
def test_malformed_json_on_create(client, body):
    assert_problem(client.raw("POST", "/api/tasks", body, JSON), 400, "malformed_json")


@pytest.mark.parametrize(
    "body",
    [MALFORMED_BODIES[name] for name in ("empty", "invalid-utf8", "duplicate-key", "lone-high-surrogate", "nan")],
)
def test_malformed_json_on_patch(client, existing_task_path, body):
    assert_problem(client.raw("PATCH", existing_task_path, body, JSON), 400, "malformed_json")


def test_a_valid_surrogate_pair_is_one_character(client):
    response = client.raw("POST", "/api/tasks", b'{"title": "\\ud83d\\ude00"}', JSON)
    assert assert_task_response(response, 201)["title"] == "\N{GRINNING FACE}"


def test_raw_utf8_is_decoded(client):
    response = client.raw("POST", "/api/tasks", '{"title": "Straße été 😀"}'.encode(), JSON)
    assert assert_task_response(response, 201)["title"] == "Straße été 😀"


def test_an_integer_of_4300_digits_is_representable(client):
    body = b'{"title": "x", "priority": ' + b"9" * 4300 + b"}"
    assert_validation_error(client.raw("POST", "/api/tasks", body, JSON), [("priority", "invalid_type")])


def test_a_large_finite_float_is_representable(client):
    body = b'{"title": "x", "priority": 1e308}'
    assert_validation_error(client.raw("POST", "/api/tasks", body, JSON), [("priority", "invalid_type")])


def test_moderate_nesting_is_a_field_error(client):
    assert_validation_error(client.raw("POST", "/api/tasks", nested_arrays(50), JSON), [("nested", "unknown_field")])


@pytest.mark.parametrize(
    "body",
    [b"[]", b'[{"title": "x"}]', b'"title"', b"1", b"1.5", b"null", b"true", b"false"],
    ids=["empty-array", "array-of-object", "string", "integer", "float", "null", "true", "false"],
)
def test_a_document_that_is_not_an_object_is_a_body_error(client, body):
    assert_validation_error(client.raw("POST", "/api/tasks", body, JSON), [("body", "invalid_type")])


def test_a_non_object_patch_body_is_a_body_error(client, existing_task_path):
    assert_validation_error(client.raw("PATCH", existing_task_path, b'["title"]', JSON), [("body", "invalid_type")])


def test_a_body_of_exactly_one_mebibyte_is_accepted(client):
    body = padded_to(ONE_MEBIBYTE)
    assert len(body) == ONE_MEBIBYTE
    assert_task_response(client.raw("POST", "/api/tasks", body, JSON), 201)


@pytest.mark.early_answer
@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (padded_to(ONE_MEBIBYTE + 1), "application/json"),
        (b"x" * (ONE_MEBIBYTE + 1), "text/plain"),
        (b"\xff" * (ONE_MEBIBYTE + 1), None),
    ],
    ids=["valid-json-one-byte-too-many", "size-before-media-type", "size-before-everything"],
)
def test_a_body_over_one_mebibyte_is_too_large(client, body, content_type):
    headers = {} if content_type is None else {"Content-Type": content_type}
    assert_problem(client.raw("POST", "/api/tasks", body, headers), 413, "payload_too_large")


@pytest.mark.early_answer
def test_a_patch_body_over_one_mebibyte_is_too_large(client, existing_task_path):
    assert_problem(client.raw("PATCH", existing_task_path, padded_to(ONE_MEBIBYTE + 1), JSON), 413, "payload_too_large")


def test_media_type_is_checked_before_syntax(client):
    assert_problem(
        client.raw("POST", "/api/tasks", b"{not json", {"Content-Type": "text/plain"}), 415, "unsupported_media_type"
    )


def test_syntax_is_checked_before_shape(client):
    assert_problem(client.raw("POST", "/api/tasks", b"[1, 2", JSON), 400, "malformed_json")


def test_patch_media_type_is_checked(client, existing_task_path):
    response = client.raw("PATCH", existing_task_path, b'{"title": "x"}', {"Content-Type": "text/plain"})
    assert_problem(response, 415, "unsupported_media_type")


def test_patch_without_content_type_is_unsupported(client, existing_task_path):
    assert_problem(client.raw("PATCH", existing_task_path, b'{"title": "x"}'), 415, "unsupported_media_type")


def test_a_chunked_body_is_read_like_any_other(client):
    chunks = [b'{"title": ', b'"chunked"', b"}"]
    response = client.raw("POST", "/api/tasks", iter(chunks), {**JSON, "Transfer-Encoding": "chunked"}, chunked=True)
    assert assert_task_response(response, 201)["title"] == "chunked"


@pytest.mark.early_answer
def test_a_chunked_body_over_one_mebibyte_is_too_large(client):
    chunks = [b" " * 65536] * 17 + [VALID_BODY]
    response = client.raw("POST", "/api/tasks", iter(chunks), {**JSON, "Transfer-Encoding": "chunked"}, chunked=True)
    assert_problem(response, 413, "payload_too_large")
