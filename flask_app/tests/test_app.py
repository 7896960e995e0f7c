"""What the contract suite cannot see from outside: the factory, the hooks and the error handlers."""

from prometheus_client import REGISTRY
from sqlalchemy.exc import OperationalError

from tracker import api
from tracker.db import task_service


# region: tests
def failing_commit(self):
    raise OperationalError("COMMIT", {}, Exception("disk I/O error"))


def access_statuses(caplog) -> list[int]:
    return [record.status for record in caplog.records if record.name == "tasktracker.access"]


def test_create_and_fetch(client):
    created = client.post("/api/tasks", json={"title": "Write tests"})
    assert created.status_code == 201
    assert created.headers["Location"] == f"/api/tasks/{created.json['id']}"
    fetched = client.get(created.headers["Location"])
    assert fetched.json == created.json and fetched.headers["ETag"] == '"1"'


def test_every_request_gets_an_id(client):
    response = client.get("/health/live", headers={"X-Request-ID": "from-client"})
    assert response.headers["X-Request-ID"] == "from-client"


def test_the_request_is_observed_when_the_server_closes_the_response(client, caplog):
    # Not buffered: the test client closes the response, as a server does, only when told to.
    response = client.get("/health/live")
    assert access_statuses(caplog) == []
    response.close()
    assert access_statuses(caplog) == [200]


def test_werkzeug_405_becomes_a_problem_with_the_spec_allow_header(client):
    response = client.put("/api/tasks/1")
    assert response.status_code == 405
    assert response.mimetype == "application/problem+json"
    assert response.headers["Allow"] == "GET, HEAD, PATCH, DELETE"


def test_unexpected_exceptions_are_500_problems_without_details(client, token, monkeypatch, caplog):
    def explode():
        raise RuntimeError("secret detail")

    monkeypatch.setattr(api, "task_service", explode)
    response = client.get("/api/tasks")
    assert response.status_code == 500
    assert response.json["code"] == "internal_error"
    assert "secret detail" not in response.get_data(as_text=True)
    assert any(record.exc_info and record.levelname == "ERROR" for record in caplog.records)
    # The error's log has its traceback, never the request's Authorization header.
    assert token not in caplog.text


def test_a_failing_commit_is_a_503_and_counts_no_create(client, monkeypatch):
    created_before = REGISTRY.get_sample_value("tasks_created_total")
    monkeypatch.setattr("sqlalchemy.orm.Session.commit", failing_commit)
    response = client.post("/api/tasks", json={"title": "never stored"})
    assert response.status_code == 503 and response.json["code"] == "unavailable"
    assert REGISTRY.get_sample_value("tasks_created_total") == created_before


def test_a_failing_commit_stores_nothing_and_is_logged_and_observed_once(client, monkeypatch, caplog):
    with monkeypatch.context() as patched:
        patched.setattr("sqlalchemy.orm.Session.commit", failing_commit)
        response = client.post("/api/tasks", json={"title": "never stored"}, buffered=True)
    assert response.status_code == 503 and response.headers["X-Request-ID"]
    [error] = [record for record in caplog.records if record.levelname == "ERROR"]
    assert error.exc_info[0] is OperationalError
    assert access_statuses(caplog) == [503]
    assert client.get("/api/tasks").json["items"] == []


def test_a_view_that_fails_after_writing_is_rolled_back(client, monkeypatch):
    def explode(task):
        raise RuntimeError("after the write")

    monkeypatch.setattr(api, "task_to_dict", explode)
    assert client.post("/api/tasks", json={"title": "rolled back"}).status_code == 500
    monkeypatch.undo()
    assert client.get("/api/tasks").json["items"] == []


def test_teardown_rolls_back_what_no_response_committed(app, client, auth_headers):
    with app.test_request_context("/api/tasks", method="POST", headers=auth_headers):
        task_service().create_task({"title": "abandoned"})
    assert client.get("/api/tasks").json["items"] == []


def test_init_db_command(app):
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0 and "migrated" in result.output


# endregion
