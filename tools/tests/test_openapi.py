"""docs/openapi.yaml against the rules it describes: shared's routes and its validators.

Schemathesis (reliability/test_fuzz.py) generates requests from the document and expects a value
the document calls valid to be accepted; these tests hold each request value's schema to the
function in ``tasktracker.validation`` that judges it, through jsonschema-rs, the validator
schemathesis itself uses.
"""

from __future__ import annotations

from pathlib import Path

import jsonschema_rs
import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from tasktracker import SPEC_VERSION
from tasktracker.http import ROUTES
from tasktracker.validation import FieldInvalid, clean_description, clean_tag, clean_title, parse_date

DOCUMENT = yaml.safe_load((Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml").read_text(encoding="utf-8"))
# Every character str.strip() removes, the control characters, and some that look like either.
AWKWARD = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000"
    "\ufeff\x00\x07\x7f\x9f\u212aKk-0aZ\u0130"
)
TEXT = st.text(st.one_of(st.sampled_from(AWKWARD), st.characters(exclude_categories=("Cs",))), max_size=40)


def accepts(schema_name: str, value: str) -> bool:
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
