"""SQLite: rebuild ``tasks`` with AUTOINCREMENT, so that an id is never given to a second task.

Without it SQLite gives a new row the largest rowid plus one, so deleting the newest task hands
its id to the next one: a client still holding ``/api/tasks/7`` would read or delete a task it
has never seen (spec 4.8 says an id is never reused). PostgreSQL's identity sequences, Django's
``AUTOINCREMENT`` and web2py's DAL never reuse one; the differential test of the fault suite
found the difference.

SQLite cannot add AUTOINCREMENT to a table, so Alembic's batch mode copies it into a new one.
Dropping the old table deletes its rows first, and ``task_tags``' ON DELETE CASCADE would take
the tags with them (the engine turns foreign keys on, and the pragma cannot be changed inside
the migration's transaction), so the tags are copied aside and put back.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def rebuild_tasks(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("CREATE TEMPORARY TABLE task_tags_kept AS SELECT task_id, tag FROM task_tags")
    with op.batch_alter_table("tasks", recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}):
        pass
    op.execute("INSERT OR IGNORE INTO task_tags (task_id, tag) SELECT task_id, tag FROM task_tags_kept")
    op.execute("DROP TABLE task_tags_kept")


def upgrade() -> None:
    rebuild_tasks(autoincrement=True)


def downgrade() -> None:
    rebuild_tasks(autoincrement=False)
