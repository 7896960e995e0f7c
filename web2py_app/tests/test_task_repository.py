"""The shared repository contract, run against the DAL repository on SQLite and PostgreSQL."""

import pytest
from applications.tasks.modules.database import dal_options
from applications.tasks.modules.task_repository import DalTaskRepository
from conftest import migrated_database
from pydal import DAL

from tasktracker.errors import Unavailable
from tasktracker.testing.repository_contract import RepositoryContract


class TestDalRepositoryOnSqlite(RepositoryContract):
    @pytest.fixture
    def task_repository(self, tmp_path):
        db = migrated_database(f"sqlite:///{tmp_path / 'tasks.db'}", tmp_path)
        yield DalTaskRepository(lambda: db)
        db.close()


class TestDalRepositoryOnPostgresql(RepositoryContract):
    @pytest.fixture
    def task_repository(self, postgresql_database):
        # Each test sees an empty table and restarts ids.
        postgresql_database.task.truncate("RESTART IDENTITY")
        yield DalTaskRepository(lambda: postgresql_database)
        postgresql_database.rollback()


def test_an_unreachable_database_is_unavailable_and_not_ready():
    repository = DalTaskRepository(lambda: DAL(**dal_options("postgresql://postgres@127.0.0.1:9/nowhere")))
    assert repository.ping() is False
    with pytest.raises(Unavailable):
        repository.get(1)
