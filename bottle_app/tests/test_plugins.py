"""The plugins on a bare Bottle app of their own: what they inject, commit, roll back and render."""

import pytest
from bottle import Bottle, HTTPResponse, PluginError
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError
from webtest import TestApp

from tasktracker.errors import TaskArchived
from tasktracker.sqla import create_engine_for
from tasktracker.sqla.models import TaskRecord
from tracker import errors
from tracker.plugins import ProblemPlugin, SQLAlchemyPlugin


@pytest.fixture
def engine(database_url):
    return create_engine_for(database_url)


def pool_event_counter(engine, event_name):
    """How many times the pool sent ``event_name`` ("checkout": a connection taken, "checkin": given back)."""
    counter = {"count": 0}

    def count(*_args):
        counter["count"] += 1

    event.listen(engine, event_name, count)
    return counter


@pytest.fixture
def checkouts(engine):
    return pool_event_counter(engine, "checkout")


@pytest.fixture
def checkins(engine):
    return pool_event_counter(engine, "checkin")


@pytest.fixture
def app(engine):
    app = Bottle()
    app.install(ProblemPlugin())
    app.install(SQLAlchemyPlugin(engine))
    errors.init_app(app)

    @app.get("/plain")
    def plain():
        return {"plain": True}

    @app.post("/tasks")
    def create(service):
        return {"id": service.create_task({"title": "kept"}).id}

    @app.post("/tasks/then-conflict")
    def create_then_conflict(service):
        service.create_task({"title": "rolled back"})
        raise TaskArchived()

    @app.post("/tasks/then-unavailable")
    def create_then_answer_503(service):
        service.create_task({"title": "rolled back"})
        return HTTPResponse({"status": "error"}, status=503)

    @app.post("/tasks/then-crash")
    def create_then_crash(service):
        service.create_task({"title": "rolled back"})
        raise RuntimeError("secret detail")

    return app


@pytest.fixture
def client(app):
    return TestApp(app)


def stored_tasks(engine):
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(TaskRecord))


def test_routes_that_do_not_ask_for_the_service_open_no_session(client, checkouts):
    assert client.get("/plain").json == {"plain": True}
    assert checkouts["count"] == 0


# region: tests
def test_the_transaction_is_committed_when_the_route_returns(client, engine):
    client.post("/tasks")
    assert stored_tasks(engine) == 1


def test_a_problem_rolls_the_transaction_back_and_is_rendered(client, engine):
    response = client.post("/tasks/then-conflict", status=409)
    assert response.content_type == "application/problem+json"
    assert response.json["code"] == "task_archived"
    assert stored_tasks(engine) == 0


def test_an_unexpected_exception_rolls_back_and_is_a_bare_500(client, engine, caplog):
    response = client.post("/tasks/then-crash", status=500)
    assert response.json["code"] == "internal_error"
    assert "secret detail" not in response.text
    assert stored_tasks(engine) == 0
    [failure] = [record for record in caplog.records if record.levelname == "ERROR"]
    assert failure.exc_info[1].args == ("secret detail",)


def failing_commit(self):
    raise OperationalError("COMMIT", {}, Exception("disk I/O error"))


def test_a_failing_commit_is_a_503(client, engine, monkeypatch):
    monkeypatch.setattr("sqlalchemy.orm.Session.commit", failing_commit)
    response = client.post("/tasks", status=503)
    assert response.content_type == "application/problem+json"
    assert response.json["code"] == "unavailable"
    assert stored_tasks(engine) == 0


def test_an_error_answered_without_raising_is_rolled_back(client, engine):
    client.post("/tasks/then-unavailable", status=503)
    assert stored_tasks(engine) == 0


def test_the_connection_goes_back_to_the_pool_whatever_happened(client, checkouts, checkins, monkeypatch):
    client.post("/tasks")
    client.post("/tasks/then-conflict", status=409)
    client.post("/tasks/then-crash", status=500)
    monkeypatch.setattr("sqlalchemy.orm.Session.commit", failing_commit)
    client.post("/tasks", status=503)
    assert checkouts["count"] == checkins["count"] == 4


# endregion


def test_two_plugins_cannot_inject_the_same_keyword(engine):
    app = Bottle()
    app.install(SQLAlchemyPlugin(engine))
    with pytest.raises(PluginError, match="already injects 'service'"):
        app.install(SQLAlchemyPlugin(engine))
