"""docs/openapi.yaml against the rules it describes: shared's routes and its validators.

Schemathesis (reliability/test_fuzz.py) generates requests from the document and expects a value
the document calls valid to be accepted; these tests hold each request value's schema to the
function in ``tasktracker.validation`` or ``tasktracker.accounts`` that judges it, through
jsonschema-rs, the validator schemathesis itself uses.
"""

from __future__ import annotations

from pathlib import Path

import jsonschema_rs
import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from tasktracker import SPEC_VERSION, accounts
from tasktracker.errors import ValidationFailed
from tasktracker.http import ROUTES
from tasktracker.validation import FieldInvalid, clean_description, clean_tag, clean_title, parse_date

DOCUMENT = yaml.safe_load((Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml").read_text(encoding="utf-8"))
# Every character str.strip() removes, the control characters, and some that look like either.
AWKWARD = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000"
    "\ufeff\x00\x07\x7f\x9f\u212aKk-0aZ\u0130"
)
TEXT = st.text(st.one_of(st.sampled_from(AWKWARD), st.characters(exclude_categories=("Cs",))), max_size=40)


def accepts(schema_name: str, value: object) -> bool:
    validator = jsonschema_rs.validator_for(
        {"$ref": f"#/components/schemas/{schema_name}", "components": DOCUMENT["components"]}, validate_formats=True
    )
    return validator.is_valid(value)


def valid(clean, value: str) -> bool:
    try:
        clean(value)
    except FieldInvalid:
        return False
    return True


def signup_errors(document: object) -> set[tuple[str, str]]:
    """The (field, code) pairs ``accounts.validate_signup`` reports for a sign-up body."""
    try:
        accounts.validate_signup(document)
    except ValidationFailed as failure:
        return {(error.field, error.code) for error in failure.errors}
    return set()


# A password no sign-up refuses, whatever the username: not common, and longer than any username.
UNREMARKABLE_PASSWORD = "correct horse battery staple, unremarkable and long"


OPERATIONS = ("get", "head", "post", "put", "patch", "delete", "options", "trace")


def test_the_paths_and_methods_are_shareds_routes():
    documented = {
        path: {method.upper() for method in item if method in OPERATIONS} for path, item in DOCUMENT["paths"].items()
    }
    assert documented == {route: set(methods) for route, methods in ROUTES.items()}
    for route, methods in ROUTES.items():
        assert f"`Allow: {', '.join(methods)}`" in DOCUMENT["paths"][route]["description"], route


def test_the_version_is_the_specs():
    assert DOCUMENT["info"]["version"] == SPEC_VERSION
    assert DOCUMENT["components"]["schemas"]["ApiInfo"]["properties"]["spec_version"]["const"] == SPEC_VERSION


@given(TEXT)
@example(" " + "a" * 200 + "\u3000")
@example("a" * 201)
@example("\ufeff")
@example("\x85a")
def test_title_input_accepts_exactly_the_titles_shared_accepts(value):
    assert accepts("TitleInput", value) == valid(clean_title, value)


@given(TEXT)
@example(" \u212aelvin ")
@example("\u0130")
@example("a" * 32)
@example("a" * 33)
def test_tag_input_accepts_exactly_the_tags_shared_accepts(value):
    assert accepts("TagInput", value) == valid(clean_tag, value)


@given(TEXT)
@example("line\nbreak\r\n\ttab")
@example("bell\x07")
def test_description_accepts_exactly_the_descriptions_shared_accepts(value):
    assert accepts("Description", value) == valid(clean_description, value)


@pytest.mark.parametrize("value", ["2026-12-04", "0001-01-01", "9999-12-31", "2024-02-29"])
def test_real_dates_are_dates(value):
    assert accepts("Date", value) and valid(parse_date, value)


@pytest.mark.parametrize(
    "value", ["0000-01-01", "2026-02-30", "2023-02-29", "2026-13-01", "20261204", "2026-1-1", " 2026-01-01"]
)
def test_what_is_not_a_date_is_refused_by_both(value):
    assert not accepts("Date", value) and not valid(parse_date, value)


@given(st.dates())
def test_every_date_is_a_date(day):
    assert accepts("Date", day.isoformat()) and valid(parse_date, day.isoformat())


@given(TEXT)
@example(" \u212aelvin ")
@example("\u0130bc")
@example("ab")
@example("a" * 32)
@example("a" * 33)
@example("_abc")
@example("Abc.De-f_9")
def test_username_input_accepts_exactly_the_usernames_shared_accepts(value):
    errors = signup_errors({"username": value, "password": UNREMARKABLE_PASSWORD})
    assert accepts("UsernameInput", value) == (("username", "invalid_format") not in errors)


@given(TEXT | st.text(min_size=250, max_size=260))
@example("a" * 7)
@example("a" * 8)
@example("a" * 256)
@example("a" * 257)
@example("\U0001f600" * 8)
def test_password_input_accepts_exactly_the_lengths_shared_accepts(value):
    errors = signup_errors({"username": "someone", "password": value})
    assert accepts("PasswordInput", value) == (not errors & {("password", "too_short"), ("password", "too_long")})


@pytest.mark.parametrize(
    ("schema_name", "document"),
    [
        ("SignUp", {"username": "someone", "password": UNREMARKABLE_PASSWORD, "extra": 1}),
        ("SignUp", {"username": "someone"}),
        ("SignUp", {"username": 5, "password": UNREMARKABLE_PASSWORD}),
        ("TokenRequest", {"username": "someone", "password": "x", "extra": 1}),
        ("TokenRequest", {"password": "x"}),
        ("TokenRequest", {"username": "someone", "password": None}),
    ],
)
def test_a_body_shared_refuses_for_its_keys_is_refused_by_the_schema(schema_name, document):
    validate = accounts.validate_signup if schema_name == "SignUp" else accounts.validate_token_request
    with pytest.raises(ValidationFailed):
        validate(document)
    assert not accepts(schema_name, document)


@given(st.text(), st.text())
def test_token_request_accepts_every_pair_of_strings_as_shared_does(username, password):
    document = {"username": username, "password": password}
    accounts.validate_token_request(document)
    assert accepts("TokenRequest", document)
