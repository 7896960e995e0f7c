"""What the contract suite cannot see from outside: the wrappers, the dispatch traps and the configuration."""

import json
import logging

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import create_engine, inspect
from sqlalchemy.exc import OperationalError
from tg import abort
from webob import Request

from tasktracker.service import TaskService
from tracker import migrate
from tracker.config.settings import deployment_settings


# region: tests
def test_create_and_fetch(app):
    created = app.post_json("/api/tasks", {"title": "Write tests"}, status=201)
    # WebOb would have sent http://localhost/api/tasks/1.
    assert created.headers["Location"] == "/api/tasks/1"
    fetched = app.get(created.headers["Location"])
    assert fetched.json == created.json and fetched.headers["ETag"] == '"1"'


def test_every_request_gets_an_id(app):
    response = app.get("/health/live", headers={"X-Request-ID": "from-client"})
    assert response.headers["X-Request-ID"] == "from-client"


def test_a_problem_carries_the_request_id_too(app):
    response = app.get("/nowhere", headers={"X-Request-ID": "lost-client"}, status=404)
    assert response.headers["X-Request-ID"] == "lost-client"
    assert response.json["request_id"] == "lost-client"


def test_the_request_is_observed_when_the_server_closes_the_body(wsgi_app, caplog):
    caplog.set_level(logging.INFO, logger="tasktracker.access")
    body = wsgi_app(Request.blank("/health/live").environ, lambda status, headers, exc_info=None: None)
    assert json.loads(b"".join(body)) == {"status": "ok"}
    assert not [record for record in caplog.records if record.name == "tasktracker.access"]
    body.close()
    (access,) = [record for record in caplog.records if record.name == "tasktracker.access"]
    assert (access.route, access.status) == ("/health/live", 200)


@pytest.mark.parametrize(
    "path",
    ["/api/", "//api", "/api/index", "/api/tasks/get_all", "/api/tasks/1.json", "/api/tasks/1/edit"],
)
def test_object_dispatch_aliases_are_not_found(app, path):
    app.post_json("/api/tasks", {"title": "exists"}, status=201)
    response = app.get(path, status=404)
    assert response.content_type == "application/problem+json"


def test_a_method_name_in_the_id_segment_is_not_dispatched(app):
    app.get("/api/tasks/post", status=404)
    assert app.get("/api/tasks").json["total"] == 0


def test_method_override_parameter_is_ignored(app):
    app.post_json("/api/tasks", {"title": "kept"}, status=201)
    app.patch_json("/api/tasks/1?_method=DELETE", {"priority": "high"}, status=200)
    assert app.get("/api/tasks/1").json["priority"] == "high"


def test_a_query_parameter_does_not_replace_the_path_id(app):
    app.post_json("/api/tasks", {"title": "first"}, status=201)
    app.get("/api/tasks/2?task_id=1", status=404)


def test_rest_controller_405_has_the_spec_allow_header(app):
    response = app.put_json("/api/tasks/1", {}, status=405)
    assert response.content_type == "application/problem+json"
    assert response.headers["Allow"] == "GET, HEAD, PATCH, DELETE"


def test_stats_is_never_an_id(app):
    response = app.delete("/api/tasks/stats", status=405)
    assert response.headers["Allow"] == "GET, HEAD"


def test_head_is_dispatched_like_get(app):
    app.post_json("/api/tasks", {"title": "headed"}, status=201)
    response = app.head("/api/tasks/1", status=200)
    assert response.headers["ETag"] == '"1"' and response.body == b""


def test_tg_abort_becomes_a_problem(app, monkeypatch):
    def aborting(owner_id):
        abort(404, "gone")

    monkeypatch.setattr("tracker.controllers.tasks.task_service", aborting)
    response = app.get("/api/tasks/stats", status=404)
    assert response.content_type == "application/problem+json"
    assert response.json["code"] == "not_found"


def test_unexpected_exceptions_are_500_problems_without_details(app, monkeypatch, caplog):
    def explode(*args, **kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr("tracker.controllers.tasks.task_service", explode)
    response = app.get("/api/tasks", status=500)
    assert response.json["code"] == "internal_error"
    assert "secret detail" not in response.text
    assert any(record.exc_info and record.levelname == "ERROR" for record in caplog.records)


def test_a_failing_commit_is_a_503_and_nothing_is_stored(app, monkeypatch):
    def failing_commit(self):
        raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    # zope.sqlalchemy commits the session's transaction when the transaction manager commits.
    created_before = REGISTRY.get_sample_value("tasks_created_total")
    monkeypatch.setattr("sqlalchemy.orm.SessionTransaction.commit", failing_commit)
    response = app.post_json("/api/tasks", {"title": "never stored"}, status=503)
    assert response.json["code"] == "unavailable"
    monkeypatch.undo()
    assert app.get("/api/tasks").json["total"] == 0
    assert REGISTRY.get_sample_value("tasks_created_total") == created_before


def test_a_committed_create_is_counted(app):
    created_before = REGISTRY.get_sample_value("tasks_created_total")
    app.post_json("/api/tasks", {"title": "counted"}, status=201)
    assert REGISTRY.get_sample_value("tasks_created_total") == created_before + 1


def test_a_write_answered_with_an_error_status_is_rolled_back(app, monkeypatch):
    create_task = TaskService.create_task

    def create_then_abort(self, document):
        create_task(self, document)
        # tg.abort is answered, not raised past the transaction manager: its commit veto aborts.
        abort(409)

    monkeypatch.setattr(TaskService, "create_task", create_then_abort)
    app.post_json("/api/tasks", {"title": "rolled back"}, status=500)
    monkeypatch.undo()
    assert app.get("/api/tasks").json["total"] == 0


def test_environment_wins_over_the_ini(monkeypatch):
    ini_values = {"sqlalchemy.url": "sqlite:///var/ini.db", "workers": "1", "log_level": "info"}
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    settings = deployment_settings(ini_values)
    assert (settings.database_url, settings.web_concurrency) == ("sqlite:///var/ini.db", 3)


def test_migrate_upgrades_the_database_in_force(tmp_path, monkeypatch, production_ini):
    database_url = f"sqlite:///{tmp_path / 'migrated.db'}"
    monkeypatch.setenv("DATABASE_URL", database_url)
    migrate.main(production_ini)
    assert "tasks" in inspect(create_engine(database_url)).get_table_names()


# endregion
