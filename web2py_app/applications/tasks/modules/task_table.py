"""The ``task`` table, defined once for the models, the migration step and the tests."""

from datetime import UTC, datetime

from pydal import Field, SQLCustomType


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


def define_task_table(db, migrate=False):
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
        migrate=migrate,
    )


# The DAL migrates tables, not indexes: migrate.py creates these after the table, each once.
INDEXES = {
    "task_status": "status",
    "task_created_at_id": "created_at, id",
    "task_updated_at_id": "updated_at, id",
}
# PostgreSQL only: trigram indexes for LIKE '%…%', which q (title_key, description_key) and a tag
# filter (tags, stored as |a|b|) both are. SQLite has none; its searches stay scans.
TRIGRAM_INDEXED = ("title_key", "description_key", "tags")


def create_task_indexes(db):
    table = db.task._rname
    for name, columns in INDEXES.items():
        db.executesql(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns});")
    if db._dbname == "postgres":
        db.executesql("CREATE EXTENSION IF NOT EXISTS pg_trgm;")
        for column in TRIGRAM_INDEXED:
            db.executesql(
                f"CREATE INDEX IF NOT EXISTS task_{column}_trgm ON {table} USING gin ({column} gin_trgm_ops);"
            )


# endregion
