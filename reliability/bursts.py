"""Concurrent writers for the fault tests, and the check of what the database kept afterwards.

Every write is a ``POST /api/tasks`` on a connection of its own (``Connection: close``), so that a
server that stops listening is seen refusing new connections, and each outcome is one of:
acknowledged (201, with the created task), unavailable (the spec's 503), refused (no connection),
unanswered (reset or closed before a byte of an answer) or broken (a truncated answer, a timeout,
any other status). A server shutting down gracefully may refuse; it must never leave a client
unanswered or broken.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

from harness import ApiClient

WRITE_TIMEOUT_SECONDS = 15


@dataclass
class BurstOutcome:
    acknowledged: dict[str, dict] = field(default_factory=dict)  # title -> the task the 201 returned
    sent: dict[str, dict] = field(default_factory=dict)  # title -> the document sent on a connection made
    unavailable: int = 0
    refused: int = 0
    unanswered: list[str] = field(default_factory=list)  # reset or closed with no answer at all
    broken: list[str] = field(default_factory=list)  # a truncated answer, a timeout, any other status
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def attempts(self) -> int:
        return len(self.sent)


def document(marker: str, client: int, number: int) -> dict:
    return {
        "title": f"{marker} {client}-{number}",
        "description": f"written by client {client}, number {number}",
        "priority": ["low", "normal", "high", "urgent"][number % 4],
        "tags": [marker, f"client-{client}"],
    }


def write_once(base_url: str, body: dict, outcome: BurstOutcome, token: str) -> str:
    """One write, as the user of ``token``; its outcome's name."""
    parts = urllib.parse.urlsplit(base_url)
    payload = json.dumps(body).encode()
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=WRITE_TIMEOUT_SECONDS)
    try:
        try:
            connection.connect()
        except ConnectionRefusedError:
            with outcome.lock:
                outcome.refused += 1
            return "refused"
        with outcome.lock:
            outcome.sent[body["title"]] = body
        try:
            connection.request(
                "POST",
                "/api/tasks",
                body=payload,
                headers={"Content-Type": "application/json", "Connection": "close", "Authorization": f"Bearer {token}"},
            )
            response = connection.getresponse()
            answer = response.read()
        except (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected) as error:
            # Reset, or closed, before a byte of the answer: the server never took the request up,
            # or dropped it unanswered.
            with outcome.lock:
                outcome.unanswered.append(f"{body['title']}: {type(error).__name__}: {error}")
            return "unanswered"
        except (OSError, http.client.HTTPException) as error:
            with outcome.lock:
                outcome.broken.append(f"{body['title']}: {type(error).__name__}: {error}")
            return "broken"
        with outcome.lock:
            if response.status == 201:
                outcome.acknowledged[body["title"]] = json.loads(answer)
                return "acknowledged"
            if response.status == 503 and b'"unavailable"' in answer:
                outcome.unavailable += 1
                return "unavailable"
            outcome.broken.append(f"{body['title']}: {response.status} {answer[:200]!r}")
            return "broken"
    finally:
        connection.close()


class Burst:
    """``clients`` threads writing one after the other until stopped, or until each is refused."""

    def __init__(self, base_url: str, marker: str, clients: int, *, token: str, until_refused: bool = False) -> None:
        self.base_url = base_url
        self.marker = marker
        # One user writes them all (spec 2.0); reading them back needs a client of that user.
        self.token = token
        self.outcome = BurstOutcome()
        self.until_refused = until_refused
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._write, args=(client,), daemon=True) for client in range(clients)]

    def __enter__(self) -> Burst:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self, timeout: float = 30) -> BurstOutcome:
        self.stopping.set()
        deadline = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(timeout=max(0.1, deadline - time.monotonic()))
        return self.outcome

    def wait_until_acknowledged(self, count: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while len(self.outcome.acknowledged) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"only {len(self.outcome.acknowledged)} writes acknowledged in {timeout} s")
            time.sleep(0.02)

    def _write(self, client: int) -> None:
        number = 0
        while not self.stopping.is_set():
            result = write_once(self.base_url, document(self.marker, client, number), self.outcome, self.token)
            number += 1
            if result == "refused" and self.until_refused:
                return


@dataclass
class Kept:
    """What the database holds of a burst, read back through the API."""

    found: dict[str, dict]
    lost: list[str]  # acknowledged, absent
    half_written: list[str]  # present, but not as it was sent
    unacknowledged_kept: int


def kept(client: ApiClient, outcome: BurstOutcome, marker: str) -> Kept:
    """Every task of the burst (its tag), paged; each compared with the document that made it."""
    found: dict[str, dict] = {}
    offset = 0
    while True:
        response = client.get("/api/tasks", params={"tag": marker, "limit": 100, "offset": offset})
        assert response.status_code == 200, response.text[:500]
        page = response.json()
        found |= {task["title"]: task for task in page["items"]}
        offset += len(page["items"])
        if not page["items"] or offset >= page["total"]:
            break
    # A half-written task may have lost its tags: look for its title too.
    for title in outcome.sent:
        if title not in found:
            response = client.get("/api/tasks", params={"q": title, "limit": 100})
            assert response.status_code == 200, response.text[:500]
            found |= {task["title"]: task for task in response.json()["items"] if task["title"] == title}
    half_written = []
    for title, task in found.items():
        sent = outcome.sent.get(title)
        if (
            sent is None
            or any(task[name] != sent[name] for name in ("description", "priority"))
            or sorted(task["tags"]) != sorted(sent["tags"])
        ):
            half_written.append(title)
    lost = [title for title in outcome.acknowledged if title not in found]
    return Kept(found, lost, half_written, len(set(found) - set(outcome.acknowledged)))


def assert_kept_whole(client: ApiClient, outcome: BurstOutcome, marker: str) -> Kept:
    """No write answered 201 is missing, and no task of the burst is other than it was sent."""
    result = kept(client, outcome, marker)
    assert not result.lost, f"{len(result.lost)} acknowledged writes are missing: {result.lost[:5]}"
    assert not result.half_written, f"half-written tasks: {result.half_written[:5]}"
    return result
