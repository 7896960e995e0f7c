"""DAL settings from the spec's DATABASE_URL, worked out once per process."""

from urllib.parse import quote

from gluon.settings import global_settings

from tasktracker.config import Settings, ensure_sqlite_folder, parse_database_url

# Relative SQLite paths are relative to the variant's folder: web2py's applications parent.
VARIANT_FOLDER = global_settings.applications_parent
SQLITE_BUSY_TIMEOUT_SECONDS = 30


def _prepare_sqlite_connection(adapter):
    # WAL lets readers carry on while one request writes; the busy timeout makes a second
    # writer wait for the lock instead of failing with "database is locked".
    adapter.execute("PRAGMA journal_mode=WAL")
    adapter.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")


def dal_options(database_url: str) -> dict:
    """Keyword arguments for ``DAL()``: web2py's URI syntax and each driver's settings."""
    database = parse_database_url(database_url, base_dir=VARIANT_FOLDER)
    if database.backend == "sqlite":
        ensure_sqlite_folder(database)
        return {
            "uri": f"sqlite://{database.path}",
            "driver_args": {"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
            "after_connection": _prepare_sqlite_connection,
        }
    # Always user:password@ (an empty password too): the DAL unquotes both parts.
    credentials = f"{quote(database.user, safe='')}:{quote(database.password, safe='')}"
    return {
        "uri": f"postgres://{credentials}@{database.host}:{database.port}/{database.name}",
        "decode_credentials": True,
        # Connections outlive the request in a per-process pool, as web2py does in production.
        "pool_size": 5,
        # An unreachable server must fail readiness quickly, not hang the worker.
        "driver_args": {"connect_timeout": 5},
    }


DAL_OPTIONS = dal_options(Settings.from_env("web2py").database_url)
