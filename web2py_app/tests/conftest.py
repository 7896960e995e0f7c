import os
import uuid
from pathlib import Path

import pytest
from pydal import DAL

from tasktracker.config import parse_database_url

APPLICATIONS_PARENT = Path(__file__).resolve().parent.parent
# gluon reads its applications parent (routes.py, applications/) when it is first imported.
os.environ.setdefault("web2py_path", str(APPLICATIONS_PARENT))


def migrated_database(database_url, folder):
    """A DAL over a database with the task table, created the way migrate.py does."""
    from applications.tasks.modules.database import dal_options
    from applications.tasks.modules.task_table import define_task_table

    db = DAL(**dal_options(database_url), folder=str(folder))
    define_task_table(db, migrate=True)
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
