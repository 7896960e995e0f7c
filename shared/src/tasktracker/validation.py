"""Validation and normalisation of request bodies and list queries (spec sections 2 and 4.3).

Every function here either returns a validated value or raises a problem carrying all the field
errors at once, already in the spec's order.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar
from urllib.parse import unquote_to_bytes

from tasktracker.domain import (
    CREATABLE_STATUSES,
    ListQuery,
    Priority,
    SortOrder,
    Status,
    TaskChanges,
)
from tasktracker.errors import FieldError, InvalidQuery, ValidationFailed

TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 10_000
TAGS_MAX_COUNT = 10
SEARCH_MAX_LENGTH = 200
LIMIT_RANGE = (1, 100)
OFFSET_RANGE = (0, 2_147_483_647)
DEFAULT_LIMIT = 20

TAG_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")
DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
DIGITS_PATTERN = re.compile(r"[0-9]+")
DESCRIPTION_ALLOWED_CONTROLS = frozenset("\t\n\r")

ChoiceT = TypeVar("ChoiceT", Status, Priority)


class FieldInvalid(Exception):
    """One field value failed one check; collected into a problem by the callers below."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _has_control_character(text: str, allowed: frozenset[str] = frozenset()) -> bool:
    return any(unicodedata.category(char) == "Cc" and char not in allowed for char in text)


def _require_string(value: object) -> str:
    if not isinstance(value, str):
        raise FieldInvalid("invalid_type", "must be a string")
    return value


def clean_title(value: object) -> str:
    title = _require_string(value).strip()
    if not title:
        raise FieldInvalid("blank", "must not be empty")
    if len(title) > TITLE_MAX_LENGTH:
        raise FieldInvalid("too_long", f"must be at most {TITLE_MAX_LENGTH} characters")
    if _has_control_character(title):
        raise FieldInvalid("invalid_format", "must not contain control characters")
    return title


def clean_description(value: object) -> str:
    description = _require_string(value)
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise FieldInvalid("too_long", f"must be at most {DESCRIPTION_MAX_LENGTH} characters")
    if _has_control_character(description, DESCRIPTION_ALLOWED_CONTROLS):
        raise FieldInvalid("invalid_format", "must not contain control characters other than tab and newlines")
    return description


def _choice(enum_type: type[ChoiceT], value: object) -> ChoiceT:
    text = _require_string(value)
    try:
        return enum_type(text)
    except ValueError:
        allowed = ", ".join(member.value for member in enum_type)
        raise FieldInvalid("invalid_choice", f"must be one of {allowed}") from None


def clean_status(value: object) -> Status:
    return _choice(Status, value)


def clean_creatable_status(value: object) -> Status:
    status = clean_status(value)
    if status not in CREATABLE_STATUSES:
        raise FieldInvalid("not_allowed", f"a task cannot be created as {status.value}")
    return status


def clean_priority(value: object) -> Priority:
    return _choice(Priority, value)


def parse_date(text: str) -> date:
    """A real calendar date written exactly ``YYYY-MM-DD``; raises FieldInvalid otherwise."""
    if DATE_PATTERN.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise FieldInvalid("invalid_date", "must be a real date written YYYY-MM-DD")


def clean_due_date(value: object) -> date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise FieldInvalid("invalid_type", "must be a string or null")
    return parse_date(value)


def clean_tag(value: object) -> str:
    tag = _require_string(value).strip().lower()
    if not tag:
        raise FieldInvalid("blank", "must not be empty")
    if not TAG_PATTERN.fullmatch(tag):
        raise FieldInvalid("invalid_format", "must match ^[a-z0-9][a-z0-9-]{0,31}$ after lower-casing")
    return tag


def _clean_tags(value: object, errors: list[FieldError]) -> tuple[str, ...] | None:
    """Tags report errors per element as well as for the array, so they collect their own."""
    if not isinstance(value, list):
        errors.append(FieldError("tags", "invalid_type", "must be an array of strings"))
        return None
    if len(value) > TAGS_MAX_COUNT:
        errors.append(FieldError("tags", "too_many", f"must have at most {TAGS_MAX_COUNT} elements"))
    tags: set[str] = set()
    for index, element in enumerate(value):
        try:
            tags.add(clean_tag(element))
        except FieldInvalid as invalid:
            errors.append(FieldError(f"tags[{index}]", invalid.code, invalid.message))
    return tuple(sorted(tags))


FieldCleaner = Callable[[object], Any]

_PATCH_CLEANERS: dict[str, FieldCleaner] = {
    "title": clean_title,
    "description": clean_description,
    "status": clean_status,
    "priority": clean_priority,
    "due_date": clean_due_date,
}
_CREATE_CLEANERS: dict[str, FieldCleaner] = {**_PATCH_CLEANERS, "status": clean_creatable_status}


def _clean_body(document: object, cleaners: dict[str, FieldCleaner]) -> tuple[dict[str, Any], list[FieldError]]:
    if not isinstance(document, dict):
        raise ValidationFailed([FieldError("body", "invalid_type", "the body must be a JSON object")])
    cleaned: dict[str, Any] = {}
    errors: list[FieldError] = []
    for name, value in document.items():
        if name == "tags":
            tags = _clean_tags(value, errors)
            if tags is not None:
                cleaned[name] = tags
        elif name in cleaners:
            try:
                cleaned[name] = cleaners[name](value)
            except FieldInvalid as invalid:
                errors.append(FieldError(name, invalid.code, invalid.message))
        else:
            errors.append(FieldError(name, "unknown_field", "is not a writable field of a task"))
    return cleaned, errors


def validate_create(document: object) -> dict[str, Any]:
    """A create body → the task's fields with defaults applied; raises ValidationFailed."""
    cleaned, errors = _clean_body(document, _CREATE_CLEANERS)
    if "title" not in cleaned and not any(error.field == "title" for error in errors):
        errors.append(FieldError("title", "required", "is required"))
    if errors:
        raise ValidationFailed(errors)
    return {
        "title": cleaned["title"],
        "description": cleaned.get("description", ""),
        "status": cleaned.get("status", Status.TODO),
        "priority": cleaned.get("priority", Priority.NORMAL),
        "due_date": cleaned.get("due_date"),
        "tags": cleaned.get("tags", ()),
    }


def validate_patch(document: object) -> TaskChanges:
    """A PATCH body → the changes it asks for; raises ValidationFailed."""
    cleaned, errors = _clean_body(document, _PATCH_CLEANERS)
    if errors:
        raise ValidationFailed(errors)
    return TaskChanges(**cleaned, sent_fields=frozenset(cleaned))


# --- list queries ---------------------------------------------------------------------------

MULTI_VALUED_PARAMETERS = frozenset({"tag"})
KNOWN_PARAMETERS = frozenset({"status", "priority", "tag", "q", "due_before", "due_after", "sort", "limit", "offset"})


class _Undecodable:
    """A query value whose bytes are not UTF-8; kept so the parameter can be reported."""


def _decode_component(component: str) -> str | _Undecodable:
    raw = unquote_to_bytes(component.replace("+", " "))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return _Undecodable()


def split_query_string(query_string: str) -> dict[str, list[str | _Undecodable]]:
    """``application/x-www-form-urlencoded`` pairs of the known parameters, in order.

    ``query_string`` is the raw string from the WSGI environ (``QUERY_STRING``), which holds
    bytes as latin-1 characters; every variant passes it unchanged so all six decode alike.
    """
    parameters: dict[str, list[str | _Undecodable]] = {}
    for pair in query_string.split("&"):
        if not pair:
            continue
        raw_name, _, raw_value = pair.partition("=")
        name = _decode_component(raw_name)
        if isinstance(name, str) and name in KNOWN_PARAMETERS:
            parameters.setdefault(name, []).append(_decode_component(raw_value))
    return parameters


def _parse_choices(enum_type: type[ChoiceT], text: str) -> frozenset[ChoiceT]:
    try:
        return frozenset(enum_type(element) for element in text.split(","))
    except ValueError:
        allowed = ", ".join(member.value for member in enum_type)
        raise FieldInvalid("invalid_choice", f"must be a comma-separated list of {allowed}") from None


def _parse_bounded_integer(text: str, bounds: tuple[int, int]) -> int:
    if not DIGITS_PATTERN.fullmatch(text):
        raise FieldInvalid("invalid_format", "must be written with decimal digits only")
    low, high = bounds
    # Compare as text first: a thousand-digit number must not cost a thousand-digit conversion.
    if len(text.lstrip("0")) > len(str(high)) or not low <= int(text) <= high:
        raise FieldInvalid("out_of_range", f"must be between {low} and {high}")
    return int(text)


def _parse_search(text: str) -> str:
    if not text:
        raise FieldInvalid("blank", "must not be empty")
    if len(text) > SEARCH_MAX_LENGTH:
        raise FieldInvalid("too_long", f"must be at most {SEARCH_MAX_LENGTH} characters")
    return text.casefold()


def _parse_sort(text: str) -> SortOrder:
    try:
        return SortOrder.parse(text)
    except ValueError:
        raise FieldInvalid(
            "invalid_choice",
            "must be one of created_at, updated_at, due_date, priority, optionally prefixed with -",
        ) from None


_QUERY_PARSERS: dict[str, Callable[[str], Any]] = {
    "status": lambda text: _parse_choices(Status, text),
    "priority": lambda text: _parse_choices(Priority, text),
    "q": _parse_search,
    "due_before": parse_date,
    "due_after": parse_date,
    "sort": _parse_sort,
    "limit": lambda text: _parse_bounded_integer(text, LIMIT_RANGE),
    "offset": lambda text: _parse_bounded_integer(text, OFFSET_RANGE),
}

_QUERY_FIELDS = {"status": "statuses", "priority": "priorities", "q": "search"}


def parse_list_query(query_string: str) -> ListQuery:
    """The raw query string of ``GET /api/tasks`` → a ListQuery; raises InvalidQuery."""
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for name, raw_values in split_query_string(query_string).items():
        if name not in MULTI_VALUED_PARAMETERS and len(raw_values) > 1:
            errors.append(FieldError(name, "too_many", "must be given at most once"))
            continue
        parser = clean_tag if name == "tag" else _QUERY_PARSERS[name]
        parsed = []
        for raw_value in raw_values:
            try:
                if isinstance(raw_value, _Undecodable):
                    raise FieldInvalid("invalid_format", "must be valid UTF-8")
                parsed.append(parser(raw_value))
            except FieldInvalid as invalid:
                errors.append(FieldError(name, invalid.code, invalid.message))
        if name == "tag":
            values["tags"] = frozenset(parsed)
        elif parsed:
            values[_QUERY_FIELDS.get(name, name)] = parsed[0]
    if errors:
        raise InvalidQuery(errors)
    return ListQuery(**values)
