from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from tasks.management.commands.seed_tasks import DEMO_TASKS
from tasks.models import Task


@pytest.fixture
def owner(db):
    return get_user_model().objects.create(username="ada")


def test_seed_tasks_creates_the_demo_set_for_its_owner(owner):
    output = StringIO()
    call_command("seed_tasks", "--owner", "Ada", stdout=output)
    assert Task.objects.filter(owner=owner).count() == len(DEMO_TASKS)
    assert f"Created {len(DEMO_TASKS)} tasks." in output.getvalue()


def test_seed_tasks_validates_like_the_api(owner):
    call_command("seed_tasks", "--owner", "ada", "--times", "2", stdout=StringIO())
    assert set(Task.objects.values_list("title_key", flat=True)) >= {"fix the strasse bug"}
    assert Task.objects.filter(status="done").exclude(completed_at=None).count() == 2


@pytest.mark.django_db
def test_seed_tasks_needs_an_owner_who_signed_up():
    with pytest.raises(CommandError, match="sign up first"):
        call_command("seed_tasks", "--owner", "nobody", stdout=StringIO())
    assert not Task.objects.exists()
