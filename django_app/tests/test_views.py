"""What the contract suite cannot see from outside: Django's handlers, middleware and hooks."""

import logging
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import OperationalError
from tasks import views

# region: tests
pytestmark = pytest.mark.django_db


def test_create_and_fetch(api_client):
    created = api_client.post("/api/tasks", {"title": "Write tests"}, content_type="application/json")
    assert created.status_code == 201
    fetched = api_client.get(created.headers["Location"])
    assert fetched.json() == created.json() and fetched.headers["ETag"] == '"1"'


def test_every_request_gets_an_id(client):
    response = client.get("/health/live", headers={"X-Request-ID": "from-client"})
    assert response.headers["X-Request-ID"] == "from-client"


# endregion


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [("put", "/api/tasks/1", "GET, HEAD, PATCH, DELETE"), ("options", "/api/tasks", "GET, HEAD, POST")],
)
def test_the_405_is_a_problem_listing_the_views_methods(client, method, path, allow):
    response = getattr(client, method)(path)
    assert response.status_code == 405
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.headers["Allow"] == allow


@pytest.mark.parametrize("path", ["/nowhere", "/api/tasks/", "/api/"])
def test_djangos_404_is_a_problem_and_never_a_redirect(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_head_has_the_headers_of_get_and_no_body(client):
    get = client.get("/api")
    head = client.head("/api")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["Content-Length"] == get.headers["Content-Length"] == str(len(get.content))


def test_a_body_over_the_upload_limit_is_a_413(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
    response = api_client.post("/api/tasks", {"title": "longer than ten bytes"}, content_type="application/json")
    assert response.status_code == 413 and response.json()["code"] == "payload_too_large"


# region: tests
def test_unexpected_exceptions_are_500_problems_without_details(api_client, monkeypatch, caplog):
    def explode(request):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(views, "task_service", explode)
    with caplog.at_level(logging.ERROR):
        response = api_client.get("/api/tasks")
    assert response.status_code == 500 and response.json()["code"] == "internal_error"
    assert "secret detail" not in response.content.decode()
    assert any(record.exc_info and record.levelname == "ERROR" for record in caplog.records)


def test_a_database_failure_is_a_503(api_client, monkeypatch):
    def failing_count(self):
        raise OperationalError("disk I/O error")

    monkeypatch.setattr("django.db.models.QuerySet.count", failing_count)
    response = api_client.get("/api/tasks")
    assert response.status_code == 503 and response.json()["code"] == "unavailable"


# endregion


# region: tests
def test_the_access_line_is_written_when_the_server_closes_the_response(caplog):
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/health/live"}
    setup_testing_defaults(environ)
    with caplog.at_level(logging.INFO, logger="tasktracker.access"):
        response = WSGIHandler()(environ, lambda status, headers: None)
        body = b"".join(response)
        assert not [record for record in caplog.records if record.name == "tasktracker.access"]
        response.close()
    [access] = [record for record in caplog.records if record.name == "tasktracker.access"]
    assert body == b'{"status":"ok"}'
    assert (access.route, access.status) == ("/health/live", 200)


# endregion
