"""``/metrics`` after 100k requests and 20 worker restarts: scrape time, multiprocess files, and counts.

The phase ``endurance`` of ``bench/run.py``, on SQLite. Each server is started with a scratch
``TMPDIR``, so that prometheus-client's multiprocess directory (``prometheus-<variant>-*``,
made by the gunicorn config) can be found and counted. A second of every operation first, so
that each route's series exist; then ``GET /health/live`` in slices until 100k requests, with a
worker stopped gracefully (SIGTERM, as ``max_requests`` recycles one) after each of 20 slices
and its replacement awaited. CherryPy and the Cheroot floor are one process with no worker to
restart and no multiprocess files; they get the 100k requests only. Then 20 scrapes, one at a
time, and the counts they show against the requests wrk saw answered.
"""

from __future__ import annotations

import math
import os
import re
import signal
import statistics
import time
import urllib.request
from pathlib import Path

import run

import compare

REQUESTS = 3_000 if run.SMOKE else 20_000 if run.QUICK else 100_000
RESTARTS = 2 if run.SMOKE else 5 if run.QUICK else 20
SCRAPES = 5 if run.SMOKE else 20
LIVE = run.Operation("live", "GET /health/live", "GET", "/health/live")
LIVE_SERIES = re.compile(r'^http_requests_total\{[^}]*route="/health/live"[^}]*\} ([0-9.e+]+)$', re.MULTILINE)


def workers(server: run.Server) -> set[int]:
    """The server's direct children: gunicorn's workers (its master is the server's own PID)."""
    pid = server.process.pid
    return {child for child in compare.process_tree(pid) if child != pid and parent_of(child) == pid}


def parent_of(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def restart_a_worker(server: run.Server) -> float:
    """SIGTERM to one worker, then wait for the master's replacement to answer; the seconds it took."""
    before = workers(server)
    victim = min(before)
    started = time.monotonic()
    os.kill(victim, signal.SIGTERM)
    deadline = started + 60
    while time.monotonic() < deadline:
        now = workers(server)
        if victim not in now and now - before and run.http("GET", server.base_url + "/health/live")[0] == 200:
            return time.monotonic() - started
        time.sleep(0.05)
    raise SystemExit(f"bench: endurance: {server.name} did not replace worker {victim}")


def scrape(server: run.Server) -> tuple[float, str]:
    started = time.perf_counter()
    with urllib.request.urlopen(server.base_url + "/metrics", timeout=30) as response:
        text = response.read().decode()
    return (time.perf_counter() - started) * 1000, text


def multiprocess_files(tmp: Path) -> int | None:
    directories = list(tmp.glob("prometheus-*"))
    return sum(1 for directory in directories for _ in directory.glob("*.db")) if directories else None


def endure(server: run.Server, env_dirs: dict, scratch: Path) -> dict:
    tmp = scratch / f"{server.name}-tmp"
    tmp.mkdir(parents=True)
    saved = dict(server.extra_env)
    server.extra_env["TMPDIR"] = str(tmp)
    server.ids = {}
    try:
        run.start(server, env_dirs, f"sqlite:///{scratch / server.name}-endurance.db", scratch)
        run.wait_ready(server)
        run.seed(server)
        errors = 0
        counted = 0
        live_answered, slices = 0, 0
        for operation in run.OPERATIONS:
            counts = run.run_wrk(server, operation, 1, scratch)
            errors += counts["errors"]
            counted += counts["requests"]
            if operation.name == LIVE.name:
                live_answered += counts["requests"]
                slices += 1
        forking = multiprocess_files(tmp) is not None and bool(workers(server))
        restarts, replaced_in = 0, []
        rate = None
        while counted < REQUESTS or (forking and restarts < RESTARTS):
            left_slices = (RESTARTS - restarts + 1) if forking else 1
            seconds = 1 if rate is None else max(1, math.ceil((REQUESTS - counted) / rate / left_slices))
            counts = run.run_wrk(server, LIVE, seconds, scratch)
            slices += 1
            rate = counts["requests"] / (counts["duration_us"] / 1e6)
            errors += counts["errors"]
            counted += counts["requests"]
            live_answered += counts["requests"]
            if forking and restarts < RESTARTS:
                replaced_in.append(restart_a_worker(server))
                restarts += 1
        timings, text = [], ""
        for _ in range(SCRAPES):
            elapsed, text = scrape(server)
            timings.append(elapsed)
        live_counted = sum(float(value) for value in LIVE_SERIES.findall(text))
        return {
            "requests": counted,
            "restarts": restarts,
            "replacement_s": statistics.median(replaced_in) if replaced_in else None,
            "errors": errors,
            "files": multiprocess_files(tmp),
            "scrape_ms": statistics.median(timings),
            "scrape_max_ms": max(timings),
            "exposition_bytes": len(text.encode()),
            "live_answered": live_answered,
            # wrk stops with up to one request in flight per connection, which the server still counts.
            "live_counted": live_counted,
            "live_in_flight_allowance": slices * run.CONNECTIONS,
        }
    finally:
        run.stop(server)
        server.process = None
        server.extra_env = saved


def measure(servers: list[run.Server], databases: list[str], env_dirs: dict, scratch: Path) -> dict:
    results: dict = {"target_requests": REQUESTS, "target_restarts": RESTARTS}
    for server in servers:
        if server.name == "floor-gunicorn-unobserved":
            continue  # no metrics to scrape
        results[server.name] = endure(server, env_dirs, scratch)
        print(f"bench: endurance: {server.name}: {results[server.name]}", flush=True)
    return results
