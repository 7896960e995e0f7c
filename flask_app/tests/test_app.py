"""What the contract suite cannot see from outside: the factory, the hooks and the error handlers."""

from sqlalchemy.exc import OperationalError

from tracker import api


# region: tests
def test_create_and_fetch(client):
    created = client.post("/api/tasks", json={"title": "Write tests"})
    assert created.status_code == 201
    fetched = client.get(created.headers["Location"])
    assert fetched.json == created.json and fetched.headers["ETag"] == '"1"'


def test_every_request_gets_an_id(client):
    response = client.get("/health/live", headers={"X-Request-ID": "from-client"})
    assert response.headers["X-Request-ID"] == "from-client"


def test_werkzeug_405_becomes_a_problem_with_the_spec_allow_header(client):
    response = client.put("/api/tasks/1")
    assert response.status_code == 405
    assert response.mimetype == "application/problem+json"
    assert response.headers["Allow"] == "GET, HEAD, PATCH, DELETE"


def test_unexpected_exceptions_are_500_problems_without_details(client, monkeypatch, caplog):
    def explode():
        raise RuntimeError("secret detail")

    monkeypatch.setattr(api, "task_service", explode)
    response = client.get("/api/tasks")
    assert response.status_code == 500
    assert response.json["code"] == "internal_error"
    assert "secret detail" not in response.get_data(as_text=True)
    assert any(record.exc_info and record.levelname == "ERROR" for record in caplog.records)


def test_a_failing_commit_is_a_503(client, monkeypatch):
    def failing_commit(self):
        raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    monkeypatch.setattr("sqlalchemy.orm.Session.commit", failing_commit)
    response = client.post("/api/tasks", json={"title": "never stored"})
    assert response.status_code == 503 and response.json["code"] == "unavailable"


def test_init_db_command(app):
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0 and "migrated" in result.output


# endregion
