"""The account repository contract (spec 7): tests any AccountRepository runs against itself.

Subclass :class:`AccountRepositoryContract` and provide an ``account_repository`` fixture over an
empty, migrated database. The in-memory and SQLAlchemy repositories pass it; the Django ORM's and
web2py DAL's will, over their frameworks' own user tables.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tasktracker.account_service import AccountRepository
from tasktracker.errors import UsernameTaken

BASE_TIME = datetime(2026, 3, 1, 12, 0, 0, 123000, tzinfo=UTC)


class AccountRepositoryContract:
    @pytest.fixture
    def account_repository(self) -> AccountRepository:
        raise NotImplementedError("provide an account_repository fixture over an empty database")

    def test_a_user_comes_back_with_its_hash(self, account_repository: AccountRepository) -> None:
        user = account_repository.add_user("ada", "hash-of-ada", BASE_TIME)
        assert user.id >= 1 and (user.username, user.created_at) == ("ada", BASE_TIME)
        assert account_repository.user_with_password_hash("ada") == (user, "hash-of-ada")
        assert account_repository.user_with_password_hash("grace") is None

    def test_usernames_are_unique(self, account_repository: AccountRepository) -> None:
        first = account_repository.add_user("ada", "one", BASE_TIME)
        with pytest.raises(UsernameTaken):
            account_repository.add_user("ada", "two", BASE_TIME)
        # The failed insert left the transaction usable, and the first user as it was.
        second = account_repository.add_user("grace", "three", BASE_TIME)
        assert second.id != first.id
        assert account_repository.user_with_password_hash("ada") == (first, "one")

    def test_a_token_finds_its_user_until_it_expires_or_is_revoked(self, account_repository: AccountRepository) -> None:
        ada = account_repository.add_user("ada", "h", BASE_TIME)
        grace = account_repository.add_user("grace", "h", BASE_TIME)
        expires_at = BASE_TIME + timedelta(hours=1)
        account_repository.add_token("a" * 64, ada.id, BASE_TIME, expires_at)
        account_repository.add_token("b" * 64, grace.id, BASE_TIME, expires_at)
        assert account_repository.user_of_token("a" * 64, BASE_TIME) == ada
        assert account_repository.user_of_token("b" * 64, expires_at - timedelta(milliseconds=1)) == grace
        assert account_repository.user_of_token("a" * 64, expires_at) is None
        assert account_repository.user_of_token("c" * 64, BASE_TIME) is None
        account_repository.revoke_token("b" * 64)
        assert account_repository.user_of_token("b" * 64, BASE_TIME) is None
        assert account_repository.user_of_token("a" * 64, BASE_TIME) == ada, "revoking one token revokes only it"

    def test_login_failures_are_kept_per_username_with_their_times(self, account_repository: AccountRepository) -> None:
        for minute in (0, 5, 10):
            account_repository.add_login_failure("ada", BASE_TIME + timedelta(minutes=minute))
        account_repository.add_login_failure("nobody", BASE_TIME)
        since = account_repository.login_failures_since("ada", BASE_TIME + timedelta(minutes=5))
        assert sorted(since) == [BASE_TIME + timedelta(minutes=5), BASE_TIME + timedelta(minutes=10)]
        assert account_repository.login_failures_since("nobody", BASE_TIME) == [BASE_TIME]
        assert account_repository.login_failures_since("grace", BASE_TIME) == []
