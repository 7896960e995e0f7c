"""JSON and text log formatters, the request id of the request being handled, and the access log.

Every variant configures the standard library's logging with :func:`logging_config` (its
framework's way: a dictConfig call, Django's ``LOGGING``, an ini file) and these formatters.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from contextvars import ContextVar, Token
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from tasktracker.timestamps import format_timestamp

if TYPE_CHECKING:
    from tasktracker.config import Settings

ACCESS_LOGGER = "tasktracker.access"
ERROR_LOGGER = "tasktracker.errors"
REQUEST_ID_HEADER = "X-Request-ID"

_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
_current_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
# Spec 6.2: the access line's user_id, set where a variant authenticates the request (spec 7.3).
_current_user_id: ContextVar[int | None] = ContextVar("user_id", default=None)

# The only record attributes a formatter writes besides the basics: an allow-list, because
# frameworks attach objects such as Django's ``request`` whose text would leak query strings.
STRUCTURED_FIELDS = ("method", "path", "route", "status", "duration_ms", "user_id")


def accept_request_id(incoming: str | None) -> str:
    """The client's X-Request-ID when it is well-formed (spec 6.1), else a new one."""
    if incoming is not None and _VALID_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def bind_request_id(request_id: str) -> Token[str | None]:
    return _current_request_id.set(request_id)


def unbind_request_id(token: Token[str | None]) -> None:
    try:
        _current_request_id.reset(token)
    except ValueError:
        # Finished in another context than it started (a server's worker thread handing over):
        # clearing is what matters.
        _current_request_id.set(None)


def current_request_id() -> str | None:
    return _current_request_id.get()


def bind_user_id(user_id: int | None) -> None:
    """Who the request is from, once its token is checked: the access line logs it (spec 6.2)."""
    _current_user_id.set(user_id)


def current_user_id() -> int | None:
    return _current_user_id.get()


def format_log_time(created: float) -> str:
    """A record's ``created`` (seconds since the epoch) in the spec's timestamp format."""
    return format_timestamp(datetime.fromtimestamp(created, UTC))


class JsonFormatter(logging.Formatter):
    """One JSON object per record: ts, level, logger, msg, variant, request_id, and extras."""

    def __init__(self, variant: str = "unknown", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.variant = variant

    def format(self, record: logging.LogRecord) -> str:
        document: dict[str, Any] = {
            "ts": format_log_time(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            "variant": self.variant,
        }
        request_id = getattr(record, "request_id", None) or current_request_id()
        if request_id:
            document["request_id"] = request_id
        for name in STRUCTURED_FIELDS:
            if hasattr(record, name):
                document[name] = getattr(record, name)
        if record.exc_info:
            document["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            document["stack"] = self.formatStack(record.stack_info)
        return json.dumps(document, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``LOG_FORMAT=text``: one readable line, for a person watching a terminal."""

    def __init__(self, variant: str = "unknown", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.variant = variant

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None) or current_request_id()
        line = f"{format_log_time(record.created)} {record.levelname:<8} {record.name}"
        if request_id:
            line += f" [{request_id}]"
        line += f" {record.getMessage()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def logging_config(settings: Settings) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` dictionary: everything to stdout in the chosen format."""
    variant = settings.variant
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": JsonFormatter, "variant": variant},
            "text": {"()": TextFormatter, "variant": variant},
        },
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": settings.log_format,
            },
        },
        "root": {"level": settings.log_level, "handlers": ["stdout"]},
    }


_access_logger = logging.getLogger(ACCESS_LOGGER)
_error_logger = logging.getLogger(ERROR_LOGGER)


def log_access(
    *, method: str, path: str, route: str, status: int, duration_ms: float, user_id: int | None = None
) -> None:
    """The one access line of a request (spec 6.2). ``path`` excludes the query string;
    ``user_id`` is None for a request without a valid token."""
    _access_logger.info(
        "%s %s %s",
        method,
        path,
        status,
        extra={
            "method": method,
            "path": path,
            "route": route,
            "status": status,
            "duration_ms": round(duration_ms, 3),
            "user_id": user_id,
        },
    )


def log_failure(exception: BaseException) -> None:
    """A 500 or 503: the traceback goes to the log, never to the client.

    For a problem raised from a driver's error (a 503), the driver's error is what a reader of
    the log needs, so that is the one logged.
    """
    logged = exception.__cause__ or exception
    _error_logger.error(
        "request failed: %s", type(logged).__name__, exc_info=(type(logged), logged, logged.__traceback__)
    )


def gunicorn_logging_config(settings: Settings) -> dict[str, Any]:
    """``logconfig_dict`` for gunicorn: its own lines in our format on stdout, its access log off.

    gunicorn merges this over its defaults, which send ``gunicorn.error`` to stderr in its own
    format and turn its access log on whenever a logconfig_dict is given.
    """
    config = logging_config(settings)
    config["loggers"] = {
        "gunicorn.error": {"level": settings.log_level, "handlers": [], "propagate": True},
        # The application writes the one access line per request (spec 6.2).
        "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False},
    }
    return config
