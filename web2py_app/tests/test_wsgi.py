"""What the contract suite cannot see from outside: web2py's own errors, tickets and sessions."""

import json
import logging
from wsgiref.util import setup_testing_defaults

from conftest import access_statuses, call
from gluon.globals import Session

from tasktracker.service import TaskService


# region: tests
def test_create_then_fetch(application):
    status, headers, content = call(application, "POST", "/api/tasks", b'{"title": "Write tests"}')
    assert status == 201 and headers["ETag"] == '"1"' and headers["Location"] == "/api/tasks/1"
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


def test_the_request_is_observed_when_the_server_closes_the_response(application, caplog):
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/api/tasks/1", "HTTP_X_REQUEST_ID": "closed-1"}
    setup_testing_defaults(environ)
    answer = {}
    caplog.set_level(logging.INFO)
    response = application(environ, lambda status, headers, exc_info=None: answer.update(headers=dict(headers)))
    b"".join(response)
    assert access_statuses(caplog) == []
    response.close()
    [access] = [record for record in caplog.records if record.name == "tasktracker.access"]
    assert (access.status, access.route) == (404, "/api/tasks/{id}")
    assert answer["headers"]["X-Request-ID"] == "closed-1"


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
