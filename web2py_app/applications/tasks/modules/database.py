"""DAL settings from the spec's DATABASE_URL, worked out once per process."""

from urllib.parse import quote

from gluon.settings import global_settings

from tasktracker.config import ensure_sqlite_folder, parse_database_url

from .configuration import settings

# region: persistence
# Relative SQLite paths are relative to the variant's folder: web2py's applications parent.
VARIANT_FOLDER = global_settings.applications_parent
SQLITE_BUSY_TIMEOUT_SECONDS = 30


def _use_write_ahead_log(adapter):
    # WAL lets readers carry on while one request writes.
    adapter.execute("PRAGMA journal_mode=WAL")


def dal_options(database_url: str) -> dict:
    """Keyword arguments for ``DAL()``: web2py's URI syntax and each driver's settings."""
    database = parse_database_url(database_url, base_dir=VARIANT_FOLDER)
    if database.backend == "sqlite":
        ensure_sqlite_folder(database)
        return {
            "uri": f"sqlite://{database.path}",
            # A second writer waits for the lock instead of failing with "database is locked".
            # pysqlite begins a transaction only at its first write, so none reads before it
            # writes and then must upgrade its lock (SQLite refuses that at once, without waiting).
            "driver_args": {"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
            "after_connection": _use_write_ahead_log,
        }
    # Always user:password@ (an empty password too): the DAL unquotes both parts.
    credentials = f"{quote(database.user, safe='')}:{quote(database.password, safe='')}"
    return {
        "uri": f"postgres://{credentials}@{database.host}:{database.port}/{database.name}",
        "decode_credentials": True,
        # DAL() connects at once and retries this many times, a second apart: while the
        # database is down, a request should get its 503 without waiting for retries.
        "attempts": 1,
        # Connections outlive the request in a per-process pool, as web2py does in production.
        "pool_size": 5,
        # An unreachable server must fail readiness quickly, not hang the worker.
        "driver_args": {"connect_timeout": 5},
    }


DAL_OPTIONS = dal_options(settings.database_url)
# endregion
