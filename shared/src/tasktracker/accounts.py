"""The rules of accounts and API tokens (spec 7).

Sign-up and token requests are validated here, tokens are made and
digested here, and the ``Authorization`` header and the lock-out window are read here, once.
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from importlib.resources import files
from typing import Any

from tasktracker.errors import FieldError, ValidationFailed
from tasktracker.timestamps import format_timestamp

USERNAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9_.-]{2,31}")
PASSWORD_LENGTH_RANGE = (8, 256)
# 32 bytes from the OS's generator, base64url without padding: 43 characters, 256 bits.
TOKEN_BYTES = 32
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]+")
TOKEN_TYPE = "Bearer"
# The lock-out: this many failures for one username within the window lock it until the oldest
# of them leaves the window.
LOCKOUT_FAILURES = 5
LOCKOUT_WINDOW = timedelta(minutes=15)
# The name of the user that owns the tasks of a database migrated from 1.x, and the prefix of a
# password hash no hasher ever produces, so that nobody can log in as that user.
LEGACY_USERNAME = "legacy"
UNUSABLE_PASSWORD_PREFIX = "!"


@cache
def common_passwords() -> frozenset[str]:
    """The blocklist: lower-cased, 8 characters or more (its header names its source)."""
    text = files("tasktracker").joinpath("common-passwords.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


@dataclass(frozen=True)
class Credentials:
    """A validated username (normalised) and password (as sent)."""

    username: str
    password: str


def normalise_username(username: str) -> str:
    return username.strip().lower()


def _strings(document: object, names: tuple[str, ...], errors: list[FieldError]) -> dict[str, str]:
    """The body's string fields by name; what is missing, of another type or unknown goes to ``errors``."""
    if not isinstance(document, dict):
        raise ValidationFailed([FieldError("body", "invalid_type", "the body must be a JSON object")])
    found: dict[str, str] = {}
    for name, value in document.items():
        if name not in names:
            errors.append(FieldError(name, "unknown_field", "is not a field of this request"))
        elif not isinstance(value, str):
            errors.append(FieldError(name, "invalid_type", "must be a string"))
        else:
            found[name] = value
    errors.extend(FieldError(name, "required", "is required") for name in names if name not in document)
    return found


def validate_signup(document: object) -> Credentials:
    """A sign-up body → its credentials; raises ValidationFailed with every field error at once."""
    errors: list[FieldError] = []
    found = _strings(document, ("username", "password"), errors)
    username = normalise_username(found["username"]) if "username" in found else None
    if username is not None and not USERNAME_PATTERN.fullmatch(username):
        errors.append(
            FieldError(
                "username", "invalid_format", "must be 3-32 of a-z, 0-9, '_', '.', '-', starting with a-z or 0-9"
            )
        )
        username = None
    password = found.get("password")
    if password is not None:
        low, high = PASSWORD_LENGTH_RANGE
        if len(password) < low:
            errors.append(FieldError("password", "too_short", f"must be at least {low} characters"))
        elif len(password) > high:
            errors.append(FieldError("password", "too_long", f"must be at most {high} characters"))
        elif username is not None and password.strip().lower() == username:
            errors.append(FieldError("password", "too_similar", "must not be the username"))
        elif password.lower() in common_passwords():
            errors.append(FieldError("password", "too_common", "is too common"))
    if errors:
        raise ValidationFailed(errors)
    assert username is not None and password is not None
    return Credentials(username, password)


def validate_token_request(document: object) -> Credentials:
    """A token request body → its credentials: two strings, nothing checked that would reveal a rule."""
    errors: list[FieldError] = []
    found = _strings(document, ("username", "password"), errors)
    if errors:
        raise ValidationFailed(errors)
    return Credentials(normalise_username(found["username"]), found["password"])


# --- tokens -----------------------------------------------------------------------------------


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token: str) -> str:
    """What the database stores for a token: its SHA-256, in hex. A token is already 256 random
    bits, so a fast hash is enough; a slow one would only slow every request."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def token_expiry(issued_at: datetime, ttl_hours: float) -> datetime:
    return issued_at + timedelta(hours=ttl_hours)


class MissingCredentials(Exception):
    """No Authorization header at all."""


class MalformedCredentials(Exception):
    """An Authorization header that is not ``Bearer <token>``."""


def bearer_token(authorization: str | None) -> str:
    """The token of an ``Authorization`` header (RFC 6750 §2.1: the scheme is case-insensitive)."""
    if authorization is None:
        raise MissingCredentials()
    scheme, separator, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not separator or not TOKEN_PATTERN.fullmatch(token):
        raise MalformedCredentials()
    return token


# --- the lock-out -----------------------------------------------------------------------------


def failure_key(username: str) -> str:
    """What a failed attempt is stored under: the SHA-256, in hex, of the normalised username.

    A token request checks no length or format (that would reveal the rules of stored names), so
    the username may be any string; its digest has a fixed size that every index takes.
    """
    return hashlib.sha256(username.encode("utf-8", "surrogatepass")).hexdigest()


def lockout_retry_after(failures: list[datetime], now: datetime) -> int | None:
    """Seconds until the username may try again, or None when it is not locked.

    ``failures`` are the times of its failed attempts; only those within the window count.
    """
    recent = sorted(moment for moment in failures if now - moment < LOCKOUT_WINDOW)
    if len(recent) < LOCKOUT_FAILURES:
        return None
    # The lock lifts when enough of the oldest failures have left the window.
    unlocks_at = recent[len(recent) - LOCKOUT_FAILURES] + LOCKOUT_WINDOW
    return max(1, math.ceil((unlocks_at - now).total_seconds()))


def unusable_password() -> str:
    """A stored password hash that no password verifies against (the ``legacy`` user's)."""
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)


def user_document(user_id: int, username: str, created_at: datetime) -> dict[str, Any]:
    """The representation of a user: ``GET /api/users/me`` and the sign-up's 201."""
    return {"id": user_id, "username": username, "created_at": format_timestamp(created_at)}


def token_document(token: str, expires_at: datetime) -> dict[str, Any]:
    """The 201 of ``POST /api/tokens``: the token itself, shown this once and never again."""
    return {"token": token, "token_type": TOKEN_TYPE, "expires_at": format_timestamp(expires_at)}
