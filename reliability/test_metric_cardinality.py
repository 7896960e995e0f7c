"""10,000 requests to random paths with random methods add no series to /metrics (spec 6.3).

The labels are bounded by the spec: a route template (or ``unmatched``), a method from a fixed set,
a status. The requests are drawn from a few shapes of path and a list of methods; one request of
every shape with every method comes first, so that every series those can make exists before the
first scrape. After that, only the counts may change.
"""

from __future__ import annotations

import http.client
import os
import random
import threading

import pytest
from expectations import sign_up
from harness import ApiClient, MetricsReader

REQUESTS = int(os.environ.get("RELIABILITY_CARDINALITY_REQUESTS", "10000"))
THREADS = 8
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND", "BREW"]
ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789-._~%20"


def random_text(generator: random.Random) -> str:
    return "".join(generator.choice(ALPHABET) for _ in range(generator.randint(1, 24))).replace("%", "%25")


# Each shape makes a path from a generator: the text changes, the route it reaches does not.
SHAPES = [
    lambda g: f"/{random_text(g)}",
    lambda g: f"/{random_text(g)}/{random_text(g)}/{random_text(g)}",
    lambda g: f"/api/{random_text(g)}",
    lambda g: f"/api/tasks/{g.randint(10**6, 10**9)}",
    lambda g: f"/api/tasks/{random_text(g)}x",
    lambda g: f"/api/tasks/{g.randint(1, 10**6)}/{random_text(g)}",
    lambda g: f"/health/{random_text(g)}",
    lambda g: f"/api/tasks?{random_text(g)}={random_text(g)}",
    lambda g: f"/api/users/{random_text(g)}",
    lambda g: f"/api/tokens/{random_text(g)}",
]


def send(connection: http.client.HTTPConnection, method: str, path: str, auth: dict[str, str]) -> int:
    """One request on a kept-alive connection; once more on a new one if the server had closed it."""
    body = b"{}" if method in ("POST", "PUT", "PATCH") else None
    headers = {**auth, **({"Content-Type": "application/json"} if body else {})}
    for attempt in range(2):
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            break
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            connection.close()
            if attempt:
                raise
    if response.getheader("Connection", "").lower() == "close":
        connection.close()
    return response.status


def series(metrics: MetricsReader) -> set[tuple[str, tuple]]:
    return {(name, tuple(sorted(labels.items()))) for name, labels, _ in metrics.scrape().samples}


@pytest.mark.usefixtures("sqlite_only")
def test_random_paths_and_methods_add_no_series(launch, figures):
    server = launch("cardinality")
    client = ApiClient(server.base_url)
    # Every other request carries a user's token, so that the task routes are reached past the 401.
    auths = [{}, sign_up(server.base_url, "cardinality").client.auth_headers]
    metrics = MetricsReader(client)
    connection = http.client.HTTPConnection(client.host, client.port, timeout=30)
    generator = random.Random(18)
    for shape in SHAPES:
        for method in METHODS:
            for auth in auths:
                send(connection, method, shape(generator), auth)
    connection.close()
    # The first scrape is counted too: its series exist from the second one on.
    series(metrics)
    before = series(metrics)
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def worker(seed: int) -> None:
        worker_generator = random.Random(seed)
        worker_connection = http.client.HTTPConnection(client.host, client.port, timeout=30)
        for _ in range(REQUESTS // THREADS):
            method, shape = worker_generator.choice(METHODS), worker_generator.choice(SHAPES)
            status = send(worker_connection, method, shape(worker_generator), worker_generator.choice(auths))
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
        worker_connection.close()

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    after = series(metrics)
    assert sum(statuses.values()) == REQUESTS // THREADS * THREADS
    assert after == before, f"new series: {sorted(after - before)[:10]}; gone: {sorted(before - after)[:10]}"
    figures["cardinality"] = {
        "requests": sum(statuses.values()),
        "series_before": len(before),
        "series_after": len(after),
        "statuses": {str(status): count for status, count in sorted(statuses.items())},
    }
