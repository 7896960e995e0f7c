import pytest
from webtest import TestApp

from tasktracker.sqla.migrate import upgrade
from tracker.app import create_app
from tracker.observability import RequestObservationMiddleware


# region: tests
@pytest.fixture
def database_url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'tasks.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    upgrade(url)
    return url


@pytest.fixture
def app(database_url):
    return create_app()


@pytest.fixture
def client(app):
    """The app as gunicorn serves it: inside the observation middleware."""
    return TestApp(RequestObservationMiddleware(app))


# endregion
