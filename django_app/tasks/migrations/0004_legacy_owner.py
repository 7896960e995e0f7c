"""Tasks belong to users (spec 7.4), step 2 of 3: a 1.x database's tasks go to the user ``legacy``.

A database migrated at 1.x has tasks and no users. This creates the user ``legacy``, whose stored
password is unusable (``!`` and random characters: no hasher produces or verifies it, the same
shape as Django's own ``make_password(None)``), and gives it every existing task. A database
without tasks gets no ``legacy`` user, and the name stays free. The data change has a migration
of its own: on PostgreSQL, altering a table with updated rows whose deferred foreign-key checks
are still pending fails, so 0005's NOT NULL runs in the next migration's transaction.
"""

from django.conf import settings
from django.db import migrations

from tasktracker.accounts import LEGACY_USERNAME, unusable_password
from tasktracker.domain import utc_now


# region: auth
def give_existing_tasks_to_legacy(apps, schema_editor):
    Task = apps.get_model("tasks", "Task")
    if not Task.objects.exists():
        return
    User = apps.get_model(settings.AUTH_USER_MODEL)
    legacy, _ = User.objects.get_or_create(
        username=LEGACY_USERNAME, defaults={"password": unusable_password(), "date_joined": utc_now()}
    )
    Task.objects.filter(owner=None).update(owner=legacy)


class Migration(migrations.Migration):
    dependencies = [("tasks", "0003_task_owner")]

    # Backwards there is nothing to undo here: 0003's reversal drops the column, and a legacy
    # user left behind owns nothing.
    operations = [migrations.RunPython(give_existing_tasks_to_legacy, migrations.RunPython.noop)]


# endregion
