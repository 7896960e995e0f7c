"""Spec 4 and 5: exact paths, 404 and 405 as problems, Allow, and HEAD wherever GET works."""

import pytest
from expectations import assert_problem, media_type

ROUTE_METHODS = {
    "/api": {"GET", "HEAD"},
    "/api/tasks": {"GET", "HEAD", "POST"},
    "/api/tasks/stats": {"GET", "HEAD"},
    "/api/tasks/{id}": {"GET", "HEAD", "PATCH", "DELETE"},
    "/health/live": {"GET", "HEAD"},
    "/health/ready": {"GET", "HEAD"},
    "/metrics": {"GET", "HEAD"},
}
# Every method a client might send: the allowed ones are filtered out per route.
METHODS_TO_TRY = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "BREW"]
UNKNOWN_PATHS = [
    "/",
    "/nope",
    "/api/",
    "/api/tasks/",
    "/api/tasks/stats/",
    "/api/tasks/1/",
    "/api/tasks/1/comments",
    "/api/tasks//1",
    "/api/stats",
    "/API",
    "/api/Tasks",
    "/Api/tasks",
    "/health",
    "/health/",
    "/health/live/",
    "/health/ready/",
    "/metrics/",
    "/metrics.txt",
    "/admin",
    "/admin/",
    "/static/app.js",
    "/favicon.ico",
    "/index.html",
    "/api/tasks/stats/1",
]


@pytest.fixture(scope="module")
def existing_task_path(client) -> str:
    return f"/api/tasks/{client.create_task(title='routing target')['id']}"


def concrete_path(route: str, task_path: str) -> str:
    return task_path if route == "/api/tasks/{id}" else route


def allowed_methods(response) -> set[str]:
    return {method.strip() for method in response.headers.get("Allow", "").split(",") if method.strip()}


@pytest.mark.parametrize("path", UNKNOWN_PATHS)
@pytest.mark.parametrize("method", ["GET", "POST", "DELETE", "PUT"])
def test_unknown_paths_are_not_found_problems(client, method, path):
    kwargs = {"json": {"title": "x"}} if method in ("POST", "PUT") else {}
    assert_problem(client.request(method, path, **kwargs), 404, "not_found")


def test_unknown_path_with_an_unknown_method_is_not_found(client):
    assert_problem(client.request("BREW", "/coffee"), 404, "not_found")


@pytest.mark.parametrize("path", ["/api/tasks/", "/api/", "/health/live/"])
def test_no_redirects(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Location" not in response.headers


@pytest.mark.parametrize(
    ("route", "method"),
    [
        # nginx, the compose file's edge, answers TRACE itself: it never reaches the server.
        pytest.param(route, method, marks=pytest.mark.edge_refuses if method == "TRACE" else ())
        for route, methods in ROUTE_METHODS.items()
        for method in METHODS_TO_TRY
        if method not in methods
    ],
)
def test_other_methods_are_not_allowed_with_allow(client, existing_task_path, route, method):
    kwargs = {"json": {"title": "x"}} if method in ("POST", "PUT", "PATCH") else {}
    response = client.request(method, concrete_path(route, existing_task_path), **kwargs)
    assert_problem(response, 405, "method_not_allowed")
    assert allowed_methods(response) == ROUTE_METHODS[route]


@pytest.mark.parametrize(
    ("route", "method"), [(route, method) for route, methods in ROUTE_METHODS.items() for method in sorted(methods)]
)
def test_only_a_405_carries_allow(client, route, method):
    path = concrete_path(route, f"/api/tasks/{client.create_task(title='allow target')['id']}")
    kwargs = {"json": {"title": "changed"}} if method in ("POST", "PATCH") else {}
    response = client.request(method, path, **kwargs)
    assert response.status_code < 400, response.text[:300]
    assert "Allow" not in response.headers, response.headers["Allow"]
    refusals = [client.request(method, path.replace("/api/tasks/", "/api/tasks/x"), **kwargs)]  # a 404 on the id route
    if method in ("POST", "PATCH"):
        refusals.append(client.request(method, path, data=b"{", headers={"Content-Type": "application/json"}))
    for refused in refusals:
        assert refused.status_code != 405 and "Allow" not in refused.headers, (refused.status_code, refused.headers)


def test_a_405_writes_nothing(client, existing_task_path):
    before = client.get(existing_task_path).json()
    assert client.request("PUT", existing_task_path, json={"title": "replaced"}).status_code == 405
    assert client.get(existing_task_path).json() == before


@pytest.mark.parametrize("route", list(ROUTE_METHODS))
def test_head_has_the_headers_of_get_and_no_body(client, existing_task_path, route):
    path = concrete_path(route, existing_task_path)
    get_response = client.get(path)
    head_response = client.on_the_wire("HEAD", path)
    assert head_response.status_code == get_response.status_code == 200
    assert head_response.content == b""
    assert media_type(head_response) == media_type(get_response)
    assert head_response.headers.get("X-Request-ID")
    if route == "/api/tasks/{id}":
        assert head_response.headers.get("ETag") == get_response.headers.get("ETag")


@pytest.mark.parametrize("path", ["/nope", "/api/tasks/", "/api/tasks/abc", "/api/tasks/2147483647"])
def test_head_of_a_missing_resource_is_a_bodyless_404(client, path):
    response = client.on_the_wire("HEAD", path)
    assert response.status_code == 404
    assert media_type(response) == "application/problem+json"
    assert response.content == b""


def test_a_problem_is_never_html(client):
    for path in ("/nope", "/api/tasks/abc"):
        response = client.get(path, headers={"Accept": "text/html"})
        assert_problem(response, 404, "not_found")
        assert "<html" not in response.text.lower()
