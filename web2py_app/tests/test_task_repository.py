"""The shared repository contract, run against the DAL repository on SQLite and PostgreSQL."""

import pytest
from applications.tasks.modules.connection import LazyDatabase
from applications.tasks.modules.database import dal_options
from applications.tasks.modules.task_repository import DalTaskRepository
from conftest import empty_tables, migrated_database
from pydal import DAL

from tasktracker.accounts import unusable_password
from tasktracker.domain import utc_now
from tasktracker.errors import Unavailable
from tasktracker.testing.repository_contract import RepositoryContract


def two_owners_repositories(db):
    database = LazyDatabase(lambda: db)
    owners = [db.auth_user.insert(username=name, password=unusable_password(), created_at=utc_now()) for name in "ab"]
    return tuple(DalTaskRepository(database, owner) for owner in owners)


class TestDalRepositoryOnSqlite(RepositoryContract):
    @pytest.fixture
    def task_repositories(self, tmp_path):
        db = migrated_database(f"sqlite:///{tmp_path / 'tasks.db'}", tmp_path)
        yield two_owners_repositories(db)
        db.close()


class TestDalRepositoryOnPostgresql(RepositoryContract):
    @pytest.fixture
    def task_repositories(self, postgresql_database):
        empty_tables(postgresql_database)
        yield two_owners_repositories(postgresql_database)
        postgresql_database.rollback()


def test_an_unreachable_database_is_unavailable_and_not_ready():
    unreachable = LazyDatabase(lambda: DAL(**dal_options("postgresql://postgres@127.0.0.1:9/nowhere")))
    repository = DalTaskRepository(unreachable, owner_id=1)
    assert repository.ping() is False
    with pytest.raises(Unavailable):
        repository.get(1)
