import importlib

import pytest
from webtest import TestApp

from tasktracker.sqla.migrate import upgrade


# region: tests
@pytest.fixture
def database_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'tasks.db'}"
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def whole_app_database_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('wsgi') / 'tasks.db'}"
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def whole_app(whole_app_database_url):
    """``tracker.wsgi.app``, the app as gunicorn serves it, over a database of the tests' own.

    Like gunicorn's master, tracker.wsgi builds it when first imported, from the environment: so
    DATABASE_URL is set first, and no test module imports tracker.wsgi or tracker.settings itself.
    """
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("DATABASE_URL", whole_app_database_url)
        return importlib.import_module("tracker.wsgi").app


@pytest.fixture(scope="session")
def account(whole_app):
    """A user signed up through the API, and its token: hashed once for the whole session."""
    anonymous = TestApp(whole_app)
    credentials = {"username": "bottle-tester", "password": "a long enough passphrase"}
    user = anonymous.post_json("/api/users", credentials, status=201).json
    token = anonymous.post_json("/api/tokens", credentials, status=201).json["token"]
    return {**user, **credentials, "token": token}


@pytest.fixture
def client(whole_app, account):
    return TestApp(whole_app, extra_environ={"HTTP_AUTHORIZATION": f"Bearer {account['token']}"})


# endregion
