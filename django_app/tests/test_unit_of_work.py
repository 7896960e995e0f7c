"""The Django unit of work: the shared contract, and its wiring as the request's transaction.

Real transactions (``transaction=True``): inside pytest-django's usual test transaction a commit
would only release a savepoint.
"""

import logging

import pytest
from django.db import OperationalError, connection
from tasks import views
from tasks.models import Task
from tasks.unit_of_work import DjangoUnitOfWork

from tasktracker.testing.unit_of_work_contract import UnitOfWorkContract


# region: tests
class TestDjangoUnitOfWork(UnitOfWorkContract):
    @pytest.fixture
    def unit_of_work_factory(self, transactional_db):
        return DjangoUnitOfWork


@pytest.mark.django_db(transaction=True)
def test_a_success_is_committed_and_the_connection_is_back_in_autocommit(api_client):
    response = api_client.post("/api/tasks", {"title": "kept"}, content_type="application/json")
    assert response.status_code == 201
    assert list(Task.objects.values_list("title", flat=True)) == ["kept"]
    assert connection.get_autocommit() and not connection.in_atomic_block


@pytest.mark.django_db(transaction=True)
def test_a_commit_that_fails_is_a_503_and_stores_nothing(api_client, monkeypatch, caplog):
    def failing_commit():
        raise OperationalError("disk I/O error")

    monkeypatch.setattr(connection, "commit", failing_commit)
    with caplog.at_level(logging.ERROR):
        response = api_client.post("/api/tasks", {"title": "lost"}, content_type="application/json")
    assert response.status_code == 503 and response.json()["code"] == "unavailable"
    assert not Task.objects.exists()
    assert any(record.exc_info and record.levelname == "ERROR" for record in caplog.records)


@pytest.mark.django_db(transaction=True)
def test_a_view_that_fails_after_writing_is_rolled_back(api_client, monkeypatch):
    def fail_after_the_insert():  # the view serialises the task it has just inserted
        raise RuntimeError("the write happened, then this")

    monkeypatch.setattr(views, "task_to_dict", lambda task: fail_after_the_insert())
    response = api_client.post("/api/tasks", {"title": "rolled back"}, content_type="application/json")
    assert response.status_code == 500
    assert not Task.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_request_that_never_reaches_the_database_opens_no_transaction(client, django_assert_num_queries):
    # A public route: a bearer route's first query is its token's.
    with django_assert_num_queries(0):
        response = client.post("/api/users", {"username": "", "password": ""}, content_type="application/json")
    assert response.status_code == 422
    assert connection.get_autocommit() and not connection.in_atomic_block


# endregion
