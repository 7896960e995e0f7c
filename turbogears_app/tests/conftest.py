import shutil
from pathlib import Path

import pytest
from paste.deploy import loadapp
from sqlalchemy.orm import Session
from webtest import TestApp

from tasktracker.accounts import new_token, token_digest, token_expiry
from tasktracker.domain import utc_now
from tasktracker.sqla import create_engine_for
from tasktracker.sqla.accounts import SqlAlchemyAccountRepository
from tasktracker.sqla.migrate import upgrade
from tracker.model import PASSWORD_HASHER

VARIANT_DIR = Path(__file__).resolve().parent.parent
CREDENTIALS = {"username": "ada", "password": "analytical engine"}


# region: tests
@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """A database migrated once, with one user and a token of hers; each test gets a copy (five
    migrations and an Argon2id hash would take a second or two per test)."""
    path = tmp_path_factory.mktemp("migrated") / "tasks.db"
    upgrade(f"sqlite:///{path}")
    engine = create_engine_for(f"sqlite:///{path}")
    token, now = new_token(), utc_now()
    with Session(engine) as session, session.begin():
        accounts = SqlAlchemyAccountRepository(session)
        user = accounts.add_user(CREDENTIALS["username"], PASSWORD_HASHER.hash(CREDENTIALS["password"]), now)
        accounts.add_token(token_digest(token), user.id, now, token_expiry(now, 1))
    engine.dispose()
    return path, token


@pytest.fixture
def database_url(migrated_database, tmp_path, monkeypatch):
    """A fresh copy of that database, the one in force (DATABASE_URL wins over the ini)."""
    path = tmp_path / "tasks.db"
    shutil.copyfile(migrated_database[0], path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


@pytest.fixture
def credentials():
    return CREDENTIALS


@pytest.fixture
def token(migrated_database):
    return migrated_database[1]


@pytest.fixture
def wsgi_app(database_url):
    """The application as gearbox would load it, from test.ini."""
    return loadapp("config:test.ini", relative_to=str(VARIANT_DIR))


@pytest.fixture
def anonymous_app(wsgi_app):
    return TestApp(wsgi_app)


@pytest.fixture
def app(wsgi_app, token):
    """The application, every request with the bearer token of the database's user."""
    return TestApp(wsgi_app, extra_environ={"HTTP_AUTHORIZATION": f"Bearer {token}"})


@pytest.fixture
def production_ini():
    return str(VARIANT_DIR / "production.ini")


# endregion
