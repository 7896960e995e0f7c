"""The request's DAL, built at its first use, and the driver failures that make a database unavailable."""

import sqlite3

import psycopg2

from tasktracker.errors import Unavailable, unavailable_on

# region: persistence
# The DAL lets its drivers' own errors through: the database gone away, unreachable, or locked
# past the busy timeout. Anything else is a programming error, and stays a 500.
DATABASE_FAILURES = (
    sqlite3.OperationalError,
    sqlite3.InterfaceError,
    psycopg2.OperationalError,
    psycopg2.InterfaceError,
)
# A unique index refusing a row: a taken username.
INTEGRITY_FAILURES = (sqlite3.IntegrityError, psycopg2.IntegrityError)


class LazyDatabase:
    """``connect`` builds the DAL, with its tables, the first time a repository needs it."""

    def __init__(self, connect) -> None:
        self._connect = connect
        self._db = None

    @property
    def connected(self) -> bool:
        return self._db is not None

    @property
    def db(self):
        if self._db is None:
            # DAL() raises RuntimeError("Failure to connect, tried N times") for any driver error.
            with unavailable_on(RuntimeError):
                self._db = self._connect()
        return self._db

    def ping(self) -> bool:
        try:
            with unavailable_on(*DATABASE_FAILURES):
                self.db.executesql("SELECT 1")
        except Unavailable:
            return False
        return True


# endregion
