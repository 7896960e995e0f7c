"""Tasks belong to users (spec 7.4): ``tasks.owner_id``, the ``legacy`` owner, owner-first indexes.

A database migrated at 1.x has tasks and no users. The migration creates the user ``legacy``,
whose stored password hash is unusable (``!`` and random characters, which no hasher produces
or verifies), and gives it every existing task: the tasks are kept, and nobody can sign in as
their owner. A database without tasks gets no ``legacy`` user, and the name stays free.

Then the column becomes NOT NULL, and 0003's sort-key indexes are replaced by owner-first ones,
``(owner_id, created_at, id)`` and ``(owner_id, updated_at, id)``: every list is one owner's, and
its page is still read from an index. They also index the owner column for the other queries.

SQLite cannot add a NOT NULL foreign key to a table, so Alembic's batch mode copies ``tasks``
into a new one, keeping the tags aside as 0004 does, and keeping AUTOINCREMENT's counter: the copy
would restart it from the largest id left, and a deleted task's id would be given again (spec 4.8).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

from tasktracker.accounts import LEGACY_USERNAME, unusable_password
from tasktracker.domain import utc_now

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

users = sa.table(
    "users",
    sa.column("id", sa.Integer),
    sa.column("username", sa.String),
    sa.column("password_hash", sa.String),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
tasks = sa.table("tasks", sa.column("id", sa.Integer), sa.column("owner_id", sa.Integer))


def legacy_owner_id(connection: sa.Connection) -> int:
    existing = connection.scalar(sa.select(users.c.id).where(users.c.username == LEGACY_USERNAME))
    if existing is not None:
        return int(existing)
    inserted = connection.execute(
        users.insert()
        .values(username=LEGACY_USERNAME, password_hash=unusable_password(), created_at=utc_now())
        .returning(users.c.id)
    )
    return int(inserted.scalar_one())


def rebuild_tasks_on_sqlite(connection: sa.Connection, change: Callable[[], None]) -> None:
    """Run ``change`` (a batch alteration of ``tasks``) with the tags and the id counter kept."""
    sequence = connection.scalar(sa.text("SELECT seq FROM sqlite_sequence WHERE name = 'tasks'"))
    op.execute("CREATE TEMPORARY TABLE task_tags_kept AS SELECT task_id, tag FROM task_tags")
    change()
    op.execute("INSERT OR IGNORE INTO task_tags (task_id, tag) SELECT task_id, tag FROM task_tags_kept")
    op.execute("DROP TABLE task_tags_kept")
    if sequence is not None:
        connection.execute(
            sa.text("UPDATE sqlite_sequence SET seq = max(seq, :kept) WHERE name = 'tasks'"), {"kept": sequence}
        )
        connection.execute(
            sa.text(
                "INSERT INTO sqlite_sequence (name, seq) SELECT 'tasks', :kept"
                " WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'tasks')"
            ),
            {"kept": sequence},
        )


def upgrade() -> None:
    connection = op.get_bind()
    sqlite = connection.dialect.name == "sqlite"
    op.add_column("tasks", sa.Column("owner_id", sa.Integer(), nullable=True))
    if connection.scalar(sa.select(sa.func.count()).select_from(tasks)):
        connection.execute(tasks.update().values(owner_id=legacy_owner_id(connection)))
    op.drop_index("ix_tasks_created_at_id", table_name="tasks")
    op.drop_index("ix_tasks_updated_at_id", table_name="tasks")

    def owner_required() -> None:
        with op.batch_alter_table("tasks", table_kwargs={"sqlite_autoincrement": True}) as batch:
            batch.alter_column("owner_id", existing_type=sa.Integer(), nullable=False)
            batch.create_foreign_key("fk_tasks_owner_id_users", "users", ["owner_id"], ["id"], ondelete="CASCADE")

    if sqlite:
        rebuild_tasks_on_sqlite(connection, owner_required)
    else:
        owner_required()
    op.create_index("ix_tasks_owner_created_at_id", "tasks", ["owner_id", "created_at", "id"])
    op.create_index("ix_tasks_owner_updated_at_id", "tasks", ["owner_id", "updated_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_tasks_owner_updated_at_id", table_name="tasks")
    op.drop_index("ix_tasks_owner_created_at_id", table_name="tasks")
    connection = op.get_bind()

    def owner_dropped() -> None:
        with op.batch_alter_table("tasks", table_kwargs={"sqlite_autoincrement": True}) as batch:
            batch.drop_constraint("fk_tasks_owner_id_users", type_="foreignkey")
            batch.drop_column("owner_id")

    if connection.dialect.name == "sqlite":
        rebuild_tasks_on_sqlite(connection, owner_dropped)
    else:
        owner_dropped()
    op.create_index("ix_tasks_created_at_id", "tasks", ["created_at", "id"])
    op.create_index("ix_tasks_updated_at_id", "tasks", ["updated_at", "id"])
