import json
import logging
import os
from collections.abc import Iterator
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tasktracker.config import Settings, parse_database_url, variant_table
from tasktracker.errors import TaskNotFound, Unavailable, handle_failure
from tasktracker.gunicorn_settings import gunicorn_settings
from tasktracker.observability import metrics
from tasktracker.observability.logging import (
    JsonFormatter,
    accept_request_id,
    bind_request_id,
    log_access,
    unbind_request_id,
)
from tasktracker.observability.wsgi import RequestObservationMiddleware, decoded_path


def test_request_ids() -> None:
    assert accept_request_id("abc-1.2_3") == "abc-1.2_3"
    for invalid in (None, "", "a b", "x" * 129, "é"):
        generated = accept_request_id(invalid)
        assert len(generated) == 32 and generated == generated.lower()


def test_json_lines_carry_the_request_id_and_the_access_fields() -> None:
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    access_logger = logging.getLogger("tasktracker.access")
    access_logger.addHandler(handler)
    access_logger.setLevel(logging.INFO)
    token = bind_request_id("req-1")
    try:
        log_access(method="GET", path="/api", route="/api", status=200, duration_ms=1.23456)
        line = json.loads(JsonFormatter(variant="test").format(records[0]))
    finally:
        unbind_request_id(token)
        access_logger.removeHandler(handler)
    assert line["request_id"] == "req-1" and line["variant"] == "test" and line["level"] == "info"
    assert (line["method"], line["route"], line["status"], line["duration_ms"]) == ("GET", "/api", 200, 1.235)
    assert line["ts"].endswith("Z") and len(line["ts"]) == 24


def test_exceptions_are_inside_the_json_object() -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError as error:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, (RuntimeError, error, None))
    line = json.loads(JsonFormatter().format(record))
    assert "RuntimeError: boom" in line["exception"] and line["level"] == "error"


def test_metric_names_and_labels() -> None:
    metrics.observe_request("brew", "unmatched", 405, 0.01)
    metrics.observe_request("get", "/api", 200, 0.01)
    body, content_type = metrics.exposition()
    assert content_type.startswith("text/plain")
    samples = {
        (sample.name, tuple(sorted(sample.labels.items())))
        for family in text_string_to_metric_families(body.decode())
        for sample in family.samples
    }
    assert ("http_requests_total", (("method", "other"), ("route", "unmatched"), ("status", "405"))) in samples
    assert ("http_request_duration_seconds_count", (("method", "GET"), ("route", "/api"))) in samples
    assert ("tasks_created_total", ()) in samples


def test_database_urls() -> None:
    relative = parse_database_url("sqlite:///var/tasks.db")
    assert relative.backend == "sqlite" and relative.path is not None and relative.path.is_absolute()
    assert str(parse_database_url("sqlite:////tmp/x.db").path) == "/tmp/x.db"
    pg = parse_database_url("postgresql://u:p%40ss@db:5433/tasks")
    assert (pg.host, pg.port, pg.user, pg.password, pg.name) == ("db", 5433, "u", "p@ss", "tasks")


def test_settings_defaults() -> None:
    settings = Settings.from_env("cherrypy", {})
    assert (settings.port, settings.host, settings.log_format, settings.web_concurrency) == (
        8004,
        "127.0.0.1",
        "json",
        2,
    )


def test_every_variant_is_declared_once_with_its_framework_and_port() -> None:
    table = variant_table()
    assert sorted(table) == ["bottle", "cherrypy", "django", "flask", "turbogears", "web2py"]
    assert sorted(declared["port"] for declared in table.values()) == list(range(8001, 8007))
    flask = Settings.from_env("flask", {})
    assert (flask.framework, flask.port) == ("Flask", 8002)


def test_handle_failure_logs_server_errors_only(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="tasktracker.errors"):
        assert handle_failure(TaskNotFound()).status == 404
        assert caplog.records == []
        assert handle_failure(RuntimeError("secret detail")).code == "internal_error"
        try:
            raise Unavailable() from ConnectionRefusedError("no database")
        except Unavailable as unavailable:
            assert handle_failure(unavailable).status == 503
    logged = [record.exc_info[0] for record in caplog.records if record.exc_info]
    assert logged == [RuntimeError, ConnectionRefusedError]


def test_gunicorn_settings_follow_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    settings = Settings.from_env("django", {"PORT": "9100", "WEB_CONCURRENCY": "3", "LOG_FORMAT": "text"})
    options = gunicorn_settings(settings)
    try:
        assert (options["bind"], options["workers"], options["graceful_timeout"]) == ("127.0.0.1:9100", 3, 8)
        assert options["logconfig_dict"]["handlers"]["stdout"]["formatter"] == "text"
        assert options["logconfig_dict"]["formatters"]["json"]["variant"] == "django"
        assert os.path.isdir(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    finally:
        options["on_exit"](None)
        monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)


def test_the_wsgi_middleware_closes_the_apps_body_and_then_finishes_the_observation(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def access_records() -> list[logging.LogRecord]:
        return [record for record in caplog.records if record.name == "tasktracker.access"]

    access_lines_at_close: list[int] = []

    class ClosableBody:
        def __iter__(self) -> Iterator[bytes]:
            return iter([b"ok"])

        def close(self) -> None:
            access_lines_at_close.append(len(access_records()))

    def app(environ: dict[str, Any], start_response: Any) -> ClosableBody:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return ClosableBody()

    sent_headers: list[tuple[str, str]] = []
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/health/live"}
    with caplog.at_level(logging.INFO, logger="tasktracker.access"):
        body = RequestObservationMiddleware(app)(
            environ, lambda status, headers, exc_info=None: sent_headers.extend(headers)
        )
        assert b"".join(body) == b"ok" and access_records() == []
        body.close()  # type: ignore[attr-defined]
    assert any(name == "X-Request-ID" for name, _ in sent_headers)
    # Closed once (PEP 3333), and before the request is logged: the duration runs until then.
    assert access_lines_at_close == [0]
    [access] = access_records()
    assert (access.route, access.status) == ("/health/live", 200)  # type: ignore[attr-defined]


def test_a_path_that_is_not_utf8_is_logged_with_replacement_characters() -> None:
    assert decoded_path("/api/tasks/\xff1") == "/api/tasks/\ufffd1"
    assert decoded_path("/t\xc3\xa2che") == "/tâche"
    assert decoded_path("") == "/"
