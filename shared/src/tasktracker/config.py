"""Configuration from the environment (spec 6.4): the same names and syntax in every variant.

``DATABASE_URL`` is always written in SQLAlchemy's form; ``parse_database_url`` takes it apart
so that the Django ORM and web2py's DAL can be configured from the same string.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

DEFAULT_DATABASE_URL = "sqlite:///var/tasks.db"
LOG_FORMATS = ("json", "text")
# Spec 7.2: a token's life, in hours, unless TOKEN_TTL_HOURS says otherwise.
DEFAULT_TOKEN_TTL_HOURS = 720.0
_BOOLEANS = {"true": True, "false": False}


def parse_allow_signup(text: str) -> bool:
    """``ALLOW_SIGNUP``: ``true`` or ``false``, in any case; anything else fails start-up."""
    try:
        return _BOOLEANS[text.strip().lower()]
    except KeyError:
        raise ValueError(f"ALLOW_SIGNUP must be true or false, not {text!r}") from None


def parse_token_ttl_hours(text: str) -> float:
    """``TOKEN_TTL_HOURS``: a positive decimal number of hours (``0.002`` is 7.2 seconds)."""
    try:
        hours = float(text)
    except ValueError:
        hours = math.nan
    if not math.isfinite(hours) or hours <= 0:
        raise ValueError(f"TOKEN_TTL_HOURS must be a positive number of hours, not {text!r}")
    return hours


@dataclass(frozen=True)
class DatabaseUrl:
    """A parsed ``DATABASE_URL``: ``sqlite`` with an absolute ``path``, or ``postgresql``."""

    backend: str
    path: Path | None = None
    host: str = ""
    port: int | None = None
    user: str = ""
    password: str = ""
    name: str = ""


def parse_database_url(url: str, base_dir: Path | None = None) -> DatabaseUrl:
    """``sqlite:///relative.db`` is relative to ``base_dir`` (default: the working directory)."""
    scheme, _, rest = url.partition("://")
    if scheme == "sqlite":
        if not rest.startswith("/") or len(rest) < 2:
            raise ValueError("a SQLite DATABASE_URL looks like sqlite:///relative.db or sqlite:////absolute.db")
        path = Path(rest[1:])
        return DatabaseUrl(backend="sqlite", path=path if path.is_absolute() else (base_dir or Path.cwd()) / path)
    if scheme.split("+")[0] in ("postgresql", "postgres"):
        parts = urlsplit(url)
        return DatabaseUrl(
            backend="postgresql",
            host=parts.hostname or "localhost",
            port=parts.port or 5432,
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            name=parts.path.lstrip("/"),
        )
    raise ValueError(f"DATABASE_URL must start with sqlite:/// or postgresql://, not {scheme}://")


def ensure_sqlite_folder(database: DatabaseUrl) -> None:
    """The default database lives under var/, which a fresh checkout does not have yet."""
    if database.backend == "sqlite" and database.path is not None:
        database.path.parent.mkdir(parents=True, exist_ok=True)


@cache
def variant_table() -> dict[str, dict[str, Any]]:
    """``variants.toml``: each variant's framework distribution and default port, by name."""
    return tomllib.loads(files("tasktracker").joinpath("variants.toml").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Settings:
    """Everything a variant reads from the environment, and who it is.

    A variant names itself once, in ``Settings.from_env("flask")``; every shared helper that
    needs its name or framework (logging, ``GET /api``, ``app_info``, gunicorn) takes the settings.
    """

    variant: str
    framework: str
    database_url: str
    host: str
    port: int
    log_level: str
    log_format: str
    web_concurrency: int
    thread_pool: int
    secret_key: str
    allow_signup: bool = True
    token_ttl_hours: float = DEFAULT_TOKEN_TTL_HOURS

    @property
    def database(self) -> DatabaseUrl:
        return parse_database_url(self.database_url)

    @classmethod
    def from_env(cls, variant: str, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        declared = variant_table()[variant]
        log_format = env.get("LOG_FORMAT", "json").lower()
        if log_format not in LOG_FORMATS:
            raise ValueError(f"LOG_FORMAT must be json or text, not {log_format!r}")
        return cls(
            variant=variant,
            framework=declared["framework"],
            database_url=env.get("DATABASE_URL", DEFAULT_DATABASE_URL),
            host=env.get("HOST", "127.0.0.1"),
            port=int(env.get("PORT", declared["port"])),
            log_level=env.get("LOG_LEVEL", "info").upper(),
            log_format=log_format,
            web_concurrency=int(env.get("WEB_CONCURRENCY", "2")),
            # Threads of a one-process server; 10 is Cheroot's own default.
            thread_pool=int(env.get("THREAD_POOL", "10")),
            # Only for frameworks that sign something; the API uses no cookies or sessions.
            secret_key=env.get("SECRET_KEY", "development-only-not-secret"),
            allow_signup=parse_allow_signup(env.get("ALLOW_SIGNUP", "true")),
            token_ttl_hours=parse_token_ttl_hours(env.get("TOKEN_TTL_HOURS", str(DEFAULT_TOKEN_TTL_HOURS))),
        )
