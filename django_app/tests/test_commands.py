from io import StringIO

import pytest
from django.core.management import call_command
from tasks.management.commands.seed_tasks import DEMO_TASKS
from tasks.models import Task


@pytest.mark.django_db
def test_seed_tasks_creates_the_demo_set():
    output = StringIO()
    call_command("seed_tasks", stdout=output)
    assert Task.objects.count() == len(DEMO_TASKS)
    assert f"Created {len(DEMO_TASKS)} tasks." in output.getvalue()


@pytest.mark.django_db
def test_seed_tasks_validates_like_the_api():
    call_command("seed_tasks", "--times", "2", stdout=StringIO())
    assert set(Task.objects.values_list("title_key", flat=True)) >= {"fix the strasse bug"}
    assert Task.objects.filter(status="done").exclude(completed_at=None).count() == 2
