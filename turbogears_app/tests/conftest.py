from pathlib import Path

import pytest
from paste.deploy import loadapp
from webtest import TestApp

from tasktracker.sqla.migrate import upgrade

VARIANT_DIR = Path(__file__).resolve().parent.parent


# region: tests
@pytest.fixture
def database_url(tmp_path, monkeypatch):
    """A fresh migrated database, the one in force (DATABASE_URL wins over the ini)."""
    url = f"sqlite:///{tmp_path / 'tasks.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    upgrade(url)
    return url


@pytest.fixture
def wsgi_app(database_url):
    """The application as gearbox would load it, from test.ini."""
    return loadapp("config:test.ini", relative_to=str(VARIANT_DIR))


@pytest.fixture
def app(wsgi_app):
    return TestApp(wsgi_app)


@pytest.fixture
def production_ini():
    return str(VARIANT_DIR / "production.ini")


# endregion
