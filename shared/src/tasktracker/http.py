"""Framework-neutral HTTP rules of the spec: bodies, ids, ETags, routes, and the fixed documents.

A variant hands raw values (header strings, body bytes, path segments) to these functions, so
that all six read a request the same way whatever their framework would have done by default.
"""

from __future__ import annotations

import json
import platform
import re
from importlib.metadata import version as installed_version
from typing import Any, BinaryIO

from tasktracker import SPEC_VERSION
from tasktracker.config import Settings
from tasktracker.domain import MAX_TASK_ID
from tasktracker.errors import (
    MalformedJson,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    ProblemError,
    TaskNotFound,
    UnsupportedMediaType,
)

JSON_CONTENT_TYPE = "application/json"
MAX_BODY_BYTES = 1024 * 1024

# The spec's route templates and their methods (spec section 4), in the order the Allow header lists them.
ROUTES: dict[str, tuple[str, ...]] = {
    "/api": ("GET", "HEAD"),
    "/api/users": ("POST",),
    "/api/users/me": ("GET", "HEAD"),
    "/api/tokens": ("POST",),
    "/api/tokens/current": ("DELETE",),
    "/api/tasks": ("GET", "HEAD", "POST"),
    "/api/tasks/stats": ("GET", "HEAD"),
    "/api/tasks/{id}": ("GET", "HEAD", "PATCH", "DELETE"),
    "/health/live": ("GET", "HEAD"),
    "/health/ready": ("GET", "HEAD"),
    "/metrics": ("GET", "HEAD"),
}
# The routes that need ``Authorization: Bearer <token>`` (spec 7.3), checked after the route and
# method (404, 405) and before anything else.
AUTHENTICATED_ROUTES = frozenset(
    {"/api/users/me", "/api/tokens/current", "/api/tasks", "/api/tasks/stats", "/api/tasks/{id}"}
)
UNMATCHED_ROUTE = "unmatched"
# Spec 7.1: the sign-up's Location, the current user.
CURRENT_USER_PATH = "/api/users/me"
# Spec 7.2: a response that carries a token is never stored by a cache (RFC 6749 5.1).
TOKEN_RESPONSE_HEADERS = {"Cache-Control": "no-store"}

# Any one segment but the literal sibling route's: /api/tasks/stats is never a task (spec 4).
TASK_ID_SEGMENT = r"(?!stats$)[^/]+"
_TASK_PATH = re.compile(rf"/api/tasks/{TASK_ID_SEGMENT}")
_CANONICAL_ID = re.compile(r"[1-9][0-9]{0,9}")


def route_template_for_path(path: str) -> str:
    """The template whose path matches ``path``, or ``unmatched``.

    For variants whose framework does not name the matched route (object dispatch); the others
    map their router's own rule to the template.
    """
    if path in ROUTES:
        return path
    if _TASK_PATH.fullmatch(path):
        return "/api/tasks/{id}"
    return UNMATCHED_ROUTE


# A router's placeholder for the one path variable: Flask's and Django's <task_id:…>, Bottle's <task_id:re:…>.
_ROUTER_PLACEHOLDER = re.compile(r"<[^>]+>")


def route_template_for_rule(rule: str) -> str:
    """A router's own rule as the spec's template: ``/api/tasks/<task_id>`` → ``/api/tasks/{id}``.

    For routers that name the rule they matched (Flask, Django, Bottle). A rule without a leading
    slash (Django's ``api/tasks/<str:task_id>``) gets one.
    """
    template = _ROUTER_PLACEHOLDER.sub("{id}", rule)
    return template if template.startswith("/") else "/" + template


def method_not_allowed(route_template: str) -> MethodNotAllowed:
    return MethodNotAllowed(ROUTES[route_template])


def problem_for_routing_status(status: int, path: str) -> ProblemError | None:
    """The spec's problem for a status the framework's router or body limit chose by itself.

    404 (no route), 405 (a route, not this method: ``Allow`` lists the spec's methods for the
    template that matches ``path``) and 413 (the framework's own body limit). None for any other
    status: that one is an unexpected failure, answered 500.
    """
    if status == 404:
        return NotFound()
    if status == 405:
        route_template = route_template_for_path(path)
        return method_not_allowed(route_template) if route_template != UNMATCHED_ROUTE else NotFound()
    if status == 413:
        return PayloadTooLarge()
    return None


def parse_task_id(segment: str) -> int:
    """The id in ``/api/tasks/{id}``: canonical decimal, 1 to 2147483647 (spec 4.8)."""
    if _CANONICAL_ID.fullmatch(segment) and int(segment) <= MAX_TASK_ID:
        return int(segment)
    raise TaskNotFound()


# --- bodies ---------------------------------------------------------------------------------


def check_content_length(content_length: int | None) -> None:
    """Reject an announced body over the limit before reading it."""
    if content_length is not None and content_length > MAX_BODY_BYTES:
        raise PayloadTooLarge()


def read_capped_body(stream: BinaryIO, content_length: int | None) -> bytes:
    """The raw body from the server's input stream, never more than one byte past the limit.

    For frameworks whose own body reading gets in the way (reads everything first, spools to
    disk, or decodes a chunked body again). ``content_length`` is the announced length, or None
    when there is none (a chunked body): an announced body over the limit is refused unread, and
    one byte past the limit is enough for :func:`decode_json_body` to answer 413.
    """
    check_content_length(content_length)
    return stream.read(MAX_BODY_BYTES + 1)


def is_json_media_type(content_type: str | None) -> bool:
    if not content_type:
        return False
    media_type, *parameters = content_type.split(";")
    if media_type.strip().lower() != JSON_CONTENT_TYPE:
        return False
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() != "utf-8":
            return False
    return True


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _parse_float(text: str) -> float:
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise ValueError("number out of range")
    return number


def _object_without_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) != len(pairs):
        raise ValueError("duplicate key")
    return document


def decode_json_body(content_type: str | None, body: bytes) -> object:
    """Spec 2.1 steps 1–3: size, media type, syntax. Returns the decoded JSON value."""
    if len(body) > MAX_BODY_BYTES:
        raise PayloadTooLarge()
    if not is_json_media_type(content_type):
        raise UnsupportedMediaType()
    try:
        text = body.decode("utf-8")
        document = json.loads(
            text,
            parse_constant=_reject_constant,
            parse_float=_parse_float,
            object_pairs_hook=_object_without_duplicate_keys,
        )
        # A lone surrogate escape decodes to a str that cannot be stored as UTF-8.
        json.dumps(document, ensure_ascii=False).encode("utf-8")
    except (UnicodeError, ValueError, RecursionError):
        raise MalformedJson() from None
    return document


# --- ETags (RFC 9110 section 8.8.3 and 13.1) -------------------------------------------------

_ENTITY_TAG = re.compile(r'\s*(W/)?"([\x21\x23-\x7e\x80-\xff]*)"\s*')


def etag_for(version: int) -> str:
    return f'"{version}"'


def _entity_tags(header: str) -> list[tuple[bool, str]] | None:
    """``(is_weak, opaque_tag)`` pairs, or None for ``*``. Unparsable elements are dropped."""
    if header.strip() == "*":
        return None
    tags = []
    for element in header.split(","):
        match = _ENTITY_TAG.fullmatch(element)
        if match:
            tags.append((match.group(1) is not None, match.group(2)))
    return tags


def if_match_allows(if_match: str | None, version: int) -> bool:
    """Strong comparison: a weak tag never matches. No header means no precondition."""
    if if_match is None:
        return True
    tags = _entity_tags(if_match)
    return tags is None or (False, str(version)) in tags


def if_none_match_hits(if_none_match: str | None, version: int) -> bool:
    """Weak comparison: True when the client's copy is current (answer 304)."""
    if if_none_match is None:
        return False
    tags = _entity_tags(if_none_match)
    return tags is None or any(tag == str(version) for _, tag in tags)


# --- fixed documents ------------------------------------------------------------------------


def api_info(settings: Settings) -> dict[str, str]:
    """``GET /api`` (spec 4.1)."""
    return {
        "name": "task-tracker",
        "spec_version": SPEC_VERSION,
        "variant": settings.variant,
        "framework": settings.framework,
        "framework_version": installed_version(settings.framework),
        "python_version": platform.python_version(),
    }


LIVE_DOCUMENT = {"status": "ok"}


def readiness(database_ok: bool, server_started: bool = True) -> tuple[int, dict[str, Any]]:
    """``GET /health/ready`` (spec 4.10): the status code and the document.

    ``server_started`` is False while a server answers requests before it has finished starting.
    """
    checks = {"database": "ok" if database_ok else "error"}
    if database_ok and server_started:
        return 200, {"status": "ok", "checks": checks}
    return 503, {"status": "error", "checks": checks}


def json_bytes(document: object) -> bytes:
    """Every JSON body: compact, UTF-8 (not \\u-escaped)."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
