from pathlib import Path

import pytest
from paste.deploy import loadapp
from webtest import TestApp

from tasktracker.sqla.migrate import upgrade

VARIANT_DIR = Path(__file__).resolve().parent.parent


# region: tests
@pytest.fixture
def app(tmp_path, monkeypatch):
    """The application as gearbox would load it, from test.ini, on a fresh migrated database."""
    database_url = f"sqlite:///{tmp_path / 'tasks.db'}"
    monkeypatch.setenv("DATABASE_URL", database_url)
    upgrade(database_url)
    return TestApp(loadapp("config:test.ini", relative_to=str(VARIANT_DIR)))


# endregion


@pytest.fixture
def production_ini():
    return str(VARIANT_DIR / "production.ini")
