"""Spec 6.5: SIGTERM lets the requests in flight complete, then the process exits 0 within 10 seconds.

``server.stop()`` after the signal checks the exit: code 0 within 10 s, and only JSON log lines.
"""

import json
import socket
import time

import pytest
from expectations import sign_up

pytestmark = pytest.mark.needs_process


def test_a_request_in_flight_completes_after_sigterm(launch_server):
    server = launch_server("shutdown")
    token = sign_up(server.base_url, "shutdown").token
    body = json.dumps({"title": "finished after SIGTERM"}).encode()
    head = (
        f"POST /api/tasks HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {token}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=15) as connection:
        connection.sendall(head + body[:10])
        # Let a worker take the request and start reading its body before the signal arrives.
        time.sleep(0.5)
        server.send_sigterm()
        time.sleep(0.5)
        connection.sendall(body[10:])
        response = b""
        while chunk := connection.recv(65536):
            response += chunk
    status_line = response.split(b"\r\n", 1)[0].decode("latin-1")
    assert status_line.split(" ")[1] == "201", response[:500]
    assert b"finished after SIGTERM" in response.partition(b"\r\n\r\n")[2], "the created task is in the body"
    server.stop()
