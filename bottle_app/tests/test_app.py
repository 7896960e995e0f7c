"""What the contract suite cannot see from outside: the whole app, Bottle's own errors, the middleware."""

import pytest
from argon2 import extract_parameters
from argon2.low_level import Type
from prometheus_client import REGISTRY
from sqlalchemy import create_engine, select
from sqlalchemy.exc import OperationalError

from tasktracker.sqla.models import UserRecord


def requests_counted(method, route, status):
    labels = {"method": method, "route": route, "status": str(status)}
    return REGISTRY.get_sample_value("http_requests_total", labels) or 0


def test_create_and_fetch(client):
    created = client.post_json("/api/tasks", {"title": "Write tests"}, status=201)
    # Bottle's URL builder, from the named route: a path, as the spec's examples show it.
    assert created.headers["Location"] == f"/api/tasks/{created.json['id']}"
    fetched = client.get(created.headers["Location"])
    assert fetched.json == created.json and fetched.headers["ETag"] == '"1"'


def test_bottles_own_404_and_405_are_problems(client):
    missing = client.get("/api/tasks/", status=404)
    assert missing.content_type == "application/problem+json" and missing.json["code"] == "not_found"
    not_allowed = client.put("/api/tasks/1", status=405)
    assert not_allowed.json["code"] == "method_not_allowed"
    # Bottle's own header would read "DELETE,GET,PATCH".
    assert not_allowed.headers["Allow"] == "GET, HEAD, PATCH, DELETE"


def test_a_request_id_is_echoed_or_made_and_reaches_error_bodies(client):
    assert client.get("/health/live", headers={"X-Request-ID": "from-client"}).headers["X-Request-ID"] == "from-client"
    response = client.get("/nowhere", headers={"X-Request-ID": "not valid!"}, status=404)
    assert response.headers["X-Request-ID"] == response.json["request_id"] != "not valid!"


def test_requests_that_match_no_route_are_logged_and_counted(client, caplog):
    before = requests_counted("PATCH", "/api/tasks/stats", 405)
    # Not the task route: "stats" is no task id.
    assert client.patch("/api/tasks/stats", status=405).headers["Allow"] == "GET, HEAD"
    assert requests_counted("PATCH", "/api/tasks/stats", 405) == before + 1
    [access] = [record for record in caplog.records if record.name == "tasktracker.access"]
    assert (access.route, access.status) == ("/api/tasks/stats", 405)


def test_a_chunked_body_is_read_once(client):
    # gunicorn removes the chunk framing but leaves the header: Bottle's request.body would
    # parse the framing again and fail.
    response = client.post(
        "/api/tasks",
        b'{"title": "chunked"}',
        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        status=201,
    )
    assert response.json["title"] == "chunked"


def test_an_announced_oversized_body_is_refused_unread(client):
    response = client.post(
        "/api/tasks", b"{}", headers={"Content-Type": "application/json", "Content-Length": str(2**20 + 1)}, status=413
    )
    assert response.json["code"] == "payload_too_large"


def test_bytes_that_are_not_utf8_do_not_vanish_from_the_path(client):
    client.post_json("/api/tasks", {"title": "one"}, status=201)
    assert client.get("/api/tasks/%FF1", status=404).json["code"] == "not_found"


# region: tests
def failing_commit(self):
    raise OperationalError("COMMIT", {}, Exception("disk I/O error"))


def test_a_failing_commit_answers_503_and_stores_nothing(client):
    total = client.get("/api/tasks/stats").json["total"]
    with pytest.MonkeyPatch.context() as failing:
        failing.setattr("sqlalchemy.orm.Session.commit", failing_commit)
        response = client.post_json("/api/tasks", {"title": "lost"}, status=503)
    assert response.content_type == "application/problem+json"
    assert response.json["code"] == "unavailable"
    assert response.headers["X-Request-ID"] == response.json["request_id"]
    assert client.get("/api/tasks/stats").json["total"] == total


def test_the_stored_password_hash_is_argon2id_at_owasps_minimum(account, whole_app_database_url):
    engine = create_engine(whole_app_database_url)
    with engine.connect() as connection:
        stored = connection.scalar(select(UserRecord.password_hash).where(UserRecord.id == account["id"]))
    engine.dispose()
    # Bottle has no hasher: the shared Argon2Hasher's, m=19 MiB, t=2, p=1 (spec 7.5).
    parameters = extract_parameters(stored)
    assert (parameters.type, parameters.memory_cost, parameters.time_cost, parameters.parallelism) == (
        Type.ID,
        19 * 1024,
        2,
        1,
    )
    assert account["password"] not in stored


# endregion
