"""Engines for the spec's ``DATABASE_URL`` strings, tuned so concurrent writers never fail."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event

from tasktracker.config import ensure_sqlite_folder, parse_database_url

SQLITE_BUSY_TIMEOUT_SECONDS = 30


def sqlalchemy_url(database_url: str) -> str:
    """The spec's URL with an explicit driver: psycopg 3 for PostgreSQL, pysqlite for SQLite."""
    database = parse_database_url(database_url)
    if database.backend == "sqlite":
        return f"sqlite+pysqlite:///{database.path}"
    _scheme, _, rest = database_url.partition("://")
    return f"postgresql+psycopg://{rest}"


def _make_sqlite_writers_queue(engine: Engine) -> None:
    # pysqlite starts transactions lazily and as DEFERRED: two requests that both read and then
    # write would deadlock, and SQLite answers one of them "database is locked" at once, without
    # waiting. Taking the write lock at BEGIN (IMMEDIATE) makes writers wait their turn for up to
    # the busy timeout instead. WAL lets readers carry on meanwhile.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_engine_for(database_url: str, **engine_options: Any) -> Engine:
    database = parse_database_url(database_url)
    if database.backend == "sqlite":
        ensure_sqlite_folder(database)
        engine = create_engine(
            sqlalchemy_url(database_url),
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            **engine_options,
        )
        _make_sqlite_writers_queue(engine)
        return engine
    return create_engine(
        sqlalchemy_url(database_url),
        # A dead connection in the pool is replaced instead of failing the next request.
        pool_pre_ping=True,
        # An unreachable server must fail readiness quickly, not hang the worker.
        connect_args={"connect_timeout": 5},
        **engine_options,
    )
