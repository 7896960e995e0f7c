"""100 connections that send half a request line and stall must not keep a new client waiting.

A new ``GET /health/live`` must be answered within 1 s, with the stalled connections still open.
Each variant is measured twice: bare, on its own server as the serve env starts it, and behind
the edge of docker-compose.yml (deploy/nginx, run natively by tools/edge.py). Only the second is
the test: gunicorn's sync workers and Cheroot's thread pool give a connection a whole worker or
thread until its request has arrived, so bare they are expected to stall, and gunicorn's
documentation says to run them behind a buffering proxy. The bare figure goes to the report.
"""

from __future__ import annotations

import contextlib
import socket
import time

import pytest
from edge import Edge

STALLED = 100
ANSWER_WITHIN_SECONDS = 1.0
# How long the bare measurement waits for an answer; a server that stalls is recorded as such.
PROBE_TIMEOUT_SECONDS = 3.0
# Long enough for every worker or thread to have taken a stalled connection and to block on it.
SETTLE_SECONDS = 0.5


@contextlib.contextmanager
def stalled_connections(port: int, count: int):
    connections = []
    try:
        for _ in range(count):
            connection = socket.create_connection(("127.0.0.1", port), timeout=5)
            connection.sendall(b"GET /health/live HT")
            connections.append(connection)
        time.sleep(SETTLE_SECONDS)
        yield len(connections)
    finally:
        for connection in connections:
            connection.close()


def live_answer_seconds(port: int) -> float | None:
    """Seconds until a new client's GET /health/live is answered 200; None if not within the timeout."""
    started = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=PROBE_TIMEOUT_SECONDS) as connection:
            connection.settimeout(max(0.1, PROBE_TIMEOUT_SECONDS - (time.monotonic() - started)))
            connection.sendall(
                f"GET /health/live HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode()
            )
            status_line = connection.recv(64).split(b"\r\n", 1)[0]
    except OSError:
        return None
    if status_line.split(b" ")[1:2] != [b"200"]:
        raise AssertionError(f"GET /health/live answered {status_line!r}")
    return time.monotonic() - started


@pytest.mark.usefixtures("sqlite_only")
def test_stalled_clients_do_not_keep_a_new_one_waiting_behind_the_edge(launch, variant_name, figures, tmp_path):
    server = launch("idle")
    with stalled_connections(server.port, STALLED) as held:
        bare = live_answer_seconds(server.port)
    # The server must come back once the stalled clients have gone.
    server.wait_until_answering("/health/live")
    with Edge(tmp_path / "edge", {variant_name: server.port}) as edge:
        edge_port = edge.ports[variant_name]
        with stalled_connections(edge_port, STALLED) as held_by_edge:
            behind = live_answer_seconds(edge_port)
    figures["idle"] = {
        "stalled": held,
        "bare_seconds": None if bare is None else round(bare, 3),
        "edge_stalled": held_by_edge,
        "edge_seconds": None if behind is None else round(behind, 3),
        "probe_timeout_seconds": PROBE_TIMEOUT_SECONDS,
    }
    if behind is None or behind > ANSWER_WITHIN_SECONDS:
        pytest.fail(f"behind the edge, with {held_by_edge} stalled connections, /health/live took {behind} s")
