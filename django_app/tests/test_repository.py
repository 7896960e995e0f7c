"""The shared repository contract against the Django ORM, and the mapping it relies on.

The repositories run in a unit of work, as in a request; inside pytest-django's test transaction
its atomic block is a savepoint, rolled back with the test. The contract's two owners are
two auth.Users.
"""

import dataclasses
from datetime import date

import pytest
from tasks.models import Tag, Task
from tasks.unit_of_work import DjangoUnitOfWork

from tasktracker.accounts import unusable_password
from tasktracker.domain import Status
from tasktracker.repository import stored_fields
from tasktracker.testing.repository_contract import BASE_TIME, RepositoryContract, make_new_task


@pytest.fixture
def two_owners_repositories(db):
    """Two users' repositories in one unit of work."""
    with DjangoUnitOfWork() as unit_of_work:
        first, second = (
            unit_of_work.accounts.add_user(name, unusable_password(), BASE_TIME) for name in ("ada", "bob")
        )
        yield unit_of_work.tasks_of(first.id), unit_of_work.tasks_of(second.id)


@pytest.fixture
def repository(two_owners_repositories):
    return two_owners_repositories[0]


class TestDjangoTaskRepository(RepositoryContract):
    @pytest.fixture
    def task_repositories(self, two_owners_repositories):
        return two_owners_repositories


def test_a_task_is_stored_with_case_folded_search_keys_and_one_row_per_tag(repository):
    stored = repository.add(
        make_new_task("Große Straße", description="ÉTÉ", tags=("b", "a"), due_date=date(2026, 5, 1))
    )
    record = Task.objects.get(pk=stored.id)
    assert (record.title_key, record.description_key) == ("grosse strasse", "été")
    assert sorted(Tag.objects.filter(task=record).values_list("name", flat=True)) == ["a", "b"]
    assert record.to_domain() == stored
    assert record.owner.username == "ada"


def test_the_model_maps_back_to_the_same_domain_task(repository):
    stored = repository.add(make_new_task("done", status=Status.DONE, tags=("x",)))
    record = Task.objects.get(pk=stored.id)
    assert record.to_domain() == stored
    assert stored_fields(stored) == {name: getattr(record, name) for name in stored_fields(stored)}
    assert stored.completed_at == BASE_TIME


def test_an_update_replaces_the_tag_rows(repository):
    stored = repository.add(make_new_task(tags=("old", "kept")))
    assert repository.update(dataclasses.replace(stored, tags=("kept", "new"), version=2), expected_version=1)
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["kept", "new"]


def test_deleting_a_task_deletes_its_tags(repository):
    stored = repository.add(make_new_task(tags=("gone",)))
    assert repository.delete(stored.id, expected_version=1)
    assert not Tag.objects.exists()
