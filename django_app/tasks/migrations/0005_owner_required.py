"""Tasks belong to users (spec 7.4), step 3 of 3: the owner becomes NOT NULL, and the list indexes
start with it: ``(owner_id, created_at, id)`` and ``(owner_id, updated_at, id)`` replace 0002's
``(created_at, id)`` and ``(updated_at, id)``. Every list is one owner's, and its page is still
read from an index; the owner column needs no index of its own.

SQLite cannot make a column NOT NULL in place: Django copies the table into a new one, and the
copy's AUTOINCREMENT counter restarts from the highest id left. An id once given must never be
given again (spec 4.8), even that of a deleted task, so the old counter is kept aside and restored.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# region: persistence
TASKS_TABLE = "tasks_task"


def keep_the_id_counter(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "CREATE TEMPORARY TABLE kept_task_id_counter AS SELECT seq FROM sqlite_sequence WHERE name = %s",
            [TASKS_TABLE],
        )


def restore_the_id_counter(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "UPDATE sqlite_sequence SET seq = max(seq, (SELECT coalesce(max(seq), 0) FROM kept_task_id_counter))"
            " WHERE name = %s",
            [TASKS_TABLE],
        )
        schema_editor.execute("DROP TABLE kept_task_id_counter")


# endregion


# region: auth
class Migration(migrations.Migration):
    dependencies = [
        ("tasks", "0004_legacy_owner"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(model_name="task", name="tasks_created_at_id"),
        migrations.RemoveIndex(model_name="task", name="tasks_updated_at_id"),
        migrations.RunPython(keep_the_id_counter, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="task",
            name="owner",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="tasks",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(restore_the_id_counter, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="task",
            index=models.Index(fields=["owner", "created_at", "id"], name="tasks_owner_created_at_id"),
        ),
        migrations.AddIndex(
            model_name="task",
            index=models.Index(fields=["owner", "updated_at", "id"], name="tasks_owner_updated_at_id"),
        ),
    ]


# endregion
