"""The AccountRepository (spec 7) over the DAL: web2py's auth_user, the API's tokens and failures."""

from datetime import datetime

from tasktracker.account_service import User
from tasktracker.errors import UsernameTaken, unavailable_on

from .connection import DATABASE_FAILURES, INTEGRITY_FAILURES


# region: auth
def _user(row) -> User:
    return User(id=row.id, username=row.username, created_at=row.created_at)


class DalAccountRepository:
    """On the request's ``LazyDatabase``; the unit of work owns the transaction."""

    def __init__(self, database) -> None:
        self._database = database

    @property
    def db(self):
        return self._database.db

    def add_user(self, username: str, password_hash: str, created_at: datetime) -> User:
        with unavailable_on(*DATABASE_FAILURES):
            # A savepoint: the unique index refuses a taken name, even one a concurrent request
            # has just committed, and the request's transaction stays usable after it.
            self.db.executesql("SAVEPOINT add_user;")
            try:
                user_id = self.db.auth_user.insert(username=username, password=password_hash, created_at=created_at)
            except INTEGRITY_FAILURES:
                self.db.executesql("ROLLBACK TO SAVEPOINT add_user;")
                raise UsernameTaken() from None
            self.db.executesql("RELEASE SAVEPOINT add_user;")
        return User(id=int(user_id), username=username, created_at=created_at)

    def user_with_password_hash(self, username: str) -> tuple[User, str] | None:
        with unavailable_on(*DATABASE_FAILURES):
            row = self.db(self.db.auth_user.username == username).select().first()
        return None if row is None else (_user(row), row.password)

    def add_token(self, digest: str, user_id: int, created_at: datetime, expires_at: datetime) -> None:
        with unavailable_on(*DATABASE_FAILURES):
            self.db.api_token.insert(
                digest=digest, user_id=user_id, created_at=created_at, expires_at=expires_at, revoked=False
            )

    def user_of_token(self, digest: str, now: datetime) -> User | None:
        token, user = self.db.api_token, self.db.auth_user
        valid = (token.digest == digest) & (token.expires_at > now) & (token.revoked == False)  # noqa: E712 (a DAL query)
        with unavailable_on(*DATABASE_FAILURES):
            row = self.db(valid & (user.id == token.user_id)).select(user.ALL).first()
        return None if row is None else _user(row)

    def revoke_token(self, digest: str) -> None:
        with unavailable_on(*DATABASE_FAILURES):
            self.db(self.db.api_token.digest == digest).update(revoked=True)

    def add_login_failure(self, key: str, at: datetime) -> None:
        with unavailable_on(*DATABASE_FAILURES):
            self.db.login_failure.insert(username=key, failed_at=at)

    def login_failures_since(self, key: str, since: datetime) -> list[datetime]:
        failure = self.db.login_failure
        with unavailable_on(*DATABASE_FAILURES):
            rows = self.db((failure.username == key) & (failure.failed_at >= since)).select(failure.failed_at)
        return [row.failed_at for row in rows]


# endregion
