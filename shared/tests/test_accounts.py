"""Accounts and tokens (spec 7): the rules in shared/."""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime, timedelta

import pytest

from tasktracker import accounts
from tasktracker.account_service import AccountService, IgnoreAuthEvents
from tasktracker.config import Settings
from tasktracker.errors import (
    InvalidCredentials,
    InvalidToken,
    SignupClosed,
    TooManyAttempts,
    Unauthenticated,
    UsernameTaken,
    ValidationFailed,
)
from tasktracker.hashing import DUMMY_PASSWORD, FrameworkHasher
from tasktracker.memory import InMemoryAccountRepository
from tasktracker.passwords import MEMORY_COST_KIB, Argon2Hasher
from tasktracker.unit_of_work import InMemoryUnitOfWork

GOOD_PASSWORD = "correct horse battery staple"
START = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def field_errors(document: object, validate=accounts.validate_signup) -> list[tuple[str, str]]:
    with pytest.raises(ValidationFailed) as raised:
        validate(document)
    return [(error.field, error.code) for error in raised.value.errors]


# --- sign-up validation ---------------------------------------------------------------------


def test_username_is_trimmed_and_lower_cased() -> None:
    assert accounts.validate_signup({"username": "  Ada.Lovelace_1 ", "password": GOOD_PASSWORD}).username == (
        "ada.lovelace_1"
    )


@pytest.mark.parametrize("username", ["ab", "a" * 33, "-ada", ".ada", "ada lovelace", "adä", "ada@x", ""])
def test_usernames_outside_the_pattern_are_invalid_format(username: str) -> None:
    assert field_errors({"username": username, "password": GOOD_PASSWORD}) == [("username", "invalid_format")]


@pytest.mark.parametrize("username", ["abc", "a" * 32, "0day", "a_b.c-d"])
def test_usernames_inside_the_pattern_are_accepted(username: str) -> None:
    assert accounts.validate_signup({"username": username, "password": GOOD_PASSWORD}).username == username


def test_password_length_is_counted_in_code_points() -> None:
    low, high = accounts.PASSWORD_LENGTH_RANGE
    assert accounts.validate_signup({"username": "ada", "password": "é" * low}).password == "é" * low
    assert accounts.validate_signup({"username": "ada", "password": "€" * high}).password == "€" * high
    assert field_errors({"username": "ada", "password": "é" * (low - 1)}) == [("password", "too_short")]
    assert field_errors({"username": "ada", "password": "€" * (high + 1)}) == [("password", "too_long")]


def test_a_password_equal_to_the_username_is_too_similar() -> None:
    assert field_errors({"username": "adalovelace", "password": "AdaLovelace"}) == [("password", "too_similar")]
    assert field_errors({"username": " AdaLovelace ", "password": " adalovelace"}) == [("password", "too_similar")]


def test_common_passwords_are_refused_whatever_their_case() -> None:
    assert field_errors({"username": "ada", "password": "password"}) == [("password", "too_common")]
    assert field_errors({"username": "ada", "password": "PassWord1"}) == [("password", "too_common")]


def test_the_blocklist_is_lower_cased_and_holds_only_passwords_that_pass_the_length_floor() -> None:
    listed = accounts.common_passwords()
    assert len(listed) > 8000
    assert all(len(each) >= accounts.PASSWORD_LENGTH_RANGE[0] and each == each.lower() for each in listed)


def test_every_field_error_is_reported_at_once_in_order() -> None:
    assert field_errors({"username": "x", "password": "short", "admin": True}) == [
        ("admin", "unknown_field"),
        ("password", "too_short"),
        ("username", "invalid_format"),
    ]
    assert field_errors({"username": 7}) == [("password", "required"), ("username", "invalid_type")]
    assert field_errors([]) == [("body", "invalid_type")]


def test_a_token_request_checks_only_that_two_strings_were_sent() -> None:
    """No format or length rule: a failure must not tell which rule an account would break."""
    assert accounts.validate_token_request({"username": " X ", "password": "1"}) == accounts.Credentials("x", "1")
    assert field_errors({"username": "x", "extra": 1}, accounts.validate_token_request) == [
        ("extra", "unknown_field"),
        ("password", "required"),
    ]
    assert field_errors({"username": None, "password": 1}, accounts.validate_token_request) == [
        ("password", "invalid_type"),
        ("username", "invalid_type"),
    ]


# --- tokens and the Authorization header ----------------------------------------------------------


def test_tokens_are_256_random_url_safe_bits_stored_as_their_sha256() -> None:
    tokens = {accounts.new_token() for _ in range(100)}
    assert len(tokens) == 100
    assert all(len(token) == 43 and accounts.TOKEN_PATTERN.fullmatch(token) for token in tokens)
    token = tokens.pop()
    assert accounts.token_digest(token) == hashlib.sha256(token.encode()).hexdigest()


@pytest.mark.parametrize("header", ["Bearer abc_-123", "bearer abc", "BEARER abc"])
def test_a_bearer_header_gives_its_token(header: str) -> None:
    assert accounts.bearer_token(header) == header.split(" ")[1]


@pytest.mark.parametrize(
    "header", ["", "Bearer", "Bearer ", "Bearer  abc", "Bearer abc def", "Basic YWRhOng=", "Bearer ab+c"]
)
def test_anything_else_is_malformed(header: str) -> None:
    with pytest.raises(accounts.MalformedCredentials):
        accounts.bearer_token(header)


def test_no_header_is_missing_credentials() -> None:
    with pytest.raises(accounts.MissingCredentials):
        accounts.bearer_token(None)


def test_documents_show_timestamps_in_the_spec_format() -> None:
    assert accounts.user_document(3, "ada", START) == {
        "id": 3,
        "username": "ada",
        "created_at": "2026-12-02T12:00:00.000Z",
    }
    assert accounts.token_document("t", START + timedelta(hours=720)) == {
        "token": "t",
        "token_type": "Bearer",
        "expires_at": "2027-01-01T12:00:00.000Z",
    }


# --- the lock-out window ----------------------------------------------------------------------


def test_five_failures_within_the_window_lock_until_the_oldest_leaves_it() -> None:
    failures = [START + timedelta(minutes=minute) for minute in range(5)]
    assert accounts.lockout_retry_after(failures[:4], START + timedelta(minutes=5)) is None
    now = START + timedelta(minutes=5, seconds=0.5)
    assert accounts.lockout_retry_after(failures, now) == 600  # 9 min 59.5 s, rounded up
    assert accounts.lockout_retry_after(failures, START + timedelta(minutes=14, seconds=59.9)) == 1
    assert accounts.lockout_retry_after(failures, START + timedelta(minutes=15)) is None


def test_more_failures_lock_until_fewer_than_five_remain() -> None:
    failures = [START + timedelta(minutes=minute) for minute in range(7)]
    assert accounts.lockout_retry_after(failures, START + timedelta(minutes=7)) == 10 * 60


# --- the shared hasher ------------------------------------------------------------------------


def test_argon2id_at_owasp_minimum() -> None:
    hasher = Argon2Hasher()
    stored = hasher.hash(GOOD_PASSWORD)
    assert stored.startswith(f"$argon2id$v=19$m={MEMORY_COST_KIB},t=2,p=1$") and MEMORY_COST_KIB == 19456
    assert hasher.verify(stored, GOOD_PASSWORD)
    assert not hasher.verify(stored, GOOD_PASSWORD.upper())
    assert not hasher.needs_rehash(stored)
    assert hasher.hash(GOOD_PASSWORD) != stored, "each hash has its own salt"


def test_no_password_verifies_against_an_unusable_or_foreign_hash() -> None:
    hasher = Argon2Hasher()
    assert not hasher.verify(accounts.unusable_password(), "")
    assert not hasher.verify("pbkdf2_sha256$600000$salt$hash", GOOD_PASSWORD)
    assert accounts.unusable_password() != accounts.unusable_password()


# --- the service ------------------------------------------------------------------------------


class CountingHasher:
    """Fast, and counts verifications: the service's cost must not depend on whether a user exists."""

    def __init__(self) -> None:
        self.verifications = 0

    def hash(self, password: str) -> str:
        return f"plain:{password}"

    def verify(self, stored_hash: str, password: str) -> bool:
        self.verifications += 1
        return stored_hash == f"plain:{password}"

    def verify_dummy(self, password: str) -> None:
        self.verifications += 1


class RecordingEvents:
    def __init__(self) -> None:
        self.outcomes: list[str] = []

        self.authenticated_users: list[int] = []

    def auth_attempt(self, outcome: str) -> None:
        self.outcomes.append(outcome)

    def authenticated(self, user_id: int) -> None:
        self.authenticated_users.append(user_id)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def events() -> RecordingEvents:
    return RecordingEvents()


@pytest.fixture
def hasher() -> CountingHasher:
    return CountingHasher()


@pytest.fixture
def service(clock: Clock, events: RecordingEvents, hasher: CountingHasher) -> AccountService:
    return AccountService(InMemoryAccountRepository(), hasher, events, clock=clock, token_ttl_hours=2)


def credentials(username: str = "ada", password: str = GOOD_PASSWORD) -> dict[str, str]:
    return {"username": username, "password": password}


def test_sign_up_then_token_then_authenticate(service: AccountService, events: RecordingEvents) -> None:
    user = service.sign_up(credentials(" Ada "))
    assert (user.username, user.created_at) == ("ada", START)
    issued = service.issue_token(credentials("ADA"))
    assert issued.user == user and issued.expires_at == START + timedelta(hours=2)
    authenticated = service.authenticate(f"Bearer {issued.token}")
    assert authenticated.user == user and authenticated.token_digest == accounts.token_digest(issued.token)
    assert events.outcomes == ["success"]


def test_a_taken_username_is_409(service: AccountService) -> None:
    service.sign_up(credentials())
    with pytest.raises(UsernameTaken):
        service.sign_up(credentials(" ADA", "another good password"))


def test_concurrent_sign_ups_of_one_name_have_one_winner(service: AccountService) -> None:
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def sign_up() -> None:
        barrier.wait()
        try:
            service.sign_up(credentials())
            outcomes.append("created")
        except UsernameTaken:
            outcomes.append("taken")

    threads = [threading.Thread(target=sign_up) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["created"] + ["taken"] * 7


def test_closed_sign_up_is_403_before_the_body_is_looked_at(clock: Clock, hasher: CountingHasher) -> None:
    closed = AccountService(InMemoryAccountRepository(), hasher, clock=clock, allow_signup=False)
    with pytest.raises(SignupClosed):
        closed.check_signup_open()
    with pytest.raises(SignupClosed):
        closed.sign_up("not even an object")


def test_an_unknown_user_and_a_wrong_password_cost_and_answer_the_same(
    service: AccountService, hasher: CountingHasher, events: RecordingEvents
) -> None:
    service.sign_up(credentials())
    answers = []
    for attempt in (credentials(password="wrong password"), credentials("nobody")):
        before = hasher.verifications
        with pytest.raises(InvalidCredentials) as raised:
            service.issue_token(attempt)
        answers.append((hasher.verifications - before, raised.value.to_dict("r")))
    assert answers[0] == answers[1] and answers[0][0] == 1
    assert events.outcomes == ["invalid_credentials", "invalid_credentials"]


def test_a_failed_attempt_is_kept_by_a_unit_of_work_that_would_roll_back(clock: Clock, hasher: CountingHasher) -> None:
    unit_of_work = InMemoryUnitOfWork()
    service = AccountService.over(unit_of_work, hasher, Settings.from_env("flask", {}), IgnoreAuthEvents())
    with pytest.raises(InvalidCredentials):
        service.issue_token(credentials("nobody"))
    unit_of_work.finish(succeeded=False)
    assert (unit_of_work.commits, unit_of_work.rollbacks) == (1, 0), "the failure must outlive the 401"


def test_settings_configure_the_service() -> None:
    settings = Settings.from_env("flask", {"ALLOW_SIGNUP": "FALSE", "TOKEN_TTL_HOURS": "0.5"})
    service = AccountService.over(InMemoryUnitOfWork(), CountingHasher(), settings, IgnoreAuthEvents())
    assert (service.allow_signup, service.token_ttl_hours) == (False, 0.5)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ALLOW_SIGNUP", "yes"),
        ("ALLOW_SIGNUP", ""),
        ("TOKEN_TTL_HOURS", "0"),
        ("TOKEN_TTL_HOURS", "-1"),
        ("TOKEN_TTL_HOURS", "soon"),
        ("TOKEN_TTL_HOURS", "nan"),
        ("TOKEN_TTL_HOURS", "inf"),
    ],
)
def test_bad_account_settings_fail_start_up(name: str, value: str) -> None:
    with pytest.raises(ValueError, match=name):
        Settings.from_env("flask", {name: value})


def test_five_failures_lock_the_username_even_for_the_right_password(
    service: AccountService, clock: Clock, events: RecordingEvents, hasher: CountingHasher
) -> None:
    service.sign_up(credentials())
    for _ in range(accounts.LOCKOUT_FAILURES):
        with pytest.raises(InvalidCredentials):
            service.issue_token(credentials(password="wrong password"))
        clock.now += timedelta(seconds=10)
    verifications = hasher.verifications
    with pytest.raises(TooManyAttempts) as raised:
        service.issue_token(credentials())
    assert raised.value.headers == {"Retry-After": str(15 * 60 - 50)}
    assert hasher.verifications == verifications, "a locked attempt verifies nothing"
    assert events.outcomes[-1] == "locked"
    clock.now = START + accounts.LOCKOUT_WINDOW
    # The oldest failure has left the window; the locked attempt was not counted.
    assert service.issue_token(credentials()).user.username == "ada"


def test_unknown_usernames_lock_too(service: AccountService) -> None:
    for _ in range(accounts.LOCKOUT_FAILURES):
        with pytest.raises(InvalidCredentials):
            service.issue_token(credentials("nobody"))
    with pytest.raises(TooManyAttempts):
        service.issue_token(credentials("nobody"))


def test_missing_malformed_unknown_expired_and_revoked_tokens(service: AccountService, clock: Clock) -> None:
    service.sign_up(credentials())
    with pytest.raises(Unauthenticated) as missing:
        service.authenticate(None)
    assert missing.value.headers == {"WWW-Authenticate": 'Bearer realm="task-tracker"'}
    for header in ("Basic YWRhOng=", f"Bearer {accounts.new_token()}"):
        with pytest.raises(InvalidToken) as invalid:
            service.authenticate(header)
        assert invalid.value.headers == {"WWW-Authenticate": 'Bearer realm="task-tracker", error="invalid_token"'}
    revoked, expiring = service.issue_token(credentials()), service.issue_token(credentials())
    service.revoke(service.authenticate(f"Bearer {revoked.token}"))
    with pytest.raises(InvalidToken):
        service.authenticate(f"Bearer {revoked.token}")
    assert service.authenticate(f"Bearer {expiring.token}").user.username == "ada"
    clock.now = expiring.expires_at
    with pytest.raises(InvalidToken):
        service.authenticate(f"Bearer {expiring.token}")


def test_with_the_real_hasher(clock: Clock) -> None:
    service = AccountService(InMemoryAccountRepository(), Argon2Hasher(), clock=clock)
    service.sign_up(credentials())
    assert service.authenticate(f"Bearer {service.issue_token(credentials()).token}").user.username == "ada"
    with pytest.raises(InvalidCredentials):
        service.issue_token(credentials(password="wrong password"))


def test_the_framework_hasher_adapter() -> None:
    checked: list[str] = []

    def make(password: str) -> str:
        return "h:" + password

    def check(stored: str, password: str) -> bool:
        checked.append(stored)
        if not stored.startswith("h:"):
            raise ValueError("not a hash of ours")
        return stored == "h:" + password

    hasher = FrameworkHasher(make, check)
    assert hasher.verify(hasher.hash("secret pass"), "secret pass")
    assert not hasher.verify(hasher.hash("secret pass"), "other pass")
    assert not hasher.verify("garbage", "secret pass"), "an unreadable hash is a wrong password"
    checked.clear()
    assert not hasher.verify(accounts.unusable_password(), "")
    hasher.verify_dummy("whatever")
    assert checked == ["h:" + DUMMY_PASSWORD] * 2, "legacy's hash and an unknown user each cost one check"
