"""The account service: sign-up, tokens, authentication, revocation (spec 7).

Like the task service, it
takes primitive values and a repository and raises the spec's problems; the variant owns the
transaction. A variant whose framework has its own user model and hasher gives this service a
repository over that model and a hasher over that machinery.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from tasktracker import accounts
from tasktracker.config import DEFAULT_TOKEN_TTL_HOURS, Settings
from tasktracker.domain import utc_now

if TYPE_CHECKING:
    from tasktracker.unit_of_work import UnitOfWork
from tasktracker.errors import (
    InvalidCredentials,
    InvalidToken,
    SignupClosed,
    TooManyAttempts,
    Unauthenticated,
)


@dataclass(frozen=True)
class User:
    id: int
    username: str
    created_at: datetime


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime
    user: User


class AccountRepository(Protocol):
    def add_user(self, username: str, password_hash: str, created_at: datetime) -> User:
        """The new user; raises UsernameTaken when the (unique) username exists, even concurrently."""
        ...

    def user_with_password_hash(self, username: str) -> tuple[User, str] | None:
        """The user of this (normalised) username and its stored hash, or None."""
        ...

    def add_token(self, digest: str, user_id: int, created_at: datetime, expires_at: datetime) -> None: ...

    def user_of_token(self, digest: str, now: datetime) -> User | None:
        """The user of a token that is neither expired at ``now`` nor revoked."""
        ...

    def revoke_token(self, digest: str) -> None: ...

    def add_login_failure(self, key: str, at: datetime) -> None:
        """Record a failed attempt under ``key`` (``accounts.failure_key`` of the username)."""
        ...

    def login_failures_since(self, key: str, since: datetime) -> list[datetime]: ...


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, stored_hash: str, password: str) -> bool:
        """Never raises for a wrong password or a hash it cannot read: False."""
        ...

    def verify_dummy(self, password: str) -> None:
        """Spends what one verification spends, for a username that does not exist."""
        ...


class AuthEvents(Protocol):
    def auth_attempt(self, outcome: str) -> None:
        """``success``, ``invalid_credentials`` or ``locked``: the ``auth_attempts_total`` outcomes."""
        ...

    def authenticated(self, user_id: int) -> None:
        """A request's token was valid: its access line names the user (spec 6.2)."""
        ...


class IgnoreAuthEvents:
    def auth_attempt(self, outcome: str) -> None:
        pass

    def authenticated(self, user_id: int) -> None:
        pass


@dataclass(frozen=True)
class Authenticated:
    """Who a request is from, and the digest of the token it came with (for revoking it)."""

    user: User
    token_digest: str


class AccountService:
    def __init__(
        self,
        repository: AccountRepository,
        hasher: PasswordHasher,
        events: AuthEvents | None = None,
        clock: Callable[[], datetime] = utc_now,
        token_ttl_hours: float = DEFAULT_TOKEN_TTL_HOURS,
        allow_signup: bool = True,
        keep_failed_attempt: Callable[[], None] = lambda: None,
    ) -> None:
        self.repository = repository
        # Called once a failed attempt is recorded: the transaction must keep it although the
        # request is answered with an error (UnitOfWork.commit_even_if_failed).
        self.keep_failed_attempt = keep_failed_attempt
        self.hasher = hasher
        self.events = events or IgnoreAuthEvents()
        self.clock = clock
        self.token_ttl_hours = token_ttl_hours
        self.allow_signup = allow_signup

    @classmethod
    def over(
        cls, unit_of_work: UnitOfWork, hasher: PasswordHasher, settings: Settings, events: AuthEvents
    ) -> AccountService:
        """The service on a request's unit of work, as ``settings`` (ALLOW_SIGNUP, TOKEN_TTL_HOURS)
        configure it: what every variant uses."""
        return cls(
            unit_of_work.accounts,
            hasher,
            events=events,
            token_ttl_hours=settings.token_ttl_hours,
            allow_signup=settings.allow_signup,
            keep_failed_attempt=unit_of_work.commit_even_if_failed,
        )

    def check_signup_open(self) -> None:
        """Before the body is read: with sign-up off, the route is 403 whatever is sent."""
        if not self.allow_signup:
            raise SignupClosed()

    def sign_up(self, document: object) -> User:
        self.check_signup_open()
        credentials = accounts.validate_signup(document)
        return self.repository.add_user(credentials.username, self.hasher.hash(credentials.password), self.clock())

    def issue_token(self, document: object) -> IssuedToken:
        """A new token for valid credentials; every failure is recorded, and counts towards the lock-out."""
        credentials, now = accounts.validate_token_request(document), self.clock()
        failure_key = accounts.failure_key(credentials.username)
        failures = self.repository.login_failures_since(failure_key, now - accounts.LOCKOUT_WINDOW)
        retry_after = accounts.lockout_retry_after(failures, now)
        if retry_after is not None:
            self.events.auth_attempt("locked")
            raise TooManyAttempts(retry_after)
        found = self.repository.user_with_password_hash(credentials.username)
        if found is None:
            self.hasher.verify_dummy(credentials.password)
        if found is None or not self.hasher.verify(found[1], credentials.password):
            self.repository.add_login_failure(failure_key, now)
            self.keep_failed_attempt()
            self.events.auth_attempt("invalid_credentials")
            raise InvalidCredentials()
        user, token = found[0], accounts.new_token()
        expires_at = accounts.token_expiry(now, self.token_ttl_hours)
        self.repository.add_token(accounts.token_digest(token), user.id, now, expires_at)
        self.events.auth_attempt("success")
        return IssuedToken(token, expires_at, user)

    def authenticate(self, authorization: str | None) -> Authenticated:
        """The user of the request's ``Authorization`` header; raises Unauthenticated or InvalidToken.

        A well-formed token is looked up, so that a database outage is a 503, never a 401.
        """
        try:
            token = accounts.bearer_token(authorization)
        except accounts.MissingCredentials:
            raise Unauthenticated() from None
        except accounts.MalformedCredentials:
            raise InvalidToken() from None
        digest = accounts.token_digest(token)
        user = self.repository.user_of_token(digest, self.clock())
        if user is None:
            raise InvalidToken()
        self.events.authenticated(user.id)
        return Authenticated(user, digest)

    def revoke(self, authenticated: Authenticated) -> None:
        self.repository.revoke_token(authenticated.token_digest)
