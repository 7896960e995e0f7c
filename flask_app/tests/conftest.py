from datetime import timedelta

import pytest

from tasktracker import accounts
from tasktracker.domain import utc_now
from tasktracker.sqla import SqlAlchemyUnitOfWork
from tasktracker.sqla.migrate import upgrade
from tracker import create_app


# region: tests
@pytest.fixture
def app(tmp_path, monkeypatch):
    database_url = f"sqlite:///{tmp_path / 'tasks.db'}"
    monkeypatch.setenv("DATABASE_URL", database_url)
    upgrade(database_url)
    # Not propagated, unlike flaskr's tests: an exception raised after the view (a failing
    # commit) goes to the 500 handler, as it does in production.
    return create_app({"TESTING": True, "PROPAGATE_EXCEPTIONS": False})


@pytest.fixture
def token(app) -> str:
    """A valid bearer token of a user stored directly, with no password: hashing is slow."""
    token, now = accounts.new_token(), utc_now()
    with SqlAlchemyUnitOfWork(app.extensions["sessionmaker"]) as unit_of_work:
        user = unit_of_work.accounts.add_user("owner", accounts.unusable_password(), now)
        unit_of_work.accounts.add_token(accounts.token_digest(token), user.id, now, now + timedelta(hours=1))
    return token


@pytest.fixture
def auth_headers(token) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def client(app, token):
    """Flask's test client, sending the token with every request."""
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


@pytest.fixture
def anonymous_client(app):
    return app.test_client()


# endregion
