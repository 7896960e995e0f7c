import io
import os
import uuid
from datetime import timedelta
from pathlib import Path
from wsgiref.util import setup_testing_defaults

import pytest
from pydal import DAL

from tasktracker.accounts import token_digest, unusable_password
from tasktracker.config import parse_database_url
from tasktracker.domain import utc_now

APPLICATIONS_PARENT = Path(__file__).resolve().parent.parent
# gluon reads its applications parent (routes.py, applications/) when it is first imported.
os.environ.setdefault("web2py_path", str(APPLICATIONS_PARENT))


def web2py_environment():
    """web2py's shell environment (request, session, T in ``current``), which Auth's tables need.

    Each request served clears ``current``; a test outside one sets it up again.
    """
    from gluon.shell import env

    env("tasks")


def migrated_database(database_url, folder):
    """A DAL over a database with the application's tables, migrated the way migrate.py does."""
    from applications.tasks.modules.database import dal_options
    from applications.tasks.modules.schema import migrate_schema

    web2py_environment()
    db = DAL(**dal_options(database_url), folder=str(folder))
    migrate_schema(db)
    db.commit()
    return db


def empty_tables(db):
    """Each PostgreSQL test sees empty tables and restarts ids."""
    db.executesql("TRUNCATE task, api_token, login_failure, auth_user RESTART IDENTITY CASCADE;")
    db.commit()


# `tox -e web2py-pg` sets this to a PostgreSQL server URL; a throwaway database is made on it.
PG_SERVER_URL = os.environ.get("CONTRACT_DATABASE_URL", "")


@pytest.fixture(scope="session")
def postgresql_url():
    if not PG_SERVER_URL.startswith("postgresql"):
        pytest.skip("PostgreSQL tests run in `tox -e web2py-pg` (CONTRACT_DATABASE_URL names the server)")
    import psycopg

    server = parse_database_url(PG_SERVER_URL)
    name = f"web2py_tests_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_SERVER_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://{server.user}:{server.password}@{server.host}:{server.port}/{name}"
    finally:
        with psycopg.connect(PG_SERVER_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgresql_database(postgresql_url, tmp_path_factory):
    """The throwaway PostgreSQL database, migrated once; tests truncate the table they use."""
    db = migrated_database(postgresql_url, tmp_path_factory.mktemp("tables"))
    yield db
    db.close()


# The application fixture's user's token, stored as the API stores one (its digest), without
# the cost of a sign-up's password hash.
TOKEN = "a-test-token-of-the-application-fixture"


@pytest.fixture
def anonymous_application(tmp_path, monkeypatch):
    """The WSGI handler gunicorn serves, on a new SQLite database."""
    import wsgihandler
    from applications.tasks.modules import database

    database_url = f"sqlite:///{tmp_path / 'tasks.db'}"
    db = migrated_database(database_url, tmp_path)
    user = db.auth_user.insert(username="tester", password=unusable_password(), created_at=utc_now())
    db.api_token.insert(
        digest=token_digest(TOKEN), user_id=user, created_at=utc_now(), expires_at=utc_now() + timedelta(days=1)
    )
    db.commit()
    db.close()
    monkeypatch.setattr(database, "DAL_OPTIONS", database.dal_options(database_url))
    return wsgihandler.application


@pytest.fixture
def application(anonymous_application):
    """The same, every request carrying the token of a user (unless it names its own)."""

    def authenticated(environ, start_response):
        environ.setdefault("HTTP_AUTHORIZATION", f"Bearer {TOKEN}")
        return anonymous_application(environ, start_response)

    return authenticated


def call(application, method, path, body=b"", headers=None):
    """One request, served and closed as a WSGI server does: (status, headers, body)."""
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "wsgi.input": io.BytesIO(body)}
    if body:
        environ.update(CONTENT_TYPE="application/json", CONTENT_LENGTH=str(len(body)))
    environ.update(headers or {})
    setup_testing_defaults(environ)
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer.update(status=int(status.split()[0]), headers=dict(response_headers))

    response = application(environ, start_response)
    try:
        content = b"".join(response)
    finally:
        # As a server does once it has sent the body (PEP 3333).
        response.close()
    return answer["status"], answer["headers"], content


def access_statuses(caplog):
    return [record.status for record in caplog.records if record.name == "tasktracker.access"]
