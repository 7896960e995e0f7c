"""The AccountRepository (spec 7) over a SQLAlchemy session. The caller owns the transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exc as sqlalchemy_errors
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from tasktracker.account_service import User
from tasktracker.errors import UsernameTaken
from tasktracker.sqla.models import LoginFailureRecord, TokenRecord, UserRecord
from tasktracker.sqla.repository import as_utc, database_failures_as_unavailable


def _user(record: UserRecord) -> User:
    created_at = as_utc(record.created_at)
    assert created_at is not None
    return User(id=record.id, username=record.username, created_at=created_at)


class SqlAlchemyAccountRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add_user(self, username: str, password_hash: str, created_at: datetime) -> User:
        record = UserRecord(username=username, password_hash=password_hash, created_at=created_at)
        with database_failures_as_unavailable():
            try:
                # A savepoint: the unique index refuses a taken name, even one a concurrent request
                # has just committed, and the request's transaction stays usable after it.
                with self.session.begin_nested():
                    self.session.add(record)
            except sqlalchemy_errors.IntegrityError:
                raise UsernameTaken() from None
        return _user(record)

    def user_with_password_hash(self, username: str) -> tuple[User, str] | None:
        with database_failures_as_unavailable():
            record = self.session.scalars(select(UserRecord).where(UserRecord.username == username)).one_or_none()
        return None if record is None else (_user(record), record.password_hash)

    def add_token(self, digest: str, user_id: int, created_at: datetime, expires_at: datetime) -> None:
        values = {"digest": digest, "user_id": user_id, "created_at": created_at, "expires_at": expires_at}
        with database_failures_as_unavailable():
            self.session.execute(insert(TokenRecord).values(**values, revoked=False))

    def user_of_token(self, digest: str, now: datetime) -> User | None:
        statement = (
            select(UserRecord)
            .join(TokenRecord, TokenRecord.user_id == UserRecord.id)
            .where(TokenRecord.digest == digest, TokenRecord.expires_at > now, TokenRecord.revoked.is_(False))
        )
        with database_failures_as_unavailable():
            record = self.session.scalars(statement).one_or_none()
        return None if record is None else _user(record)

    def revoke_token(self, digest: str) -> None:
        with database_failures_as_unavailable():
            self.session.execute(update(TokenRecord).where(TokenRecord.digest == digest).values(revoked=True))

    def add_login_failure(self, key: str, at: datetime) -> None:
        with database_failures_as_unavailable():
            self.session.execute(insert(LoginFailureRecord).values(username=key, failed_at=at))

    def login_failures_since(self, key: str, since: datetime) -> list[datetime]:
        statement = select(LoginFailureRecord.failed_at).where(
            LoginFailureRecord.username == key, LoginFailureRecord.failed_at >= since
        )
        with database_failures_as_unavailable():
            moments = self.session.scalars(statement).all()
        return [moment for moment in (as_utc(each) for each in moments) if moment is not None]
