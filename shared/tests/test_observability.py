import json
import logging

from prometheus_client.parser import text_string_to_metric_families

from tasktracker.config import Settings, parse_database_url
from tasktracker.observability import metrics
from tasktracker.observability.logging import (
    JsonFormatter,
    accept_request_id,
    bind_request_id,
    log_access,
    unbind_request_id,
)


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
