"""Accounts over web2py's auth_user: the shared contract, the stored hash, the 1.x upgrade, no secrets."""

import json
import logging
import sqlite3

import pytest
from applications.tasks.modules.account_repository import DalAccountRepository
from applications.tasks.modules.account_tables import PASSWORD_HASHER
from applications.tasks.modules.connection import LazyDatabase
from applications.tasks.modules.database import dal_options
from applications.tasks.modules.schema import migrate_schema
from applications.tasks.modules.task_table import define_task_table
from conftest import APPLICATIONS_PARENT, PG_SERVER_URL, call, empty_tables, migrated_database, web2py_environment
from gluon.globals import Session
from pydal import DAL

from tasktracker.accounts import LEGACY_USERNAME, unusable_password
from tasktracker.repository import stored_fields
from tasktracker.testing.account_repository_contract import AccountRepositoryContract
from tasktracker.testing.repository_contract import make_new_task

# region: tests
PASSWORD = "a long enough passphrase"


class TestDalAccountRepositoryOnSqlite(AccountRepositoryContract):
    @pytest.fixture
    def account_repository(self, tmp_path):
        db = migrated_database(f"sqlite:///{tmp_path / 'tasks.db'}", tmp_path)
        yield DalAccountRepository(LazyDatabase(lambda: db))
        db.close()


class TestDalAccountRepositoryOnPostgresql(AccountRepositoryContract):
    @pytest.fixture
    def account_repository(self, postgresql_database):
        empty_tables(postgresql_database)
        yield DalAccountRepository(LazyDatabase(lambda: postgresql_database))
        postgresql_database.rollback()


def test_a_password_is_stored_as_pbkdf2_sha256_at_600000_iterations_and_gets_a_token(anonymous_application, tmp_path):
    document = json.dumps({"username": "ada", "password": PASSWORD}).encode()
    status, headers, _ = call(anonymous_application, "POST", "/api/users", document)
    assert status == 201 and "Set-Cookie" not in headers
    with sqlite3.connect(tmp_path / "tasks.db") as connection:
        [(stored,)] = connection.execute("SELECT password FROM auth_user WHERE username = 'ada'")
    algorithm, salt, digest = stored.split("$")
    assert (algorithm, len(salt), len(digest)) == ("pbkdf2(600000,32,sha256)", 16, 64)
    assert PASSWORD not in stored
    status, headers, content = call(anonymous_application, "POST", "/api/tokens", document)
    assert status == 201 and headers["Cache-Control"] == "no-store"
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {json.loads(content)['token']}"}
    status, _, me = call(anonymous_application, "GET", "/api/users/me", headers=bearer)
    assert status == 200 and json.loads(me)["username"] == "ada"


def test_an_unusable_hash_never_verifies():
    assert PASSWORD_HASHER.verify(unusable_password(), PASSWORD) is False


def test_a_cookie_authenticates_nothing_and_none_is_set(anonymous_application):
    status, headers, _ = call(anonymous_application, "GET", "/api/tasks", headers={"HTTP_COOKIE": "session_id_tasks=x"})
    assert status == 401 and headers["WWW-Authenticate"] == 'Bearer realm="task-tracker"'
    assert "Set-Cookie" not in headers


def test_a_ticket_holds_no_token_nor_password(application, monkeypatch, caplog):
    """A failure outside any action becomes a ticket, which copies the request: not its Authorization."""

    def broken_model(self, response=None):
        raise RuntimeError("a bug in a model")

    errors = APPLICATIONS_PARENT / "applications" / "tasks" / "errors"
    before = set(errors.iterdir()) if errors.exists() else set()
    monkeypatch.setattr(Session, "forget", broken_model)
    secret = "the-token-that-must-not-be-kept"
    with caplog.at_level(logging.INFO):
        status, _, _ = call(application, "GET", "/api/users/me", headers={"HTTP_AUTHORIZATION": f"Bearer {secret}"})
    assert status == 500
    [ticket] = set(errors.iterdir()) - before
    try:
        assert secret.encode() not in ticket.read_bytes()
    finally:
        ticket.unlink()
    assert all(secret not in record.getMessage() for record in caplog.records)


# --- the upgrade of a 1.x database ---------------------------------------------------------------


def one_x_database(database_url, folder, titles):
    """A database as 1.x's migrate.py left it: the task table without owners, its sort-key indexes."""
    web2py_environment()
    db = DAL(**dal_options(database_url), folder=str(folder))
    shape = DAL(None)
    shape.define_table("auth_user")
    fields = [field.clone() for field in define_task_table(shape) if field.name not in ("id", "owner")]
    db.define_table("task", *fields, migrate=True)
    for name, columns in (("task_created_at_id", "created_at, id"), ("task_updated_at_id", "updated_at, id")):
        db.executesql(f"CREATE INDEX {name} ON task ({columns});")
    for title in titles:
        task = make_new_task(title)
        db.task.insert(**stored_fields(task), tags=list(task.tags), version=1)
    if titles:
        # The newest task deleted: its id is never given again (spec 4.8).
        db(db.task.id == len(titles)).delete()
    db.commit()
    db.close()


def upgraded(database_url, folder):
    web2py_environment()
    db = DAL(**dal_options(database_url), folder=str(folder))
    migrate_schema(db)
    db.commit()
    return db


def owner_column_is_not_null(db):
    if db._dbname == "sqlite":
        return {row[1]: row[3] for row in db.executesql("PRAGMA table_info(task)")}["owner"] == 1
    [(nullable,)] = db.executesql(
        "SELECT is_nullable FROM information_schema.columns WHERE table_name = 'task' AND column_name = 'owner'"
    )
    return nullable == "NO"


def index_names(db):
    if db._dbname == "sqlite":
        return {row[1] for row in db.executesql("PRAGMA index_list(task)")}
    return {row[0] for row in db.executesql("SELECT indexname FROM pg_indexes WHERE tablename = 'task'")}


def assert_upgrade_keeps_tasks(database_url, folder):
    one_x_database(database_url, folder, ["first", "second", "deleted"])
    db = upgraded(database_url, folder)
    try:
        [legacy] = db(db.auth_user.username == LEGACY_USERNAME).select()
        assert legacy.password.startswith("!") and not PASSWORD_HASHER.verify(legacy.password, "")
        rows = db().select(db.task.title, db.task.owner, orderby=db.task.id)
        assert [(row.title, row.owner) for row in rows] == [("first", legacy.id), ("second", legacy.id)]
        assert owner_column_is_not_null(db)
        names = index_names(db)
        assert {"task_owner_created_at_id", "task_owner_updated_at_id"} <= names
        assert not {"task_created_at_id", "task_updated_at_id"} & names
        task = make_new_task("after")
        new_id = db.task.insert(**stored_fields(task), tags=[], version=1, owner=legacy.id)
        assert new_id == 4
        db.commit()
    finally:
        db.close()
    # The migration runs again without changing anything.
    upgraded(database_url, folder).close()


def assert_upgrade_of_an_empty_database_creates_no_legacy_user(database_url, folder):
    one_x_database(database_url, folder, [])
    db = upgraded(database_url, folder)
    try:
        assert db(db.auth_user).count() == 0
        assert owner_column_is_not_null(db)
    finally:
        db.close()


def test_a_1x_sqlite_database_keeps_its_tasks_under_legacy(tmp_path):
    assert_upgrade_keeps_tasks(f"sqlite:///{tmp_path / 'tasks.db'}", tmp_path)


def test_an_empty_1x_sqlite_database_gets_no_legacy_user(tmp_path):
    assert_upgrade_of_an_empty_database_creates_no_legacy_user(f"sqlite:///{tmp_path / 'tasks.db'}", tmp_path)


@pytest.fixture
def empty_postgresql_url(postgresql_url):
    """A database of its own on postgresql_url's server, dropped after the test."""
    import psycopg

    server_url, _, name = postgresql_url.rpartition("/")
    upgrade_name = f"{name}_upgrade"
    with psycopg.connect(PG_SERVER_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{upgrade_name}"')
    yield f"{server_url}/{upgrade_name}"
    with psycopg.connect(PG_SERVER_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE "{upgrade_name}" WITH (FORCE)')


def test_a_1x_postgresql_database_keeps_its_tasks_under_legacy(empty_postgresql_url, tmp_path):
    assert_upgrade_keeps_tasks(empty_postgresql_url, tmp_path)


def test_an_empty_1x_postgresql_database_gets_no_legacy_user(empty_postgresql_url, tmp_path):
    assert_upgrade_of_an_empty_database_creates_no_legacy_user(empty_postgresql_url, tmp_path)


# endregion
