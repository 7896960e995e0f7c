"""The plugins on a bare Bottle app of their own: what they inject, commit, roll back and render."""

from datetime import timedelta

import pytest
from bottle import Bottle, HTTPResponse, PluginError
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker
from webtest import TestApp

from tasktracker.accounts import new_token, token_digest
from tasktracker.config import Settings
from tasktracker.domain import utc_now
from tasktracker.errors import TaskArchived
from tasktracker.sqla import SqlAlchemyUnitOfWork, create_engine_for
from tasktracker.sqla.models import LoginFailureRecord, TaskRecord
from tracker import errors
from tracker.plugins import AuthPlugin, ProblemPlugin, SQLAlchemyPlugin


class PlainHasher:
    """No password is hashed here: the plugins only pass the hasher on to the account service."""

    def hash(self, password):
        return "plain:" + password

    def verify(self, stored_hash, password):
        return stored_hash == self.hash(password)

    def verify_dummy(self, password):
        pass


@pytest.fixture
def engine(database_url):
    return create_engine_for(database_url)


@pytest.fixture
def token(engine):
    """A valid bearer token of a user of its own, written straight through the repository."""
    token, now = new_token(), utc_now()
    with SqlAlchemyUnitOfWork(sessionmaker(bind=engine)) as unit_of_work:
        user = unit_of_work.accounts.add_user("alice", PlainHasher().hash("unused"), now)
        unit_of_work.accounts.add_token(token_digest(token), user.id, now, now + timedelta(hours=1))
    return token


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
    app.install(AuthPlugin(PlainHasher(), Settings.from_env("bottle", environ={})))
    errors.init_app(app)

    @app.get("/plain")
    def plain():
        return {"plain": True}

    @app.post("/tasks", auth=True)
    def create(tasks):
        return {"id": tasks.create_task({"title": "kept"}).id}

    @app.post("/tasks/then-conflict", auth=True)
    def create_then_conflict(tasks):
        tasks.create_task({"title": "rolled back"})
        raise TaskArchived()

    @app.post("/tasks/then-unavailable", auth=True)
    def create_then_answer_503(tasks):
        tasks.create_task({"title": "rolled back"})
        return HTTPResponse({"status": "error"}, status=503)

    @app.post("/tasks/then-crash", auth=True)
    def create_then_crash(tasks):
        tasks.create_task({"title": "rolled back"})
        raise RuntimeError("secret detail")

    @app.post("/tokens")
    def issue(accounts):
        return {"token": accounts.issue_token({"username": "alice", "password": "wrong"}).token}

    @app.get("/whoami", auth=True)
    def whoami(authenticated):
        return {"username": authenticated.user.username}

    return app


@pytest.fixture
def client(app, token):
    return TestApp(app, extra_environ={"HTTP_AUTHORIZATION": f"Bearer {token}"})


@pytest.fixture
def anonymous_client(app):
    return TestApp(app)


def stored_tasks(engine):
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(TaskRecord))


def stored_login_failures(engine):
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(LoginFailureRecord))


def test_routes_that_do_not_ask_for_the_service_open_no_session(client, checkouts):
    assert client.get("/plain").json == {"plain": True}
    assert checkouts["count"] == 0


# region: tests
def test_a_marked_route_gets_the_user_of_the_token(client):
    assert client.get("/whoami").json == {"username": "alice"}


def test_a_marked_route_refuses_a_request_without_a_token_before_the_callback_runs(anonymous_client, engine):
    # The body is not even looked at: no 400 for JSON that is not.
    response = anonymous_client.post("/tasks", b"{not json", status=401, content_type="application/json")
    assert response.json["code"] == "unauthenticated"
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="task-tracker"'
    assert stored_tasks(engine) == 0


def test_an_unknown_token_is_invalid_and_a_cookie_authenticates_nothing(anonymous_client, token):
    response = anonymous_client.get("/whoami", headers={"Authorization": "Bearer " + new_token()}, status=401)
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="task-tracker", error="invalid_token"'
    anonymous_client.set_cookie("token", token)
    assert anonymous_client.get("/whoami", status=401).json["code"] == "unauthenticated"


def test_a_failed_token_request_is_recorded_although_it_is_answered_401(anonymous_client, engine):
    assert anonymous_client.post("/tokens", status=401).json["code"] == "invalid_credentials"
    assert stored_login_failures(engine) == 1


# endregion


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
    # One session per request, authentication's lookup included.
    assert checkouts["count"] == checkins["count"] == 4


# endregion


def test_two_plugins_cannot_inject_the_same_keyword(engine):
    app = Bottle()
    app.install(SQLAlchemyPlugin(engine))
    with pytest.raises(PluginError, match="already injects 'unit_of_work'"):
        app.install(SQLAlchemyPlugin(engine))


def test_the_auth_plugin_needs_the_unit_of_work_installed_first():
    with pytest.raises(PluginError, match="needs a SQLAlchemyPlugin"):
        Bottle().install(AuthPlugin(PlainHasher(), Settings.from_env("bottle", environ={})))
