"""Spec 7.3 (new in 2.0): the bearer token, every 401 and its challenge, and where authentication sits in
the order of checks (after the route and method, before everything else)."""

import datetime
import secrets
import time

import pytest
from expectations import (
    CHALLENGE_BY_CODE,
    assert_problem,
    assert_task_response,
    assert_token_response,
    assert_unauthorized,
    assert_user_response,
    media_type,
    parse_timestamp,
)

JSON = {"Content-Type": "application/json"}
# Every route that needs a token, with a request that would succeed with one; "{task}" is the id of
# a task of the module's user.
BEARER_REQUESTS = [
    ("GET", "/api/tasks", None),
    ("HEAD", "/api/tasks", None),
    ("POST", "/api/tasks", b'{"title": "refused"}'),
    ("GET", "/api/tasks/stats", None),
    ("HEAD", "/api/tasks/stats", None),
    ("GET", "/api/tasks/{task}", None),
    ("HEAD", "/api/tasks/{task}", None),
    ("PATCH", "/api/tasks/{task}", b'{"title": "refused"}'),
    ("DELETE", "/api/tasks/{task}", None),
    ("GET", "/api/users/me", None),
    ("HEAD", "/api/users/me", None),
    ("DELETE", "/api/tokens/current", None),
]
# Headers that are not "Bearer", one space, and a token of the base64url alphabet; "{token}" is the
# module's user's valid token, to show that the form alone is refused.
MALFORMED_AUTHORIZATIONS = {
    "basic": "Basic dXNlcjpwYXNzd29yZA==",
    "basic-with-token": "Basic {token}",
    "other-scheme": "Token {token}",
    "no-scheme": "{token}",
    "scheme-only": "Bearer",
    "two-spaces": "Bearer  {token}",
    "two-tokens": "Bearer {token} {token}",
    "inner-space": "Bearer a b",
    "padding": "Bearer {token}=",
    "plus-and-slash": "Bearer ab+c/d",
    "dot": "Bearer ab.cd",
    "comma": "Bearer {token},",
    "bearer-suffix": "Bearerx {token}",
}
PUBLIC_REQUESTS = [
    ("GET", "/api", None, 200),
    ("HEAD", "/api", None, 200),
    ("GET", "/health/live", None, 200),
    ("GET", "/health/ready", None, 200),
    ("HEAD", "/health/ready", None, 200),
    ("GET", "/metrics", None, 200),
    ("HEAD", "/metrics", None, 200),
    # Decoded and validated, not authenticated: the same answer with any Authorization.
    ("POST", "/api/users", b'{"username": "-"}', 422),
    ("POST", "/api/tokens", b"{", 400),
]


@pytest.fixture(scope="module")
def task(client) -> dict:
    return client.create_task(title="authentication target")


def concrete(path: str, task: dict) -> str:
    return path.replace("{task}", str(task["id"]))


def assert_refused(response, method: str, code: str) -> None:
    """The 401 with its challenge; a HEAD has the problem's headers and no body."""
    if method == "HEAD":
        assert response.status_code == 401, response.status_code
        assert media_type(response) == "application/problem+json"
        assert response.content == b""
        assert response.headers.get("WWW-Authenticate") == CHALLENGE_BY_CODE[code]
    else:
        assert_unauthorized(response, code)


def send(client, method: str, path: str, body: bytes | None, authorization: str | None):
    headers = {"Authorization": authorization, **(JSON if body is not None else {})}
    if method == "HEAD":
        return client.on_the_wire(method, path, headers)
    return client.raw(method, path, body, headers)


@pytest.mark.parametrize(("method", "path", "body"), BEARER_REQUESTS)
def test_no_authorization_header_is_unauthenticated(client, task, method, path, body):
    assert_refused(send(client, method, concrete(path, task), body, None), method, "unauthenticated")


@pytest.mark.parametrize("authorization", list(MALFORMED_AUTHORIZATIONS.values()), ids=list(MALFORMED_AUTHORIZATIONS))
@pytest.mark.parametrize(("method", "path", "body"), BEARER_REQUESTS)
def test_a_malformed_authorization_is_an_invalid_token(client, account, task, method, path, body, authorization):
    header = authorization.replace("{token}", account.token)
    assert_refused(send(client, method, concrete(path, task), body, header), method, "invalid_token")


@pytest.mark.parametrize(
    "token",
    [secrets.token_urlsafe(32), "abc", "A" * 43, "-_-_" * 20],
    ids=["random-43", "short", "constant", "long"],
)
@pytest.mark.parametrize(("method", "path", "body"), BEARER_REQUESTS)
def test_an_unknown_token_is_an_invalid_token(client, task, method, path, body, token):
    assert_refused(send(client, method, concrete(path, task), body, f"Bearer {token}"), method, "invalid_token")


def test_a_token_changed_by_one_character_is_unknown(client, account):
    changed = account.token[:-1] + ("A" if account.token[-1] != "A" else "B")
    for token in (changed, account.token + "A", account.token[:-1], account.token.swapcase()):
        assert_unauthorized(client.get("/api/users/me", headers={"Authorization": f"Bearer {token}"}), "invalid_token")


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER", "bEaReR"])
def test_the_scheme_is_case_insensitive(client, account, scheme):
    response = client.get("/api/users/me", headers={"Authorization": f"{scheme} {account.token}"})
    assert assert_user_response(response, 200) == account.user


def test_refused_requests_change_nothing(client, account, task):
    path = f"/api/tasks/{task['id']}"
    before = assert_task_response(client.get(path), 200)
    total_before = client.get("/api/tasks").json()["total"]
    for authorization in (None, "Bearer  " + account.token, f"Bearer {secrets.token_urlsafe(32)}"):
        headers = {"Authorization": authorization}
        assert client.patch(path, json={"title": "changed"}, headers=headers).status_code == 401
        assert client.delete(path, headers=headers).status_code == 401
        assert client.post("/api/tasks", json={"title": "created"}, headers=headers).status_code == 401
        assert client.delete("/api/tokens/current", headers=headers).status_code == 401
    assert assert_task_response(client.get(path), 200) == before
    assert client.get("/api/tasks").json()["total"] == total_before
    assert assert_user_response(client.get("/api/users/me"), 200) == account.user, "the token still works"


@pytest.mark.parametrize(("method", "path", "body", "status"), PUBLIC_REQUESTS)
@pytest.mark.parametrize(
    "authorization",
    [None, "Basic eDp5", "Bearer", f"Bearer {secrets.token_urlsafe(32)}"],
    # Stable ids: the parity matrix joins the runs' results by test id.
    ids=["none", "basic", "bearer-without-token", "unknown-token"],
)
def test_public_routes_need_no_token_and_ignore_one(anonymous_client, method, path, body, status, authorization):
    response = send(anonymous_client, method, path, body, authorization)
    assert response.status_code == status, response.content[:300]
    assert "WWW-Authenticate" not in response.headers


# --- the order of checks -------------------------------------------------------------------------


@pytest.mark.parametrize("authorization", [None, "Basic x", "Bearer unknown"], ids=["none", "malformed", "unknown"])
def test_route_and_method_come_before_authentication(anonymous_client, task, authorization):
    headers = {"Authorization": authorization}
    for method, path, allowed in [
        ("PUT", "/api/tasks", "GET, HEAD, POST"),
        ("DELETE", "/api/tasks/stats", "GET, HEAD"),
        ("PATCH", "/api/tasks/stats", "GET, HEAD"),
        ("PUT", f"/api/tasks/{task['id']}", "GET, HEAD, PATCH, DELETE"),
        ("POST", "/api/users/me", "GET, HEAD"),
        ("GET", "/api/tokens/current", "DELETE"),
    ]:
        response = anonymous_client.request(method, path, json={"title": "x"}, headers=headers)
        assert_problem(response, 405, "method_not_allowed")
        assert {name.strip() for name in response.headers["Allow"].split(",")} == set(allowed.split(", "))
        assert "WWW-Authenticate" not in response.headers
    for path in ("/api/nope", "/api/tasks/", "/api/tasks/1/comments", "/api/tasks//1", "/api/users/me/"):
        response = anonymous_client.get(path, headers=headers)
        assert_problem(response, 404, "not_found")
        assert "WWW-Authenticate" not in response.headers


def test_authentication_comes_before_the_body(client):
    no_token = {"Authorization": None}
    for body, headers in [
        (b'{"title": "x"}', {"Content-Type": "text/plain"}),
        (b'{"title": "x"}', {}),
        (b"{", JSON),
        (b"[]", JSON),
        (b'{"title": ""}', JSON),
        (b'{"title": "x", "owner_id": 1}', JSON),
    ]:
        assert_unauthorized(client.raw("POST", "/api/tasks", body, {**headers, **no_token}), "unauthenticated")
        assert_unauthorized(
            client.raw("POST", "/api/tasks", body, {**headers, "Authorization": "Bearer x"}), "invalid_token"
        )


def test_authentication_comes_before_the_task_and_its_preconditions(client, task):
    path = f"/api/tasks/{task['id']}"
    no_token = {"Authorization": None}
    for method, request_path, headers in [
        ("GET", "/api/tasks/2147483647", {}),
        ("DELETE", "/api/tasks/2147483647", {}),
        ("GET", "/api/tasks/abc", {}),
        ("GET", "/api/tasks/007", {}),
        ("GET", path, {"If-None-Match": f'"{task["version"]}"'}),
        ("DELETE", path, {"If-Match": '"999"'}),
        ("PATCH", path, {"If-Match": '"999"', **JSON}),
    ]:
        body = b'{"status": "bogus"}' if method == "PATCH" else None
        response = client.raw(method, request_path, body, {**headers, **no_token})
        assert_unauthorized(response, "unauthenticated")


def test_authentication_comes_before_the_query(client):
    assert_unauthorized(client.get("/api/tasks?limit=0&sort=nope", headers={"Authorization": None}), "unauthenticated")
    response = client.on_the_wire("HEAD", "/api/tasks?limit=0", {"Authorization": None})
    assert response.status_code == 401
    assert response.headers.get("WWW-Authenticate") == CHALLENGE_BY_CODE["unauthenticated"]


# Behind the compose file's edge, nginx answers the 1 MiB limit itself (client_max_body_size):
# the request never reaches the variant, whose order of checks this is.
@pytest.mark.early_answer
@pytest.mark.edge_refuses
def test_authentication_comes_before_the_size_limit(client):
    body = b'{"title": "x"}' + b" " * 1_048_577
    assert_unauthorized(client.raw("POST", "/api/tasks", body, {**JSON, "Authorization": None}), "unauthenticated")


# --- cookies ---------------------------------------------------------------------------------------


def test_a_cookie_is_never_a_credential(client, account):
    token = account.token
    cookie = (
        f"sessionid={token}; session={token}; session_id={token}; token={token}; access_token={token}; "
        f"auth_tkt={token}; csrftoken={token}; remember_token={token}"
    )
    for method, path in [("GET", "/api/tasks"), ("GET", "/api/users/me"), ("POST", "/api/tasks")]:
        response = client.request(method, path, json={"title": "x"}, headers={"Authorization": None, "Cookie": cookie})
        assert_unauthorized(response, "unauthenticated")


def test_a_cookie_the_framework_cannot_parse_changes_nothing(client):
    """The API never reads cookies, so a name no cookie parser accepts is no error of its own:
    with the token the request succeeds, without it the answer is the spec's 401."""
    cookie = "a/b=c; =empty; spaced name=v; ok=1"
    assert client.get("/api/tasks", headers={"Cookie": cookie}).status_code == 200
    # Shaped like a framework's own remember-me and session cookies (Flask-Login's is "id|digest"):
    # beside a valid token they are ignored, not checked instead of it.
    remembered = "remember_token=1|" + "0" * 128 + "; session=eyJfZnJlc2giOmZhbHNlfQ.x.y; auth_tkt=abc!userid"
    assert client.get("/api/tasks", headers={"Cookie": remembered}).status_code == 200
    assert_unauthorized(client.get("/api/tasks", headers={"Authorization": None, "Cookie": cookie}), "unauthenticated")


def test_no_response_sets_a_cookie(anonymous_client, client, account, task):
    responses = [
        anonymous_client.post("/api/users", json={"username": account.username, "password": account.password}),
        anonymous_client.post("/api/users", json={}),
        anonymous_client.post("/api/tokens", json={"username": account.username, "password": account.password}),
        anonymous_client.post("/api/tokens", json={"username": f"{account.username}-no", "password": "x" * 8}),
        client.get("/api/users/me"),
        client.get("/api/tasks"),
        client.post("/api/tasks", json={"title": "cookie-free"}),
        client.patch(f"/api/tasks/{task['id']}", json={"description": "cookie-free"}),
        client.get("/api/tasks/stats"),
        client.get("/api/tasks", headers={"Authorization": None}),
        client.get("/api/tasks", headers={"Authorization": "Bearer unknown"}),
        client.request("PUT", "/api/tasks"),
        client.get("/api/nope"),
        client.get("/api"),
        client.get("/health/ready"),
    ]
    assert_token_response(responses[2])
    for response in responses:
        assert "Set-Cookie" not in response.headers, (response.request.method, response.url, response.headers)


# --- expiry (the restricted server: TOKEN_TTL_HOURS=0.002, 7.2 seconds) -------------------------

SHORT_TTL = datetime.timedelta(hours=0.002)


@pytest.mark.needs_process
def test_a_token_expires_after_token_ttl_hours(restricted_server, account):
    client = restricted_server.client
    started = datetime.datetime.now(datetime.UTC)
    issued = assert_token_response(
        client.post("/api/tokens", json={"username": account.username, "password": account.password})
    )
    finished = datetime.datetime.now(datetime.UTC)
    expires_at = parse_timestamp(issued["expires_at"])
    slack = datetime.timedelta(seconds=1)
    assert started + SHORT_TTL - slack <= expires_at <= finished + SHORT_TTL + slack, issued["expires_at"]
    short_lived = client.with_token(issued["token"])
    assert assert_user_response(short_lived.get("/api/users/me"), 200) == account.user
    task = short_lived.create_task(title="made by a short-lived token")
    time.sleep(max(0.0, (expires_at - datetime.datetime.now(datetime.UTC)).total_seconds()) + 0.5)
    assert_unauthorized(short_lived.get("/api/users/me"), "invalid_token")
    assert_unauthorized(short_lived.get(f"/api/tasks/{task['id']}"), "invalid_token")
    # The user's other tokens and the task live on.
    assert_task_response(client.with_token(account.token).get(f"/api/tasks/{task['id']}"), 200)
