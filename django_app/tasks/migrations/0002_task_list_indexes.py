from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

SEARCHED = ("title_key", "description_key")


def create_trigram_indexes(apps, schema_editor):
    """GIN trigram indexes for q's LIKE '%…%', on PostgreSQL only (SQLite has none)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("tasks", "Task")._meta.db_table
    for column in SEARCHED:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_{column}_trgm ON {table} USING gin ({column} gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("tasks", "Task")._meta.db_table
    for column in SEARCHED:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_{column}_trgm")


# region: persistence
class Migration(migrations.Migration):
    dependencies = [("tasks", "0001_initial")]

    operations = [
        migrations.AddIndex(
            model_name="task", index=models.Index(fields=["created_at", "id"], name="tasks_created_at_id")
        ),
        migrations.AddIndex(
            model_name="task", index=models.Index(fields=["updated_at", "id"], name="tasks_updated_at_id")
        ),
        # CREATE EXTENSION IF NOT EXISTS pg_trgm; nothing on any other database.
        TrigramExtension(),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]


# endregion
