import pytest

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
def client(app):
    return app.test_client()


# endregion
