"""A pytest plugin that ``tools/parity.py`` loads into each contract run (``-p parity_probe``).

It asks the server under test what it runs (``GET /api``, spec 4.1) and which database it uses, and
writes the answers as properties of the JUnit XML test suite, where the parity matrix reads its
column headers. It asserts nothing: a server that does not answer fails the tests themselves.
"""

from __future__ import annotations

import psycopg
import pytest

SERVER_KEYS = ("variant", "framework", "framework_version", "python_version")


def database_identity(database_url: str | None) -> tuple[str, str]:
    # Loaded with -p before the suite's conftest has put contract_tests/ on sys.path.
    from harness import is_postgres_url

    if not is_postgres_url(database_url):
        return "SQLite", ""
    with psycopg.connect(database_url, autocommit=True) as connection:
        return "PostgreSQL", str(connection.execute("SHOW server_version").fetchone()[0]).split()[0]


@pytest.fixture(scope="session", autouse=True)
def parity_server_identity(request: pytest.FixtureRequest, record_testsuite_property) -> None:
    try:
        info = request.getfixturevalue("anonymous_client").get("/api").json()
    except (Exception, pytest.fail.Exception):
        info = {}
    for key in SERVER_KEYS:
        record_testsuite_property(key, str(info.get(key, "unknown")))
    database, database_version = database_identity(request.config.getoption("--database-url"))
    record_testsuite_property("database", database)
    record_testsuite_property("database_version", database_version)
