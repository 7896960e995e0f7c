"""Index tasks for the list's sort keys, and (PostgreSQL) for substring search.

- ``(created_at, id)`` and ``(updated_at, id)``: a page in either order, the default
  ``-created_at`` included, is read from the index instead of sorting every row.
- PostgreSQL only: trigram GIN indexes (``pg_trgm``) on the case-folded ``title_key`` and
  ``description_key``, which ``q``'s ``LIKE '%…%'`` can use. SQLite has no such index; its
  search stays a scan (docs/PERFORMANCE.md measures what that costs).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SEARCHED = ("title_key", "description_key")


def upgrade() -> None:
    op.create_index("ix_tasks_created_at_id", "tasks", ["created_at", "id"])
    op.create_index("ix_tasks_updated_at_id", "tasks", ["updated_at", "id"])
    if op.get_bind().dialect.name == "postgresql":
        # A trusted extension since PostgreSQL 13: the database's owner may create it.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for column in SEARCHED:
            op.create_index(
                f"ix_tasks_{column}_trgm",
                "tasks",
                [column],
                postgresql_using="gin",
                postgresql_ops={column: "gin_trgm_ops"},
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for column in SEARCHED:
            op.drop_index(f"ix_tasks_{column}_trgm", table_name="tasks")
    op.drop_index("ix_tasks_updated_at_id", table_name="tasks")
    op.drop_index("ix_tasks_created_at_id", table_name="tasks")
