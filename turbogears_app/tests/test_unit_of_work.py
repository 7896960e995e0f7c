"""The shared unit-of-work contract, run against the variant's TransactionUnitOfWork."""

import pytest

from tasktracker.sqla import create_engine_for
from tasktracker.testing.unit_of_work_contract import UnitOfWorkContract
from tracker.model import DBSession, TransactionUnitOfWork, init_model


# region: tests
class TestTransactionUnitOfWork(UnitOfWorkContract):
    @pytest.fixture
    def unit_of_work_factory(self, database_url):
        engine = create_engine_for(database_url)
        init_model(engine)
        yield TransactionUnitOfWork
        DBSession.remove()
        engine.dispose()


# endregion
