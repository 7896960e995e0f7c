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


# endregion
