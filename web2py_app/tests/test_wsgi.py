"""What the contract suite cannot see from outside: web2py's own errors, tickets and sessions."""

import io
import json
import logging
from wsgiref.util import setup_testing_defaults

import pytest
from applications.tasks.modules import database
from conftest import migrated_database
from gluon.globals import Session

from tasktracker.service import TaskService


# region: tests
@pytest.fixture(scope="module")
def application():
    import wsgihandler

    return wsgihandler.application


@pytest.fixture(autouse=True)
def sqlite_database(tmp_path, monkeypatch):
    database_url = f"sqlite:///{tmp_path / 'tasks.db'}"
    migrated_database(database_url, tmp_path).close()
    monkeypatch.setattr(database, "DAL_OPTIONS", database.dal_options(database_url))


# endregion


def call(application, method, path, body=b"", headers=None):
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "wsgi.input": io.BytesIO(body)}
    if body:
        environ.update(CONTENT_TYPE="application/json", CONTENT_LENGTH=str(len(body)))
    environ.update(headers or {})
    setup_testing_defaults(environ)
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer.update(status=int(status.split()[0]), headers=dict(response_headers))

    content = b"".join(application(environ, start_response))
    return answer["status"], answer["headers"], content


def test_create_then_fetch(application):
    status, headers, content = call(application, "POST", "/api/tasks", b'{"title": "Write tests"}')
    assert status == 201 and headers["ETag"] == '"1"'
    status, _, fetched = call(application, "GET", headers["Location"])
    assert status == 200 and json.loads(fetched) == json.loads(content)


def test_the_id_is_decoded_once_like_any_path(application):
    call(application, "POST", "/api/tasks", b'{"title": "task 1"}')
    assert call(application, "GET", "/api/tasks/1")[0] == 200
    # The client sent /api/tasks/%2531; the server decoded it once.
    assert call(application, "GET", "/api/tasks/%31")[0] == 404
    assert call(application, "GET", "/api/tasks/1", headers={"QUERY_STRING": "a=%31"})[0] == 200


def test_no_session_cookie_is_set(application):
    _, headers, _ = call(application, "GET", "/api/tasks")
    assert "Set-Cookie" not in headers


def test_an_undeclared_method_is_a_405_problem_with_allow(application):
    status, headers, content = call(application, "PUT", "/api/tasks/1")
    assert status == 405 and headers["Content-Type"] == "application/problem+json"
    assert headers["Allow"] == "GET, HEAD, PATCH, DELETE"
    assert json.loads(content)["code"] == "method_not_allowed"


def test_web2py_default_urls_are_not_reachable(application):
    status, headers, _ = call(application, "GET", "/tasks/api/tasks")
    assert status == 404 and headers["Content-Type"] == "application/problem+json"


# region: tests
def test_an_exception_in_an_action_is_a_500_problem_and_logged(application, monkeypatch, caplog):
    def explode(self, query):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(TaskService, "list_tasks", explode)
    status, _, content = call(application, "GET", "/api/tasks", headers={"HTTP_X_REQUEST_ID": "boom-1"})
    assert status == 500 and json.loads(content)["code"] == "internal_error"
    assert b"secret detail" not in content
    assert any(record.levelno == logging.ERROR and record.exc_info for record in caplog.records)


def test_a_web2py_ticket_becomes_a_500_problem(application, monkeypatch, caplog):
    def broken_model(self, response=None):
        raise RuntimeError("a bug in a model")

    monkeypatch.setattr(Session, "forget", broken_model)
    status, headers, content = call(application, "GET", "/health/live")
    assert status == 500 and headers["Content-Type"] == "application/problem+json"
    assert b"ticket" not in content and b"<html" not in content
    assert any("ticket" in record.getMessage() for record in caplog.records if record.levelno == logging.ERROR)


# endregion
