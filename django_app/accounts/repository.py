"""The shared AccountRepository over Django's auth.User and this app's models.

Like the task repository, it runs every query in the request's transaction, which the unit of
work (tasks/unit_of_work.py) begins when the repository first needs it.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from tasks.repository import database_failures_as_unavailable

from accounts.models import ApiToken, LoginFailure
from tasktracker.account_service import User
from tasktracker.errors import UsernameTaken


# region: auth
def to_user(record) -> User:
    """auth.User → the service's user: its ``date_joined`` is the spec's ``created_at``."""
    return User(id=record.id, username=record.username, created_at=record.date_joined)


class DjangoAccountRepository:
    """``begin_transaction`` is the unit of work's: each method calls it before its first query."""

    def __init__(self, begin_transaction: Callable[[], None]) -> None:
        self.begin_transaction = begin_transaction
        self.users = get_user_model().objects

    @contextmanager
    def _in_transaction(self) -> Iterator[None]:
        with database_failures_as_unavailable():
            self.begin_transaction()
            yield

    def add_user(self, username: str, password_hash: str, created_at: datetime) -> User:
        with self._in_transaction():
            try:
                # A savepoint: auth.User's unique username refuses a taken name, even one a
                # concurrent request has just committed, and the request's transaction stays usable.
                with transaction.atomic():
                    record = self.users.create(username=username, password=password_hash, date_joined=created_at)
            except IntegrityError:
                raise UsernameTaken() from None
        return to_user(record)

    def user_with_password_hash(self, username: str) -> tuple[User, str] | None:
        with self._in_transaction():
            record = self.users.filter(username=username).first()
        return None if record is None else (to_user(record), record.password)

    def add_token(self, digest: str, user_id: int, created_at: datetime, expires_at: datetime) -> None:
        with self._in_transaction():
            ApiToken.objects.create(digest=digest, user_id=user_id, created_at=created_at, expires_at=expires_at)

    def user_of_token(self, digest: str, now: datetime) -> User | None:
        live = {"api_tokens__digest": digest, "api_tokens__expires_at__gt": now, "api_tokens__revoked": False}
        with self._in_transaction():
            record = self.users.filter(**live).only("id", "username", "date_joined").first()
        return None if record is None else to_user(record)

    def revoke_token(self, digest: str) -> None:
        with self._in_transaction():
            ApiToken.objects.filter(digest=digest).update(revoked=True)

    def add_login_failure(self, key: str, at: datetime) -> None:
        with self._in_transaction():
            LoginFailure.objects.create(username_digest=key, failed_at=at)

    def login_failures_since(self, key: str, since: datetime) -> list[datetime]:
        with self._in_transaction():
            return list(
                LoginFailure.objects.filter(username_digest=key, failed_at__gte=since).values_list(
                    "failed_at", flat=True
                )
            )


# endregion
