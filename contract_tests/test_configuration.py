"""Spec 6.4: the DATABASE_URL form that the other tests do not use, a path relative to the variant's folder."""

import os

import pytest
from expectations import assert_json, sign_up
from harness import variants

pytestmark = pytest.mark.needs_process


def test_a_relative_sqlite_path_is_relative_to_the_variant_folder(launch_server, variant_name, tmp_path):
    database_path = tmp_path / "relative" / "tasks.db"
    database_path.parent.mkdir()
    relative_path = os.path.relpath(database_path, variants.load(variant_name).folder)
    server = launch_server("relative-sqlite", database_url=f"sqlite:///{relative_path}")
    client = sign_up(server.base_url, "relative").client
    client.create_task(title="on disk")
    assert assert_json(client.get("/api/tasks"), 200, "TaskList")["total"] == 1, "a database of its own"
    assert database_path.is_file()
