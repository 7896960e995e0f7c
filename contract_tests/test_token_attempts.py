"""Spec 7.2 and 6.3 (new in 2.0): the lock-out after 5 failures in 15 minutes, and auth_attempts_total.

Failures are counted per username, whether the user exists or not; so most tests here fail
with usernames nobody has, and sign up a user only where the right password must be refused.
"""

import time
from dataclasses import dataclass

import pytest
from expectations import (
    assert_problem,
    assert_token_response,
    assert_too_many_attempts,
    assert_user_response,
    assert_validation_error,
    strong_password,
    take_token,
    unique_username,
)

LOCKOUT_FAILURES = 5
LOCKOUT_WINDOW_SECONDS = 15 * 60
OUTCOMES = ("success", "invalid_credentials", "locked")


@dataclass(frozen=True)
class User:
    username: str
    password: str


def token_attempt(client, username: str, password: str):
    return client.post(
        "/api/tokens", json={"username": username, "password": password}, headers={"Authorization": None}
    )


def fail(client, username: str, times: int) -> None:
    for _ in range(times):
        assert_problem(token_attempt(client, username, strong_password()), 401, "invalid_credentials")


def signed_up_user(client, label: str) -> User:
    """A user without a token: one password hash, not two."""
    user = User(unique_username(label), strong_password())
    response = client.post("/api/users", json={"username": user.username, "password": user.password})
    assert_user_response(response, 201)
    return user


@dataclass(frozen=True)
class LockedUser(User):
    locked_since: float


@pytest.fixture(scope="module")
def locked_user(anonymous_client) -> LockedUser:
    """A user with 5 failed attempts: under every spelling of the name, which counts as one."""
    user = signed_up_user(anonymous_client, "locked")
    first_failure = time.monotonic()
    for spelling in (user.username, user.username.upper(), f" {user.username} ", user.username, user.username):
        assert_problem(token_attempt(anonymous_client, spelling, strong_password()), 401, "invalid_credentials")
    return LockedUser(user.username, user.password, first_failure)


def test_five_failures_lock_out_even_the_right_password(anonymous_client, locked_user):
    response = token_attempt(anonymous_client, locked_user.username, locked_user.password)
    retry_after = assert_too_many_attempts(response)
    assert "token" not in response.text
    # The lock lifts when the first failure leaves the window.
    elapsed = time.monotonic() - locked_user.locked_since
    assert LOCKOUT_WINDOW_SECONDS - elapsed - 2 <= retry_after <= LOCKOUT_WINDOW_SECONDS, (retry_after, elapsed)
    for username, password in [
        (locked_user.username, strong_password()),
        (locked_user.username.upper(), locked_user.password),
    ]:
        assert_too_many_attempts(token_attempt(anonymous_client, username, password))


def test_the_lock_out_is_per_username(anonymous_client, account, locked_user):
    near_name = f"{locked_user.username}x"
    assert_problem(token_attempt(anonymous_client, near_name, locked_user.password), 401, "invalid_credentials")
    assert_token_response(token_attempt(anonymous_client, account.username, account.password))


def test_an_unknown_username_is_locked_out_too(anonymous_client):
    username = unique_username("ghost")
    fail(anonymous_client, username, LOCKOUT_FAILURES)
    assert_too_many_attempts(token_attempt(anonymous_client, username, strong_password()))


def test_the_fifth_failure_locks_and_a_success_clears_nothing(anonymous_client):
    user = signed_up_user(anonymous_client, "threshold")
    fail(anonymous_client, user.username, LOCKOUT_FAILURES - 1)
    take_token(anonymous_client, user.username, user.password)
    fail(anonymous_client, user.username, 1)
    assert_too_many_attempts(token_attempt(anonymous_client, user.username, user.password))


def test_a_request_that_fails_validation_is_not_an_attempt(anonymous_client):
    username = unique_username("invalid")
    for _ in range(LOCKOUT_FAILURES + 1):
        response = anonymous_client.post("/api/tokens", json={"username": username, "password": 1})
        assert_validation_error(response, [("password", "invalid_type")])
    assert_problem(token_attempt(anonymous_client, username, strong_password()), 401, "invalid_credentials")


# --- auth_attempts_total -------------------------------------------------------------------------


def attempts_by_outcome(scrape) -> dict[str, float]:
    return {labels.get("outcome"): value for name, labels, value in scrape.samples if name == "auth_attempts_total"}


def test_the_counter_has_exactly_the_three_outcomes(metrics):
    scrape = metrics.scrape()
    assert scrape.family_types.get("auth_attempts") == "counter"
    label_sets = scrape.label_sets("auth_attempts_total")
    assert sorted(labels.get("outcome", "") for labels in label_sets) == sorted(OUTCOMES), label_sets
    assert all(set(labels) == {"outcome"} for labels in label_sets), label_sets


@pytest.mark.needs_process
def test_every_outcome_is_at_zero_from_start_up(restricted_server):
    assert attempts_by_outcome(restricted_server.metrics_at_start) == dict.fromkeys(OUTCOMES, 0.0)


@pytest.mark.single_replica
def test_each_attempt_is_counted_once_by_its_outcome(anonymous_client, account, locked_user, metrics):
    before = metrics.scrape()
    take_token(anonymous_client, account.username, account.password)
    assert_problem(token_attempt(anonymous_client, unique_username("counted"), "x"), 401, "invalid_credentials")
    assert_problem(token_attempt(anonymous_client, account.username, strong_password()), 401, "invalid_credentials")
    assert_too_many_attempts(token_attempt(anonymous_client, locked_user.username, locked_user.password))
    assert_too_many_attempts(token_attempt(anonymous_client, locked_user.username, strong_password()))
    # Not attempts: a body that fails decoding or validation.
    anonymous_client.post("/api/tokens", json={"username": account.username})
    anonymous_client.post("/api/tokens", data=b"{", headers={"Content-Type": "application/json"})
    expected = {"success": 1, "invalid_credentials": 2, "locked": 2}
    for outcome, count in expected.items():
        change = metrics.delta(before, "auth_attempts_total", count, outcome=outcome)
        assert change == count, f"auth_attempts_total{{outcome={outcome!r}}} moved by {change}, not {count}"
    after = attempts_by_outcome(metrics.scrape())
    moved = sum(after.values()) - sum(attempts_by_outcome(before).values())
    assert moved == sum(expected.values()), "nothing else was counted"
