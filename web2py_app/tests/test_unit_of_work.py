"""The DAL unit of work: the shared contract, and its wiring into web2py's end of request."""

import json
import logging
import sqlite3

import pytest
from applications.tasks.modules.database import dal_options
from applications.tasks.modules.schema import define_tables
from applications.tasks.modules.unit_of_work import DalUnitOfWork
from conftest import access_statuses, call, empty_tables, migrated_database, web2py_environment
from prometheus_client import REGISTRY
from pydal import DAL

from tasktracker import serialization
from tasktracker.testing.unit_of_work_contract import UnitOfWorkContract


# region: tests
def unit_of_work_factory_over(database_url, folder):
    """A new unit of work per call, each on a DAL of its own (as each request has), closed at the end."""
    databases = []

    def connect():
        web2py_environment()
        db = DAL(**dal_options(database_url), folder=str(folder))
        define_tables(db)
        databases.append(db)
        return db

    yield lambda: DalUnitOfWork(connect)
    for db in databases:
        db.close()


class TestDalUnitOfWorkOnSqlite(UnitOfWorkContract):
    @pytest.fixture
    def unit_of_work_factory(self, tmp_path):
        database_url = f"sqlite:///{tmp_path / 'tasks.db'}"
        migrated_database(database_url, tmp_path).close()
        yield from unit_of_work_factory_over(database_url, tmp_path)


class TestDalUnitOfWorkOnPostgresql(UnitOfWorkContract):
    @pytest.fixture
    def unit_of_work_factory(self, postgresql_url, postgresql_database, tmp_path):
        empty_tables(postgresql_database)
        yield from unit_of_work_factory_over(postgresql_url, tmp_path)


def test_a_unit_that_never_queried_connects_to_nothing():
    def connect():
        raise AssertionError("a request that used no database must not connect to commit")

    DalUnitOfWork(connect).finish(succeeded=True)


def failing_commit(db):
    raise sqlite3.OperationalError("disk I/O error")


def created_total():
    return REGISTRY.get_sample_value("tasks_created_total") or 0


def test_a_create_is_committed_at_the_end_of_the_request_and_counted(application):
    created_before = created_total()
    status, headers, _ = call(application, "POST", "/api/tasks", b'{"title": "kept"}')
    assert status == 201 and headers["Location"] == "/api/tasks/1"
    assert created_total() == created_before + 1
    assert [task["title"] for task in json.loads(call(application, "GET", "/api/tasks")[2])["items"]] == ["kept"]


def test_a_failing_commit_is_a_503_problem_stores_nothing_and_counts_nothing(application, monkeypatch, caplog):
    created_before = created_total()
    with monkeypatch.context() as patched, caplog.at_level(logging.INFO):
        patched.setattr(DAL, "commit", failing_commit)
        status, headers, content = call(application, "POST", "/api/tasks", b'{"title": "lost"}')
    assert status == 503 and headers["Content-Type"] == "application/problem+json"
    assert json.loads(content)["code"] == "unavailable" and headers["X-Request-ID"]
    [error] = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert error.exc_info[0] is sqlite3.OperationalError
    assert access_statuses(caplog) == [503]
    assert created_total() == created_before
    assert json.loads(call(application, "GET", "/api/tasks")[2])["items"] == []


def test_an_action_that_fails_after_writing_is_rolled_back(application, monkeypatch):
    def explode(task):
        raise RuntimeError("after the write")

    with monkeypatch.context() as patched:
        patched.setattr(serialization, "task_to_dict", explode)
        assert call(application, "POST", "/api/tasks", b'{"title": "rolled back"}')[0] == 500
    assert json.loads(call(application, "GET", "/api/tasks")[2])["items"] == []


def test_a_problem_after_reading_is_rolled_back_and_the_next_request_is_served(application):
    call(application, "POST", "/api/tasks", b'{"title": "first"}')
    assert call(application, "PATCH", "/api/tasks/1", b'{"status": "nope"}')[0] == 422
    assert call(application, "PATCH", "/api/tasks/1", b'{"title": "second"}')[0] == 200
    assert json.loads(call(application, "GET", "/api/tasks/1")[2])["title"] == "second"


# endregion
