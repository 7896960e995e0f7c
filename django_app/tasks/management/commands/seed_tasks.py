"""``python manage.py seed_tasks --owner NAME``: demo tasks to try the API with, created through
the service for a user who signed up (POST /api/users)."""

from django.core.management.base import BaseCommand, CommandError

from tasks.unit_of_work import DjangoUnitOfWork
from tasktracker.accounts import normalise_username
from tasktracker.service import TaskService

# region: persistence
DEMO_TASKS = [
    {"title": "Read the spec", "status": "done", "priority": "high", "tags": ["docs"]},
    {"title": "Compare the six variants", "status": "in_progress", "tags": ["docs", "review"]},
    {"title": "Été: plan the summer release", "priority": "urgent", "due_date": "2026-07-01", "tags": ["release"]},
    {"title": "Fix the Straße bug", "description": "Search must find it as STRASSE.", "tags": ["bug"]},
    {"title": "Tidy the backlog", "priority": "low"},
]


class Command(BaseCommand):
    help = "Create demo tasks (the same five each time it runs), validated like a POST /api/tasks."

    def add_arguments(self, parser):
        parser.add_argument("--owner", required=True, help="the username whose tasks they are (spec 7.4)")
        parser.add_argument("--times", type=int, default=1, help="how many times to create the demo set")

    def handle(self, *args, owner, times, **options):
        # One transaction for the whole set, like one request: all of it or, on an error, none.
        with DjangoUnitOfWork() as unit_of_work:
            found = unit_of_work.accounts.user_with_password_hash(normalise_username(owner))
            if found is None:
                raise CommandError(f"No user {owner!r}: sign up first (POST /api/users).")
            service = TaskService(unit_of_work.tasks_of(found[0].id))
            for _ in range(times):
                for document in DEMO_TASKS:
                    task = service.create_task(document)
                    self.stdout.write(f"{task.id}\t{task.status.value}\t{task.title}")
        self.stdout.write(self.style.SUCCESS(f"Created {times * len(DEMO_TASKS)} tasks."))


# endregion
