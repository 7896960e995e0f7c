import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tasktracker.config import parse_database_url

# `tox -e shared-pg` sets this to a PostgreSQL server URL; a throwaway database is made on it.
PG_SERVER_URL = os.environ.get("CONTRACT_DATABASE_URL", "")


@pytest.fixture(scope="session")
def postgresql_url() -> Iterator[str]:
    yield from _throwaway_postgresql_database()


@pytest.fixture
def fresh_postgresql_url() -> Iterator[str]:
    """A database of its own, for a test that must start from nothing (a migration's upgrade)."""
    yield from _throwaway_postgresql_database()


def _throwaway_postgresql_database() -> Iterator[str]:
    if not PG_SERVER_URL.startswith("postgresql"):
        pytest.skip("PostgreSQL tests run in `tox -e shared-pg` (CONTRACT_DATABASE_URL names the server)")
    import psycopg

    server = parse_database_url(PG_SERVER_URL)
    name = f"shared_tests_{uuid.uuid4().hex[:12]}"
    admin = psycopg.connect(PG_SERVER_URL.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        credentials = server.user + (f":{server.password}" if server.password else "")
        yield f"postgresql://{credentials}@{server.host}:{server.port}/{name}"
    finally:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'tasks.db'}"
