"""migrate.py: the models run once in a web2py shell environment with DAL migrations on."""

import os
import sqlite3
import subprocess
import sys

from conftest import APPLICATIONS_PARENT


def test_migrate_creates_the_task_table_and_can_run_again(tmp_path):
    database_path = tmp_path / "tasks.db"
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{database_path}"}
    for _ in range(2):
        subprocess.run([sys.executable, "migrate.py"], cwd=APPLICATIONS_PARENT, env=environment, check=True)
    with sqlite3.connect(database_path) as connection:
        columns = {row[1] for row in connection.execute("PRAGMA table_info(task)")}
        journal_mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
        indexes = {row[1] for row in connection.execute("PRAGMA index_list(task)")}
    assert {"title", "title_key", "tags", "created_at", "version", "owner"} <= columns
    assert journal_mode == "wal"
    assert {"task_status", "task_owner_created_at_id", "task_owner_updated_at_id"} <= indexes


def test_postgresql_gets_trigram_indexes_for_substring_search(postgresql_database):
    """q's LIKE '%…%' on the case-folded columns, and a tag filter's on |a|b|, can use them."""
    rows = postgresql_database.executesql("SELECT indexname FROM pg_indexes WHERE tablename = 'task'")
    assert {"task_title_key_trgm", "task_description_key_trgm", "task_tags_trgm"} <= {row[0] for row in rows}
