"""The unit-of-work contract: tests any UnitOfWork runs against itself.

Subclass :class:`UnitOfWorkContract` and provide a ``unit_of_work_factory`` fixture: a callable
that returns a new unit of work over one empty, migrated database (each call a new transaction).
The tasks are those of a user the contract signs up through the unit's account repository::

    class TestMyUnitOfWork(UnitOfWorkContract):
        @pytest.fixture
        def unit_of_work_factory(self):
            ...

The SQLAlchemy unit of work (SQLite and PostgreSQL), Django's and web2py's pass this same class.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tasktracker.accounts import unusable_password
from tasktracker.domain import ListQuery, utc_now
from tasktracker.testing.repository_contract import make_new_task
from tasktracker.unit_of_work import UnitOfWork

UnitOfWorkFactory = Callable[[], UnitOfWork]


class Boom(Exception):
    pass


class UnitOfWorkContract:
    @pytest.fixture
    def unit_of_work_factory(self) -> UnitOfWorkFactory:
        raise NotImplementedError("provide a unit_of_work_factory fixture over an empty database")

    @pytest.fixture
    def owner_id(self, unit_of_work_factory: UnitOfWorkFactory) -> int:
        with unit_of_work_factory() as unit_of_work:
            return unit_of_work.accounts.add_user("owner", unusable_password(), utc_now()).id

    def _titles(self, unit_of_work_factory: UnitOfWorkFactory, owner_id: int) -> list[str]:
        with unit_of_work_factory() as unit_of_work:
            return [task.title for task in unit_of_work.tasks_of(owner_id).list(ListQuery(limit=100))[0]]

    def test_ping(self, unit_of_work_factory: UnitOfWorkFactory) -> None:
        with unit_of_work_factory() as unit_of_work:
            assert unit_of_work.ping() is True

    def test_a_block_that_ends_normally_is_committed(
        self, unit_of_work_factory: UnitOfWorkFactory, owner_id: int
    ) -> None:
        with unit_of_work_factory() as unit_of_work:
            unit_of_work.tasks_of(owner_id).add(make_new_task("kept"))
        assert self._titles(unit_of_work_factory, owner_id) == ["kept"]

    def test_a_block_that_raises_is_rolled_back(self, unit_of_work_factory: UnitOfWorkFactory, owner_id: int) -> None:
        with pytest.raises(Boom), unit_of_work_factory() as unit_of_work:
            unit_of_work.tasks_of(owner_id).add(make_new_task("lost"))
            raise Boom
        assert self._titles(unit_of_work_factory, owner_id) == []

    def test_finish_commits_only_a_success(self, unit_of_work_factory: UnitOfWorkFactory, owner_id: int) -> None:
        succeeded = unit_of_work_factory()
        succeeded.tasks_of(owner_id).add(make_new_task("succeeded"))
        succeeded.finish(succeeded=True)
        failed = unit_of_work_factory()
        failed.tasks_of(owner_id).add(make_new_task("failed"))
        failed.finish(succeeded=False)
        assert self._titles(unit_of_work_factory, owner_id) == ["succeeded"]

    def test_closing_without_a_commit_keeps_nothing(
        self, unit_of_work_factory: UnitOfWorkFactory, owner_id: int
    ) -> None:
        abandoned = unit_of_work_factory()
        abandoned.tasks_of(owner_id).add(make_new_task("abandoned"))
        abandoned.close()
        assert self._titles(unit_of_work_factory, owner_id) == []

    def test_a_commit_that_fails_is_raised_and_the_unit_still_closes(
        self, unit_of_work_factory: UnitOfWorkFactory, owner_id: int
    ) -> None:
        unit_of_work = unit_of_work_factory()
        closed: list[bool] = []
        original_close = unit_of_work.close

        def failing_commit() -> None:
            raise Boom

        def recording_close() -> None:
            closed.append(True)
            original_close()

        unit_of_work.commit = failing_commit  # type: ignore[method-assign]
        unit_of_work.close = recording_close  # type: ignore[method-assign]
        with pytest.raises(Boom):
            unit_of_work.finish(succeeded=True)
        assert closed == [True]
