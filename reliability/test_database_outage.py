"""PostgreSQL goes away and comes back, with no restart of the variant (spec 4.10, 5, 6.1).

A proxy the test controls sits between the variant and PostgreSQL. Cut, it resets every
connection: each task route must answer ``503 unavailable`` within 2 s, readiness 503 and
liveness 200. Restored, the first success must come within 5 s. Cut in the middle of a write
burst, every write answered 201 must be in the database afterwards, and any other write either
absent or complete.
"""

from __future__ import annotations

import time
import urllib.parse
import uuid

import pytest
from bursts import Burst, assert_kept_whole
from expectations import assert_json, assert_problem, sign_up
from proxy import FaultProxy

pytestmark = pytest.mark.usefixtures("postgres_only")

ANSWER_WITHIN_SECONDS = 2
RECOVER_WITHIN_SECONDS = 5


def through(proxy: FaultProxy, database_url: str) -> str:
    parts = urllib.parse.urlsplit(database_url)
    credentials = parts.netloc.rpartition("@")[0]
    netloc = f"{credentials}@127.0.0.1:{proxy.port}" if credentials else f"127.0.0.1:{proxy.port}"
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


@pytest.fixture
def proxied(launch, databases):
    """A variant whose every database connection passes the proxy; the proxy; a signed-in user of it."""
    database_url = databases.fresh_database_url("outage")
    parts = urllib.parse.urlsplit(database_url)
    with FaultProxy(parts.hostname, parts.port or 5432) as proxy:
        server = launch("outage", database_url=through(proxy, database_url))
        yield server, proxy, sign_up(server.base_url, "outage")


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_every_task_route_answers_503_quickly_while_the_database_is_gone_and_recovers(proxied, figures):
    _, proxy, account = proxied
    client = account.client
    task = assert_json(client.post("/api/tasks", json={"title": "before the outage"}), 201, "Task")
    proxy.cut()
    requests = [
        ("GET", "/api/tasks", None),
        ("GET", "/api/tasks/stats", None),
        ("GET", f"/api/tasks/{task['id']}", None),
        ("POST", "/api/tasks", {"title": "during the outage"}),
        ("PATCH", f"/api/tasks/{task['id']}", {"title": "during the outage"}),
        ("DELETE", f"/api/tasks/{task['id']}", None),
    ]
    slowest = 0.0
    for method, path, body in requests:
        response, seconds = timed(lambda method=method, path=path, body=body: client.request(method, path, json=body))
        assert_problem(response, 503, "unavailable")
        assert seconds < ANSWER_WITHIN_SECONDS, f"{method} {path} took {seconds:.2f} s to answer 503"
        slowest = max(slowest, seconds)
    ready, ready_seconds = timed(lambda: client.get("/health/ready"))
    assert assert_json(ready, 503, "Readiness") == {"status": "error", "checks": {"database": "error"}}
    assert ready_seconds < ANSWER_WITHIN_SECONDS
    assert assert_json(client.get("/health/live"), 200, "Health") == {"status": "ok"}

    proxy.restore()
    restored = time.monotonic()
    while True:
        response = client.get(f"/api/tasks/{task['id']}")
        recovery = time.monotonic() - restored
        if response.status_code == 200:
            break
        assert recovery < RECOVER_WITHIN_SECONDS, f"still {response.status_code} {recovery:.1f} s after the restore"
        time.sleep(0.05)
    assert assert_json(client.get("/health/ready"), 200, "Readiness")["status"] == "ok"
    figures["outage"] = {
        "slowest_503_seconds": round(max(slowest, ready_seconds), 3),
        "recovery_seconds": round(recovery, 3),
    }


def test_a_cut_in_the_middle_of_a_write_burst_loses_no_acknowledged_write(proxied, figures):
    server, proxy, account = proxied
    marker = f"cut-{uuid.uuid4().hex[:12]}"
    with Burst(server.base_url, marker, clients=8, token=account.token) as burst:
        burst.wait_until_acknowledged(40)
        proxy.cut()
        time.sleep(0.5)
        proxy.restore()
        acknowledged_at_restore = len(burst.outcome.acknowledged)
        burst.wait_until_acknowledged(acknowledged_at_restore + 40)
    outcome = burst.stop()
    # While the database is gone, a write is answered 503; none is left unanswered or broken off.
    assert not outcome.broken and not outcome.unanswered, (outcome.broken + outcome.unanswered)[:5]
    result = assert_kept_whole(account.client, outcome, marker)
    figures["outage_burst"] = {
        "writes": outcome.attempts,
        "acknowledged": len(outcome.acknowledged),
        "unavailable": outcome.unavailable,
        "lost": len(result.lost),
        "half_written": len(result.half_written),
        "unacknowledged_kept": result.unacknowledged_kept,
    }
