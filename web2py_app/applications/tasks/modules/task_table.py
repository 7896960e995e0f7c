"""The ``task`` table, defined once for the models, the migration step and the tests."""

from datetime import UTC, datetime

from pydal import Field, SQLCustomType

from tasktracker.accounts import LEGACY_USERNAME, unusable_password
from tasktracker.domain import utc_now


# region: persistence
def _encode_utc(moment):
    # Stored naive, in UTC, with the milliseconds: the DAL's own "datetime" type writes whole
    # seconds only (its representer cuts isoformat() at 19 characters).
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "milliseconds")


def _decode_utc(value):
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC)


# A TIMESTAMP column whose values the DAL quotes as it quotes a string: a custom type's encoder
# otherwise returns the SQL literal itself.
UTC_TIMESTAMP = SQLCustomType(type="string", native="TIMESTAMP", encoder=_encode_utc, decoder=_decode_utc)


def define_task_table(db, migrate=False, fake_migrate=False):
    """After the account tables: a task belongs to an ``auth_user`` (spec 7.4)."""
    return db.define_table(
        "task",
        Field("title", "string", length=200, notnull=True),
        Field("description", "text", notnull=True),
        # Case-folded copies of title and description: search compares these, never the collation.
        Field("title_key", "text", notnull=True),
        Field("description_key", "text", notnull=True),
        Field("status", "string", length=16, notnull=True),
        Field("priority", "string", length=16, notnull=True),
        Field("due_date", "date"),
        # Stored as |a|b|: the DAL's own list type, searched with LIKE '%|tag|%'.
        Field("tags", "list:string"),
        Field("created_at", UTC_TIMESTAMP, notnull=True),
        Field("updated_at", UTC_TIMESTAMP, notnull=True),
        Field("completed_at", UTC_TIMESTAMP),
        Field("version", "integer", notnull=True),
        # The user who created it; never changes. Indexed through the owner-first indexes below.
        Field("owner", "reference auth_user", notnull=True),
        migrate=migrate,
        fake_migrate=fake_migrate,
    )


# The DAL migrates tables, not indexes: migrate.py creates these after the table, each once.
# Every list is one owner's: its page in either sort order is read from an owner-first index.
INDEXES = {
    "task_status": "status",
    "task_owner_created_at_id": "owner, created_at, id",
    "task_owner_updated_at_id": "owner, updated_at, id",
}
# 1.x's sort-key indexes, which the owner-first ones replace.
REPLACED_INDEXES = ("task_created_at_id", "task_updated_at_id")
# PostgreSQL only: trigram indexes for LIKE '%…%', which q (title_key, description_key) and a tag
# filter (tags, stored as |a|b|) both are. SQLite has none; its searches stay scans.
TRIGRAM_INDEXED = ("title_key", "description_key", "tags")


def create_task_indexes(db):
    table = db.task._rname
    for name in REPLACED_INDEXES:
        db.executesql(f"DROP INDEX IF EXISTS {name};")
    for name, columns in INDEXES.items():
        db.executesql(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns});")
    if db._dbname == "postgres":
        db.executesql("CREATE EXTENSION IF NOT EXISTS pg_trgm;")
        for column in TRIGRAM_INDEXED:
            db.executesql(
                f"CREATE INDEX IF NOT EXISTS task_{column}_trgm ON {table} USING gin ({column} gin_trgm_ops);"
            )


def _columns(db, table):
    if db._dbname == "sqlite":
        return {row[1] for row in db.executesql(f"PRAGMA table_info({table})")}
    rows = db.executesql(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = %s",
        (table,),
    )
    return {row[0] for row in rows}


def _legacy_owner(db) -> int:
    user = db.auth_user
    found = db(user.username == LEGACY_USERNAME).select(user.id).first()
    if found:
        return found.id
    # A hash that no password verifies against (spec 7.4): nobody gets a token as legacy.
    return user.insert(username=LEGACY_USERNAME, password=unusable_password(), created_at=utc_now())


def migrate_task_table(db):
    """migrate.py's task table: migrated by the DAL, a 1.x one (without owners) first made 2.0.

    The DAL adds columns, but cannot add a NOT NULL reference to a table with rows, and has no
    data migrations; so, for a 1.x table, this keeps every task: when there are tasks, the user
    ``legacy`` is created and given all of them. On PostgreSQL the column is added, filled and
    made NOT NULL, and the DAL only records the result (``fake_migrate``). SQLite cannot add a NOT
    NULL reference at all, so the table is rebuilt as SQLite documents (and Alembic's batch mode
    does): renamed, created anew from the DAL's definition, copied into and dropped, its
    AUTOINCREMENT sequence kept so that no id is ever given twice (spec 4.8).
    """
    if "task" not in _tables(db) or "owner" in _columns(db, "task"):
        return define_task_table(db, migrate=True)
    owner = _legacy_owner(db) if db.executesql("SELECT COUNT(*) FROM task")[0][0] else None
    if db._dbname == "postgres":
        db.executesql("ALTER TABLE task ADD COLUMN owner INTEGER REFERENCES auth_user (id) ON DELETE CASCADE;")
        db.executesql("UPDATE task SET owner = %s;", (owner,))
        db.executesql("ALTER TABLE task ALTER COLUMN owner SET NOT NULL;")
        return define_task_table(db, migrate=True, fake_migrate=True)
    columns = ", ".join(sorted(_columns(db, "task")))
    db.executesql("ALTER TABLE task RENAME TO task_1x;")
    table = define_task_table(db, migrate=True, fake_migrate=True)
    db.executesql(db._adapter.create_table(table, migrate=False))
    db.executesql(f"INSERT INTO task ({columns}, owner) SELECT {columns}, ? FROM task_1x;", (owner,))
    db.executesql("DELETE FROM sqlite_sequence WHERE name = 'task';")
    db.executesql("UPDATE sqlite_sequence SET name = 'task' WHERE name = 'task_1x';")
    db.executesql("DROP TABLE task_1x;")
    return table


def _tables(db):
    if db._dbname == "sqlite":
        return [row[0] for row in db.executesql("SELECT name FROM sqlite_master WHERE type = 'table'")]
    rows = db.executesql("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")
    return [row[0] for row in rows]


# endregion
