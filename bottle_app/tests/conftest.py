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
def whole_app(tmp_path_factory):
    """``tracker.wsgi.app``, the app as gunicorn serves it, over a database of the tests' own.

    Like gunicorn's master, tracker.wsgi builds it when first imported, from the environment: so
    DATABASE_URL is set first, and no test module imports tracker.wsgi or tracker.settings itself.
    """
    url = f"sqlite:///{tmp_path_factory.mktemp('wsgi') / 'tasks.db'}"
    upgrade(url)
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("DATABASE_URL", url)
        return importlib.import_module("tracker.wsgi").app


@pytest.fixture
def client(whole_app):
    return TestApp(whole_app)


# endregion
