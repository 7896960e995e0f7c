"""The unit-of-work contract: tests any UnitOfWork runs against itself.

Subclass :class:`UnitOfWorkContract` and provide a ``unit_of_work_factory`` fixture: a callable
that returns a new unit of work over one empty, migrated database (each call a new transaction)::

    class TestMyUnitOfWork(UnitOfWorkContract):
        @pytest.fixture
        def unit_of_work_factory(self):
            ...

The SQLAlchemy unit of work (SQLite and PostgreSQL), Django's and web2py's pass this same class.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tasktracker.domain import ListQuery
from tasktracker.testing.repository_contract import make_new_task
from tasktracker.unit_of_work import UnitOfWork

UnitOfWorkFactory = Callable[[], UnitOfWork]


class Boom(Exception):
    pass


class UnitOfWorkContract:
    @pytest.fixture
    def unit_of_work_factory(self) -> UnitOfWorkFactory:
        raise NotImplementedError("provide a unit_of_work_factory fixture over an empty database")

    def _titles(self, unit_of_work_factory: UnitOfWorkFactory) -> list[str]:
        with unit_of_work_factory() as unit_of_work:
            return [task.title for task in unit_of_work.tasks.list(ListQuery(limit=100))[0]]

    def test_a_block_that_ends_normally_is_committed(self, unit_of_work_factory: UnitOfWorkFactory) -> None:
        with unit_of_work_factory() as unit_of_work:
            unit_of_work.tasks.add(make_new_task("kept"))
        assert self._titles(unit_of_work_factory) == ["kept"]

    def test_a_block_that_raises_is_rolled_back(self, unit_of_work_factory: UnitOfWorkFactory) -> None:
        with pytest.raises(Boom), unit_of_work_factory() as unit_of_work:
            unit_of_work.tasks.add(make_new_task("lost"))
            raise Boom
        assert self._titles(unit_of_work_factory) == []

    def test_finish_commits_only_a_success(self, unit_of_work_factory: UnitOfWorkFactory) -> None:
        succeeded = unit_of_work_factory()
        succeeded.tasks.add(make_new_task("succeeded"))
        succeeded.finish(succeeded=True)
        failed = unit_of_work_factory()
        failed.tasks.add(make_new_task("failed"))
        failed.finish(succeeded=False)
        assert self._titles(unit_of_work_factory) == ["succeeded"]

    def test_closing_without_a_commit_keeps_nothing(self, unit_of_work_factory: UnitOfWorkFactory) -> None:
        abandoned = unit_of_work_factory()
        abandoned.tasks.add(make_new_task("abandoned"))
        abandoned.close()
        assert self._titles(unit_of_work_factory) == []

    def test_a_commit_that_fails_is_raised_and_the_unit_still_closes(
        self, unit_of_work_factory: UnitOfWorkFactory
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
