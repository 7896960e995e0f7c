"""Spec 7.1 and 7.2 (new in 2.0): sign-up, tokens, the current user and revocation.

Every sign-up and every token costs a password hash, so the tests share the module's account
and sign up a user of their own only where the test is about a sign-up.
"""

import datetime
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from expectations import (
    assert_problem,
    assert_task_response,
    assert_token_response,
    assert_unauthorized,
    assert_user_response,
    assert_validation_error,
    media_type,
    parse_timestamp,
    strong_password,
    take_token,
    unique_username,
)

JSON = {"Content-Type": "application/json"}
DEFAULT_TOKEN_TTL = datetime.timedelta(hours=720)
# Clock skew between this process and the server's is nil (same machine); this is the slack for
# the time a request takes.
CLOCK_SLACK = datetime.timedelta(seconds=5)
ACCOUNT_ROUTES = {
    "/api/users": {"POST"},
    "/api/users/me": {"GET", "HEAD"},
    "/api/tokens": {"POST"},
    "/api/tokens/current": {"DELETE"},
}
METHODS_TO_TRY = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "BREW"]
UNKNOWN_ACCOUNT_PATHS = [
    "/api/users/",
    "/api/users/1",
    "/api/users/me/",
    "/api/users/ME",
    "/api/users/me/tokens",
    "/api/users//me",
    "/api/user",
    "/api/Users",
    "/api/tokens/",
    "/api/tokens/abc",
    "/api/tokens/current/",
    "/api/tokens/Current",
    "/api/tokens/current/1",
    "/api/token",
]
CONCURRENT_SIGNUPS = 8


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def sign_up_request(client, body):
    return client.post("/api/users", json=body, headers={"Authorization": None})


def token_request(client, body):
    return client.post("/api/tokens", json=body, headers={"Authorization": None})


def allowed_methods(response) -> set[str]:
    return {method.strip() for method in response.headers.get("Allow", "").split(",") if method.strip()}


# --- sign-up: the field rules ------------------------------------------------------------------

VALID_NAME = "rules-checked-only"
VALID_PASSWORD = "a-password-nobody-uses-7d2f"


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, [("password", "required"), ("username", "required")]),
        ({"username": VALID_NAME}, [("password", "required")]),
        ({"password": VALID_PASSWORD}, [("username", "required")]),
        ({"username": 5, "password": VALID_PASSWORD}, [("username", "invalid_type")]),
        ({"username": None, "password": VALID_PASSWORD}, [("username", "invalid_type")]),
        ({"username": ["a"], "password": VALID_PASSWORD}, [("username", "invalid_type")]),
        ({"username": VALID_NAME, "password": 12345678}, [("password", "invalid_type")]),
        ({"username": VALID_NAME, "password": None}, [("password", "invalid_type")]),
        ({"username": VALID_NAME, "password": VALID_PASSWORD, "email": "a@b.c"}, [("email", "unknown_field")]),
        ({"username": VALID_NAME, "password": VALID_PASSWORD, "id": 1}, [("id", "unknown_field")]),
        # All errors together, sorted by field and then code (spec 2.2).
        (
            {"username": "-x", "password": "short", "extra": 1},
            [("extra", "unknown_field"), ("password", "too_short"), ("username", "invalid_format")],
        ),
        (
            {"username": None, "admin": True, "Password": VALID_PASSWORD},
            [
                ("Password", "unknown_field"),
                ("admin", "unknown_field"),
                ("password", "required"),
                ("username", "invalid_type"),
            ],
        ),
    ],
)
def test_sign_up_fields_are_required_strings(anonymous_client, body, errors):
    assert_validation_error(sign_up_request(anonymous_client, body), errors)


@pytest.mark.parametrize(
    "username",
    ["", "   ", "ab", "  ab  ", "x" * 33, "-abc", "_abc", ".abc", "ab c", "abé", "a/b", "a:b", "ab+c", "ab@c", "a\tb"],
    ids=[
        "empty",
        "blank",
        "two-chars",
        "two-chars-after-trimming",
        "33-chars",
        "leading-dash",
        "leading-underscore",
        "leading-dot",
        "inner-space",
        "non-ascii",
        "slash",
        "colon",
        "plus",
        "at",
        "tab",
    ],
)
def test_a_username_outside_the_pattern_is_invalid_format(anonymous_client, username):
    assert_validation_error(
        sign_up_request(anonymous_client, {"username": username, "password": VALID_PASSWORD}),
        [("username", "invalid_format")],
    )


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("", "too_short"),
        ("seven77", "too_short"),
        # Code points, not bytes: 7 emoji are 28 UTF-8 bytes and still too short.
        ("\N{GRINNING FACE}" * 7, "too_short"),
        ("x" * 257, "too_long"),
        ("\N{GRINNING FACE}" * 257, "too_long"),
        ("password1", "too_common"),
        ("iloveyou", "too_common"),
        ("QwertyUIOP", "too_common"),
        # A common password that is too short is only too short: the list is checked after the length.
        ("123456", "too_short"),
    ],
    ids=[
        "empty",
        "seven",
        "seven-code-points",
        "257",
        "257-code-points",
        "common",
        "common-8",
        "common-any-case",
        "common-and-short",
    ],
)
def test_password_rules(anonymous_client, password, code):
    assert_validation_error(
        sign_up_request(anonymous_client, {"username": VALID_NAME, "password": password}), [("password", code)]
    )


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("similar.name", "similar.name"),
        ("similar.name", "SIMILAR.NAME"),
        ("similar.name", "  Similar.Name  "),
        ("  Similar.Name ", "similar.name"),
    ],
    ids=["equal", "other-case", "password-padded", "username-normalised"],
)
def test_a_password_equal_to_the_username_is_too_similar(anonymous_client, username, password):
    assert_validation_error(
        sign_up_request(anonymous_client, {"username": username, "password": password}), [("password", "too_similar")]
    )


def test_too_similar_is_checked_only_against_a_valid_username(anonymous_client):
    body = {"username": "-not.a.name", "password": "-not.a.name"}
    assert_validation_error(sign_up_request(anonymous_client, body), [("username", "invalid_format")])


def test_the_body_is_decoded_as_in_2_1(anonymous_client):
    body = b'{"username": "decoded", "password": "x"}'
    assert_problem(anonymous_client.raw("POST", "/api/users", body), 415, "unsupported_media_type")
    assert_problem(anonymous_client.raw("POST", "/api/users", b"{", JSON), 400, "malformed_json")
    assert_validation_error(anonymous_client.raw("POST", "/api/users", b"[]", JSON), [("body", "invalid_type")])
    assert_problem(anonymous_client.raw("POST", "/api/tokens", body), 415, "unsupported_media_type")
    assert_problem(anonymous_client.raw("POST", "/api/tokens", b'{"username": ', JSON), 400, "malformed_json")
    assert_validation_error(anonymous_client.raw("POST", "/api/tokens", b'"x"', JSON), [("body", "invalid_type")])


def test_a_failed_sign_up_never_echoes_the_password(anonymous_client):
    password = f"echo-{secrets.token_hex(8)}"
    response = sign_up_request(anonymous_client, {"username": "-bad", "password": password, "x": 1})
    assert_validation_error(response, [("username", "invalid_format"), ("x", "unknown_field")])
    assert password not in response.text


# --- sign-up: success, normalisation, 409 ------------------------------------------------------


def test_sign_up_creates_the_user_with_its_normalised_name(anonymous_client):
    username = unique_username("Mixed.Case")
    password = strong_password()
    started = utc_now()
    response = sign_up_request(anonymous_client, {"username": f"  {username.upper()} \t", "password": password})
    user = assert_user_response(response, 201)
    assert user["username"] == username, "trimmed and lower-cased"
    assert response.headers.get("Location") == "/api/users/me"
    assert started - CLOCK_SLACK <= parse_timestamp(user["created_at"]) <= utc_now() + CLOCK_SLACK
    assert password not in response.text
    # The token request normalises the name the same way; the token is the new user's.
    token = take_token(anonymous_client, f" {username.title()} ", password)
    me = assert_user_response(anonymous_client.with_token(token).get("/api/users/me"), 200)
    assert me == user
    # Any spelling of a taken name is taken.
    for spelling in (username.upper(), f" {username} "):
        taken = sign_up_request(anonymous_client, {"username": spelling, "password": strong_password()})
        assert_problem(taken, 409, "username_taken")


def test_passwords_are_counted_in_code_points_at_both_bounds(anonymous_client):
    shortest, longest = "\N{GRINNING FACE}" * 8, "x" * 255 + "\N{GRINNING FACE}"
    for password in (shortest, longest):
        username = unique_username("bounds")
        assert_user_response(sign_up_request(anonymous_client, {"username": username, "password": password}), 201)
    # The password as stored is the one sent, decoded as UTF-8: it verifies.
    take_token(anonymous_client, username, longest)


def test_a_taken_name_is_a_conflict_after_validation(anonymous_client, account):
    response = sign_up_request(anonymous_client, {"username": account.username, "password": strong_password()})
    assert_problem(response, 409, "username_taken")
    # Validation comes first: a taken name with a bad password is a 422.
    response = sign_up_request(anonymous_client, {"username": account.username, "password": "short"})
    assert_validation_error(response, [("password", "too_short")])


def test_of_concurrent_sign_ups_of_one_name_exactly_one_wins(anonymous_client):
    username = unique_username("race")
    spellings = [username, username.upper(), f" {username} ", username.title()]
    bodies = [
        {"username": spellings[index % len(spellings)], "password": strong_password()}
        for index in range(CONCURRENT_SIGNUPS)
    ]
    start_together = threading.Barrier(len(bodies))

    def send(body):
        start_together.wait()
        return sign_up_request(anonymous_client, body)

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        responses = list(pool.map(send, bodies))
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * (CONCURRENT_SIGNUPS - 1), statuses
    for body, response in zip(bodies, responses, strict=True):
        if response.status_code == 201:
            assert assert_user_response(response, 201)["username"] == username
            winner = body
        else:
            assert_problem(response, 409, "username_taken")
    # The one stored password is the winner's.
    take_token(anonymous_client, username, winner["password"])


# --- ALLOW_SIGNUP=false (the restricted server, conftest.py) ------------------------------------


@pytest.mark.needs_process
@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (b'{"username": "closed-door", "password": "a-password-nobody-uses-7d2f"}', JSON),
        (b"{", JSON),
        (b"{}", JSON),
        (b'{"username": "closed-door"}', {"Content-Type": "text/plain"}),
        (b" " * 1_048_577, JSON),
    ],
    ids=["valid", "malformed", "empty-object", "wrong-media-type", "too-large"],
)
def test_closed_sign_up_is_forbidden_before_the_body_is_read(restricted_server, body, headers):
    response = restricted_server.client.raw("POST", "/api/users", body, headers)
    assert_problem(response, 403, "signup_closed")


@pytest.mark.needs_process
def test_closed_sign_up_keeps_the_routes_and_the_tokens(restricted_server, account):
    client = restricted_server.client
    response = client.get("/api/users")
    assert_problem(response, 405, "method_not_allowed")
    assert allowed_methods(response) == {"POST"}
    assert_problem(client.post("/api/users/1", json={}), 404, "not_found")
    # Users signed up elsewhere (the main server, same database) still take tokens and are served.
    token = take_token(client, account.username, account.password)
    assert assert_user_response(client.with_token(token).get("/api/users/me"), 200) == account.user


# --- tokens --------------------------------------------------------------------------------------


def test_a_token_is_issued_for_the_right_credentials(anonymous_client, account):
    started = utc_now()
    response = token_request(anonymous_client, {"username": account.username, "password": account.password})
    issued = assert_token_response(response)
    expires_at = parse_timestamp(issued["expires_at"])
    assert started + DEFAULT_TOKEN_TTL - CLOCK_SLACK <= expires_at <= utc_now() + DEFAULT_TOKEN_TTL + CLOCK_SLACK
    assert "Location" not in response.headers
    assert issued["token"] != account.token, "each token is new"
    assert issued["token"][:16] != account.token[:16], "no shared prefix: the whole token is random"
    assert account.password not in response.text


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, [("password", "required"), ("username", "required")]),
        ({"username": "someone"}, [("password", "required")]),
        ({"username": 1, "password": ["x"]}, [("password", "invalid_type"), ("username", "invalid_type")]),
        ({"username": "someone", "password": "x", "scope": "all"}, [("scope", "unknown_field")]),
    ],
)
def test_token_request_fields(anonymous_client, body, errors):
    assert_validation_error(token_request(anonymous_client, body), errors)


def test_a_token_request_has_no_format_or_length_rules(anonymous_client):
    """A name or password that sign-up would refuse is simply wrong credentials: no rule leaks."""
    for username, password in [(f"Not A Name {secrets.token_hex(4)}!", "x"), (unique_username("short"), "")]:
        response = token_request(anonymous_client, {"username": username, "password": password})
        assert_problem(response, 401, "invalid_credentials")


def comparable(response) -> tuple:
    body = response.json()
    body.pop("request_id")
    header_names = {name.lower() for name in response.headers} - {"date", "x-request-id", "content-length", "server"}
    return response.status_code, media_type(response), body, sorted(header_names)


def test_an_unknown_user_and_a_wrong_password_get_the_same_answer(anonymous_client, account):
    unknown = token_request(anonymous_client, {"username": unique_username("nobody"), "password": account.password})
    wrong = token_request(anonymous_client, {"username": account.username, "password": strong_password()})
    for response in (unknown, wrong):
        assert_problem(response, 401, "invalid_credentials")
        assert "WWW-Authenticate" not in response.headers, "not a bearer challenge"
        assert account.password not in response.text
    assert comparable(unknown) == comparable(wrong)


# --- the current user, and revocation ------------------------------------------------------------


def test_the_current_user(client, account):
    assert assert_user_response(client.get("/api/users/me"), 200) == account.user


def test_head_of_the_current_user_has_the_headers_and_no_body(client):
    get_response = client.get("/api/users/me")
    head_response = client.on_the_wire("HEAD", "/api/users/me")
    assert head_response.status_code == get_response.status_code == 200
    assert head_response.content == b""
    assert media_type(head_response) == "application/json"
    assert head_response.headers.get("X-Request-ID")


def test_each_token_knows_its_own_user(client, account, other_account):
    assert assert_user_response(other_account.client.get("/api/users/me"), 200) == other_account.user
    assert other_account.user["id"] != account.user["id"]
    assert assert_user_response(client.get("/api/users/me"), 200) == account.user


def test_revocation_ends_that_token_only(anonymous_client, client, account):
    revoked = anonymous_client.with_token(take_token(anonymous_client, account.username, account.password))
    task = revoked.create_task(title="made before revocation")
    response = revoked.on_the_wire("DELETE", "/api/tokens/current")
    assert response.status_code == 204
    assert response.content == b""
    assert "Content-Type" not in response.headers
    for method, path in [
        ("GET", "/api/users/me"),
        ("GET", "/api/tasks"),
        ("GET", f"/api/tasks/{task['id']}"),
        ("DELETE", "/api/tokens/current"),
    ]:
        assert_unauthorized(revoked.request(method, path), "invalid_token")
    # The user's other token (the module's) works, and sees the task the revoked one created.
    assert assert_task_response(client.get(f"/api/tasks/{task['id']}"), 200) == task
    assert assert_user_response(client.get("/api/users/me"), 200) == account.user


# --- routes: 405 and 404 ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("route", "method"),
    [
        pytest.param(route, method, marks=pytest.mark.edge_refuses if method == "TRACE" else ())
        for route, methods in ACCOUNT_ROUTES.items()
        for method in METHODS_TO_TRY
        if method not in methods
    ],
)
def test_other_methods_are_not_allowed_with_allow(client, route, method):
    kwargs = {"json": {"username": "x", "password": "y"}} if method in ("POST", "PUT", "PATCH") else {}
    # The route and method come before authentication: the same 405 with a token or without one.
    for headers in ({}, {"Authorization": None}):
        response = client.request(method, route, headers=headers, **kwargs)
        if method == "HEAD":
            assert response.status_code == 405, response.status_code
        else:
            assert_problem(response, 405, "method_not_allowed")
        assert allowed_methods(response) == ACCOUNT_ROUTES[route], response.headers.get("Allow")


@pytest.mark.parametrize("path", UNKNOWN_ACCOUNT_PATHS)
@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_other_paths_under_users_and_tokens_are_not_found(client, method, path):
    kwargs = {"json": {"username": "x", "password": "y"}} if method == "POST" else {}
    for headers in ({}, {"Authorization": None}):
        assert_problem(client.request(method, path, headers=headers, **kwargs), 404, "not_found")


def test_a_405_on_the_account_routes_writes_nothing(client, account):
    username = unique_username("put")
    for method in ("PUT", "PATCH"):
        client.request(method, "/api/users", json={"username": username, "password": strong_password()})
    assert_problem(
        token_request(client, {"username": username, "password": strong_password()}), 401, "invalid_credentials"
    )
    assert client.request("PUT", "/api/tokens/current").status_code == 405
    assert client.request("POST", "/api/tokens/current").status_code == 405
    assert assert_user_response(client.get("/api/users/me"), 200) == account.user, "the token was not revoked"
