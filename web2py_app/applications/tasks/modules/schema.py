"""The application's tables, defined for a request, or migrated (migrate.py, the tests)."""

from .account_tables import create_account_indexes, define_account_tables
from .task_table import create_task_indexes, define_task_table, migrate_task_table


# region: persistence, auth
def define_tables(db):
    # auth_user first: a task references its owner.
    define_account_tables(db)
    define_task_table(db)


def migrate_schema(db):
    """The DAL's migrations, then what it does not do: a 1.x task table's owners, and the indexes."""
    define_account_tables(db, migrate=True)
    create_account_indexes(db)
    migrate_task_table(db)
    create_task_indexes(db)


# endregion
