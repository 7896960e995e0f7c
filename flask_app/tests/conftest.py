import pytest

from tasktracker.sqla.migrate import upgrade
from tracker import create_app


# region: tests
@pytest.fixture
def app(tmp_path, monkeypatch):
    database_url = f"sqlite:///{tmp_path / 'tasks.db'}"
    monkeypatch.setenv("DATABASE_URL", database_url)
    upgrade(database_url)
    return create_app({"TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


# endregion
