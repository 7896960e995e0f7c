"""kill -9 in the middle of a write burst: after a restart, every write answered 201 is there.

The whole process group is killed at once (a gunicorn master and its workers alike), with no
chance to flush anything. On SQLite that holds because each commit has gone into the WAL file,
through write(), before its 201 is sent: every variant sets ``journal_mode=WAL`` and leaves
``synchronous`` at SQLite's default, ``FULL``. What the kernel already holds, a killed process
cannot take back, so even ``synchronous=OFF`` would survive this; ``FULL``, which also syncs the
WAL to disk on every commit, is what survives a power cut, which this test does not make.
"""

from __future__ import annotations

import os
import signal
import uuid

from bursts import Burst, assert_kept_whole
from expectations import sign_up
from harness import ApiClient

CLIENTS = 8


def test_kill_9_during_a_write_burst_loses_no_acknowledged_write(launch, databases, figures):
    database_url = databases.fresh_database_url("kill9")
    server = launch("kill9", database_url=database_url)
    marker, token = f"kill-{uuid.uuid4().hex[:12]}", sign_up(server.base_url, "kill9").token
    with Burst(server.base_url, marker, clients=CLIENTS, token=token) as burst:
        burst.wait_until_acknowledged(150)
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=10)
        server.stopped = True
        outcome = burst.stop()
    restarted = launch("kill9-restarted", database_url=database_url, migrate=False)
    # The token is a row in the database: it outlives the process.
    result = assert_kept_whole(ApiClient(restarted.base_url, token), outcome, marker)
    figures["kill9"] = {
        "writes": outcome.attempts,
        "acknowledged": len(outcome.acknowledged),
        "in_flight": len(outcome.broken) + len(outcome.unanswered),
        "lost": len(result.lost),
        "half_written": len(result.half_written),
        "unacknowledged_kept": result.unacknowledged_kept,
    }
