"""Spec 7.2 (new in 2.0): an unknown user costs a password verification too, so that the time of a token
request does not tell whether a username exists. Measured, not asserted to the millisecond."""

import statistics
import time

import pytest
from expectations import assert_problem, assert_user_response, strong_password, unique_username

pytestmark = pytest.mark.slow

ATTEMPTS_PER_SIDE = 20
# Fewer than the 5 failures that lock a username out (the lock-out is another test's concern).
ATTEMPTS_PER_USERNAME = 4
MAX_RATIO = 3


def timed_failure(client, username: str) -> float:
    started = time.perf_counter()
    response = client.post("/api/tokens", json={"username": username, "password": strong_password()})
    elapsed = time.perf_counter() - started
    assert_problem(response, 401, "invalid_credentials")
    return elapsed


def test_an_unknown_user_and_a_wrong_password_take_about_as_long(anonymous_client):
    username_count = ATTEMPTS_PER_SIDE // ATTEMPTS_PER_USERNAME
    known = []
    for _ in range(username_count):
        username = unique_username("timing-known")
        response = anonymous_client.post("/api/users", json={"username": username, "password": strong_password()})
        assert_user_response(response, 201)
        known.append(username)
    unknown = [unique_username("timing-unknown") for _ in range(username_count)]
    # Interleaved, so that a slower or faster phase of the machine weighs on both sides alike.
    known_times, unknown_times = [], []
    for round_number in range(ATTEMPTS_PER_USERNAME):
        for known_name, unknown_name in zip(known, unknown, strict=True):
            known_times.append(timed_failure(anonymous_client, known_name))
            unknown_times.append(timed_failure(anonymous_client, unknown_name))
        assert len(known_times) == (round_number + 1) * username_count
    known_median, unknown_median = statistics.median(known_times), statistics.median(unknown_times)
    ratio = max(known_median, unknown_median) / min(known_median, unknown_median)
    assert ratio <= MAX_RATIO, (
        f"median of a wrong password {known_median * 1000:.1f} ms, of an unknown user "
        f"{unknown_median * 1000:.1f} ms: {ratio:.1f} times apart, more than {MAX_RATIO}"
    )
