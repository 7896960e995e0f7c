import io
import os
import uuid
from pathlib import Path
from wsgiref.util import setup_testing_defaults

import pytest
from pydal import DAL

from tasktracker.config import parse_database_url

APPLICATIONS_PARENT = Path(__file__).resolve().parent.parent
# gluon reads its applications parent (routes.py, applications/) when it is first imported.
os.environ.setdefault("web2py_path", str(APPLICATIONS_PARENT))


def migrated_database(database_url, folder):
    """A DAL over a database with the task table, created the way migrate.py does."""
    from applications.tasks.modules.database import dal_options
    from applications.tasks.modules.task_table import create_task_indexes, define_task_table

    db = DAL(**dal_options(database_url), folder=str(folder))
    define_task_table(db, migrate=True)
    create_task_indexes(db)
    db.commit()
    return db


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


@pytest.fixture
def application(tmp_path, monkeypatch):
    """The WSGI handler gunicorn serves, on a new SQLite database."""
    import wsgihandler
    from applications.tasks.modules import database

    database_url = f"sqlite:///{tmp_path / 'tasks.db'}"
    migrated_database(database_url, tmp_path).close()
    monkeypatch.setattr(database, "DAL_OPTIONS", database.dal_options(database_url))
    return wsgihandler.application


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
