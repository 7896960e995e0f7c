"""The problem-details model (RFC 9457) and one exception type per problem code of the spec."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar

from tasktracker.observability.logging import log_failure

PROBLEM_CONTENT_TYPE = "application/problem+json"

# RFC 9110 reason phrases, written out because http.HTTPStatus changed some of them in Python 3.13.
REASON_PHRASES: dict[int, str] = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    412: "Precondition Failed",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


@dataclass(frozen=True, order=True)
class FieldError:
    """One entry of a problem's ``errors``; ordering is the spec's: by field, then code."""

    field: str
    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


class ProblemError(Exception):
    """An error the spec names. Variants render it with :func:`problem_document`."""

    status: ClassVar[int]
    code: ClassVar[str]
    default_detail: ClassVar[str]

    def __init__(self, detail: str | None = None) -> None:
        self.detail = detail or self.default_detail
        super().__init__(self.detail)

    @property
    def title(self) -> str:
        return REASON_PHRASES[self.status]

    @property
    def headers(self) -> dict[str, str]:
        return {}

    def to_dict(self, request_id: str) -> dict[str, Any]:
        return {
            "type": "about:blank",
            "title": self.title,
            "status": self.status,
            "code": self.code,
            "detail": self.detail,
            "request_id": request_id,
        }


class FieldErrorsProblem(ProblemError):
    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__()
        self.errors = sorted(errors)

    def to_dict(self, request_id: str) -> dict[str, Any]:
        document = super().to_dict(request_id)
        document["errors"] = [error.to_dict() for error in self.errors]
        return document


class MalformedJson(ProblemError):
    status, code = 400, "malformed_json"
    default_detail = "The request body is not a valid UTF-8 JSON document."


class BadRequest(ProblemError):
    """A request the framework itself refuses before the API sees it (a Host it does not serve)."""

    status, code = 400, "bad_request"
    default_detail = "The request is not one this server can handle."


class InvalidQuery(FieldErrorsProblem):
    status, code = 400, "invalid_query"
    default_detail = "One or more query parameters are invalid."


class NotFound(ProblemError):
    status, code = 404, "not_found"
    default_detail = "No resource exists at this path."


class TaskNotFound(NotFound):
    default_detail = "No task exists with this id."


class MethodNotAllowed(ProblemError):
    status, code = 405, "method_not_allowed"
    default_detail = "This method is not allowed on this resource."

    def __init__(self, allowed_methods: tuple[str, ...]) -> None:
        super().__init__(f"This resource allows {', '.join(allowed_methods)}.")
        self.allowed_methods = allowed_methods

    @property
    def headers(self) -> dict[str, str]:
        return {"Allow": ", ".join(self.allowed_methods)}


class InvalidTransition(ProblemError):
    status, code = 409, "invalid_transition"
    default_detail = "This status change is not allowed."

    def __init__(self, from_status: str, to_status: str) -> None:
        super().__init__(f"A task cannot go from {from_status} to {to_status}.")


class TaskArchived(ProblemError):
    status, code = 409, "task_archived"
    default_detail = "An archived task cannot be modified."


class PreconditionFailed(ProblemError):
    status, code = 412, "precondition_failed"
    default_detail = "If-Match does not match the task's current ETag."


class PayloadTooLarge(ProblemError):
    status, code = 413, "payload_too_large"
    default_detail = "The request body is larger than 1 MiB."


class UnsupportedMediaType(ProblemError):
    status, code = 415, "unsupported_media_type"
    default_detail = "The request body must be sent as application/json in UTF-8."


class ValidationFailed(FieldErrorsProblem):
    status, code = 422, "validation_error"
    default_detail = "The request body is invalid."


# --- accounts and tokens (spec 7) --------------


class _BearerChallenge(ProblemError):
    """A 401 of the bearer scheme: its ``WWW-Authenticate`` challenge (RFC 6750 §3)."""

    status = 401
    challenge: ClassVar[str]

    @property
    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": self.challenge}


class Unauthenticated(_BearerChallenge):
    """No credentials at all: the challenge names only the realm (RFC 6750 §3.1)."""

    code, challenge = "unauthenticated", 'Bearer realm="task-tracker"'
    default_detail = "This resource needs an Authorization: Bearer token."


class InvalidToken(_BearerChallenge):
    """A malformed, unknown, expired or revoked token."""

    code, challenge = "invalid_token", 'Bearer realm="task-tracker", error="invalid_token"'
    default_detail = "The bearer token is malformed, unknown, expired or revoked."


class InvalidCredentials(ProblemError):
    """The same for an unknown user and a wrong password. The failed attempt it records is
    committed although the response is an error (``UnitOfWork.commit_even_if_failed``)."""

    status, code = 401, "invalid_credentials"
    default_detail = "The username or the password is wrong."


class SignupClosed(ProblemError):
    status, code = 403, "signup_closed"
    default_detail = "Sign-up is closed on this server."


class UsernameTaken(ProblemError):
    status, code = 409, "username_taken"
    default_detail = "This username is taken."


class TooManyAttempts(ProblemError):
    status, code = 429, "too_many_attempts"
    default_detail = "Too many failed attempts for this username; try again later."

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(f"Too many failed attempts for this username; retry in {retry_after_seconds} s.")
        self.retry_after_seconds = retry_after_seconds

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_seconds)}


class InternalError(ProblemError):
    status, code = 500, "internal_error"
    default_detail = "The server failed to handle this request."


class Unavailable(ProblemError):
    """The database could not be reached or used. Repositories raise it from the driver's error."""

    status, code = 503, "unavailable"
    default_detail = "The service cannot reach its database."


@contextmanager
def unavailable_on(*database_failures: type[BaseException]) -> Iterator[None]:
    """Turn the given driver or ORM errors into a 503, keeping them as its cause.

    Each repository names its own: failures of the database itself (unreachable, gone away,
    locked past the timeout), as opposed to programming errors, which stay 500s.
    """
    try:
        yield
    except database_failures as failure:
        raise Unavailable() from failure


def problem_for(exception: BaseException) -> ProblemError:
    """The problem to answer with: the exception itself, or a bare 500 that reveals nothing."""
    return exception if isinstance(exception, ProblemError) else InternalError()


def needs_error_log(problem: ProblemError) -> bool:
    """500s and 503s are logged with their traceback (spec 6.2); client errors are not."""
    return problem.status >= 500


def handle_failure(exception: BaseException) -> ProblemError:
    """What every variant's error handler does with an exception: the problem to answer with,
    after logging a 500 or 503 with its traceback (spec 6.2). Client errors are not logged."""
    problem = problem_for(exception)
    if needs_error_log(problem):
        log_failure(exception)
    return problem
