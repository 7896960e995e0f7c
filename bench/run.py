"""The benchmark: what each framework costs per request, against a no-framework floor, on one machine, in one run.

    tox -e bench                    # measure everything, write docs/PERFORMANCE.md and its charts
    BENCH_QUICK=1 tox -e bench      # seconds per cell: proves the bench works, figures meaningless
    BENCH_QUICK=1 tox -e bench -- --smoke   # the CI smoke: one round, SQLite only, into build/bench/

Every server runs as in production (its serve command, its variant's tox env, the spec's access
log and metrics), with one worker process (``WEB_CONCURRENCY=1``) and ``THREAD_POOL`` threads where
the server has threads, pinned to CPU 0; wrk runs on CPU 1 with the same connections everywhere.
For each database, every server is started and seeded; then a warm-up, then ``ROUNDS`` rounds in
which every server is measured on every operation, the order of the servers reversed each round
(TechEmpower's way of cancelling drift). A cell whose req/s spread (max − min over median) is over
10 % is measured again, once. A cell with any socket error or non-2xx response is discarded and
reported, never averaged in. CPU per request is the user + system time of the server's whole
process tree, read from /proc before and after each wrk run, over the requests wrk counted.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import compare
import variants

REPO_ROOT = variants.REPO_ROOT
BENCH_DIR = REPO_ROOT / "bench"
WRK_DIR = BENCH_DIR / "wrk"
RESULTS_PATH = REPO_ROOT / "build" / "bench" / "results.json"
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
# The CI smoke (--smoke): one quick round, no warm-up, SQLite only.
SMOKE = "--smoke" in sys.argv
SERVER_CPU, CLIENT_CPU = "0", "1"
CONNECTIONS = 8
THREAD_POOL = CONNECTIONS
ROUNDS = 1 if SMOKE else 2 if QUICK else 5
# Whole seconds: wrk's shortest duration is 1 s.
SECONDS = 1 if QUICK else 2
WARM_UP_SECONDS = 1 if QUICK else 2
SPREAD_LIMIT = 0.10
# The observability cost is a difference of two near figures: the read path is measured again in
# this many pairs, the floor with and without observability back to back, each pair's difference
# its own sample.
OBSERVABILITY_PAIRS = 1 if SMOKE else 3 if QUICK else 12
SEEDED_TASKS = 60
READY_TIMEOUT_SECONDS = 60
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True)
class Operation:
    name: str
    label: str
    method: str
    path: str
    script: str | None = None  # a Lua file in bench/wrk


OPERATIONS = [
    Operation("get", "GET /api/tasks/{id}", "GET", "/api/tasks/{read_id}"),
    Operation("list", "list: status, sort, 20 items", "GET", "/api/tasks?status=todo&sort=-priority&limit=20"),
    Operation("stats", "GET /api/tasks/stats", "GET", "/api/tasks/stats"),
    Operation("create", "POST /api/tasks", "POST", "/api/tasks", "post.lua"),
    Operation("patch", "PATCH /api/tasks/{id}", "PATCH", "/api/tasks/{patch_id}", "patch.lua"),
    Operation("live", "GET /health/live", "GET", "/health/live"),
    # Last in each round: by then the server has counted every request before it.
    Operation("metrics", "GET /metrics", "GET", "/metrics"),
]
BARE_OPERATION = Operation("bare", 'GET / → {"ok": true}', "GET", "/")


@dataclass
class Server:
    """One thing to measure: a variant, a floor, or a framework's bare endpoint."""

    name: str
    kind: str  # "variant", "floor" or "bare"
    env: str  # the tox env whose interpreter runs it
    folder: Path
    serve: list[str]
    migrate: list[str] | None
    extra_env: dict[str, str] = field(default_factory=dict)
    # Filled once started:
    process: subprocess.Popen | None = None
    port: int = 0
    ids: dict[str, int] = field(default_factory=dict)
    # The bearer token of the user the bench signs up on it (spec 2.0); None for a bare endpoint.
    token: str | None = None
    log_path: Path | None = None
    database_url: str | None = None

    @property
    def operations(self) -> list[Operation]:
        return [BARE_OPERATION] if self.kind == "bare" else OPERATIONS

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def servers(scratch: Path) -> list[Server]:
    found = []
    for variant in variants.all_variants():
        found.append(
            Server(variant.name, "variant", variant.name, variant.folder, list(variant.serve), list(variant.migrate))
        )
    floor_migrate = ["python", "-m", "tasktracker.sqla", "upgrade"]
    gunicorn_floor = ["gunicorn", "--config", "floor_gunicorn.py", "floor:app"]
    found.append(Server("floor-gunicorn", "floor", "bottle", BENCH_DIR, gunicorn_floor, floor_migrate))
    found.append(
        Server(
            "floor-gunicorn-unobserved",
            "floor",
            "bottle",
            BENCH_DIR,
            gunicorn_floor,
            floor_migrate,
            {"BENCH_OBSERVABILITY": "0"},
        )
    )
    found.append(
        Server(
            "floor-cheroot",
            "floor",
            "cherrypy",
            BENCH_DIR,
            ["python", "floor.py"],
            floor_migrate,
            {"BENCH_FLOOR_SERVER": "cheroot"},
        )
    )
    bare = BENCH_DIR / "bare"
    gunicorn_bare = ["gunicorn", "--config", str(bare / "bare_gunicorn.py")]
    for name in ("django", "flask", "bottle", "turbogears"):
        found.append(
            Server(
                f"bare-{name}", "bare", name, bare, [*gunicorn_bare, f"{name}_bare:app"], None, {"BENCH_VARIANT": name}
            )
        )
    found.append(Server("bare-cherrypy", "bare", "cherrypy", bare, ["python", "cherrypy_bare.py"], None))
    # web2py writes its working folders under its applications parent: a scratch copy of it.
    web2py_folder = scratch / "bare-web2py"
    shutil.copytree(bare / "web2py", web2py_folder)
    found.append(
        Server(
            "bare-web2py",
            "bare",
            "web2py",
            web2py_folder,
            [*gunicorn_bare, "wsgihandler:app"],
            None,
            {"BENCH_VARIANT": "web2py"},
        )
    )
    return found


# --- processes ------------------------------------------------------------------------------


def http(method: str, url: str, body: dict | None = None, token: str | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read()
            return response.status, (
                json.loads(text) if text and "json" in response.headers.get("Content-Type", "") else {}
            )
    except urllib.error.HTTPError as error:
        return error.code, {}
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, {}


def cpu_seconds(root_pid: int) -> float:
    """User + system time of the process and its children, alive now."""
    total = 0
    for pid in compare.process_tree(root_pid):
        with contextlib.suppress(OSError, IndexError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


def pss_mib(root_pid: int) -> float:
    total_kib = 0
    for pid in compare.process_tree(root_pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total_kib += int(line.split()[1])
    return total_kib / 1024


def start(server: Server, env_dirs: dict[str, Path], database_url: str | None, scratch: Path) -> None:
    env_dir = env_dirs[server.env]
    server.port = variants.free_port()
    environment = variants.env_environment(env_dir) | {
        "HOST": "127.0.0.1",
        "PORT": str(server.port),
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "info",
        "WEB_CONCURRENCY": "1",
        "THREAD_POOL": str(THREAD_POOL),
        **server.extra_env,
    }
    if database_url != server.database_url:
        server.token = None  # its user lives in the old database: a new one needs a user of its own
    server.database_url = database_url
    if database_url:
        environment["DATABASE_URL"] = database_url
    if server.migrate:
        subprocess.run(server.migrate, cwd=server.folder, env=environment, check=True, capture_output=True)
    server.log_path = scratch / f"{server.name}.log"
    with server.log_path.open("wb") as log_file:
        server.process = variants.start_server(
            ["taskset", "-c", SERVER_CPU, *server.serve], server.folder, environment, log_file, subprocess.STDOUT
        )


def wait_ready(server: Server) -> None:
    path = "/" if server.kind == "bare" else "/health/ready"
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while http("GET", server.base_url + path)[0] != 200:
        if server.process.poll() is not None or time.monotonic() > deadline:
            log_tail = server.log_path.read_text(errors="replace")[-2000:]
            raise SystemExit(f"bench: {server.name} did not become ready\n{log_tail}")
        time.sleep(0.1)


def sign_in(server: Server) -> str:
    """A user of its own on ``server``, signed up once, and its token: every measured request carries it."""
    if server.token is None:
        credentials = {"username": f"bench-{os.getpid()}-{server.port}", "password": f"bench password {time.time_ns()}"}
        for path in ("/api/users", "/api/tokens"):
            status, answer = http("POST", server.base_url + path, credentials)
            if status != 201:
                raise SystemExit(f"bench: {path} on {server.name} answered {status}")
        server.token = answer["token"]
    return server.token


def seed(server: Server) -> None:
    """Enough tasks for a 20-item page of each filter; one task read, another patched."""
    if server.kind == "bare":
        return
    token = sign_in(server)
    priorities = ["low", "normal", "high", "urgent"]
    for number in range(SEEDED_TASKS):
        document = {"title": f"seed {number}", "priority": priorities[number % 4], "tags": ["seed", f"s{number % 5}"]}
        status, created = http("POST", f"{server.base_url}/api/tasks", document, token)
        if status != 201:
            raise SystemExit(f"bench: seeding {server.name} answered {status}")
        server.ids.setdefault("read_id", created["id"])
        server.ids["patch_id"] = created["id"]


def forget_created(server: Server) -> None:
    """Delete the tasks a create cell made (their titles start with "bench "), whatever the ORM
    named the table: otherwise every later list and stats cell would count thousands more rows on
    a faster server than on a slower one."""
    statement = "DELETE FROM {} WHERE title LIKE 'bench %'"
    if server.database_url.startswith("sqlite:///"):
        import sqlite3

        with contextlib.closing(sqlite3.connect(server.database_url.removeprefix("sqlite:///"), timeout=30)) as db:
            tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            for table in tables:
                columns = [row[1] for row in db.execute(f'PRAGMA table_info("{table}")')]
                if "title" in columns:
                    db.execute(statement.format(f'"{table}"'))
            db.commit()
        return
    import psycopg
    from psycopg import sql

    with psycopg.connect(server.database_url) as db:
        tables = db.execute(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'title'"
        ).fetchall()
        for (table,) in tables:
            db.execute(sql.SQL(statement).format(sql.Identifier(table)))


def stop(server: Server) -> None:
    if server.process is None or server.process.poll() is not None:
        return
    server.process.send_signal(signal.SIGTERM)
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait()


# --- wrk ------------------------------------------------------------------------------------


def wrk_script(operation: Operation, scratch: Path) -> Path:
    """The operation's Lua (if any) followed by the reporting one, as one file: wrk takes one script."""
    path = scratch / f"{operation.name}.lua"
    if not path.exists():
        parts = [WRK_DIR / operation.script] if operation.script else []
        path.write_text("\n".join(part.read_text() for part in [*parts, WRK_DIR / "report.lua"]))
    return path


def run_wrk(server: Server, operation: Operation, seconds: int, scratch: Path) -> dict:
    """One wrk run; its counts, the server's CPU seconds over it, and the errors it saw."""
    url = server.base_url + operation.path.format(**server.ids)
    before = cpu_seconds(server.process.pid)
    command = [
        "taskset", "-c", CLIENT_CPU, "wrk", "--threads", "1", "--connections", str(CONNECTIONS),
        "--duration", f"{seconds}s",
        "--timeout", "10s", "--script", str(wrk_script(operation, scratch)),
        *(["--header", f"Authorization: Bearer {server.token}"] if server.token else []), url,
    ]  # fmt: skip
    outcome = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    after = cpu_seconds(server.process.pid)
    if operation.name == "create":
        forget_created(server)
    try:
        counts = json.loads(outcome.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise SystemExit(f"bench: wrk on {url} printed no counts\n{outcome.stdout}{outcome.stderr}") from None
    counts["cpu_seconds"] = after - before
    if counts["requests"] and after - before <= 0:
        raise SystemExit(f"bench: {server.name}'s process tree (pid {server.process.pid}) showed no CPU time")
    counts["errors"] = sum(counts[key] for key in ("connect", "read", "write", "status", "timeout"))
    return counts


# --- the run --------------------------------------------------------------------------------


def cell_figures(runs: list[dict]) -> dict:
    rates = [run["requests"] / (run["duration_us"] / 1e6) for run in runs]
    cpu = [run["cpu_seconds"] * 1e6 / run["requests"] for run in runs if run["requests"]]
    median = statistics.median(rates)
    return {
        "rps": median,
        "rps_min": min(rates),
        "rps_max": max(rates),
        "spread": (max(rates) - min(rates)) / median if median else 0.0,
        "p50_ms": statistics.median(run["p50_us"] for run in runs) / 1000,
        "p99_ms": statistics.median(run["p99_us"] for run in runs) / 1000,
        "cpu_us": statistics.median(cpu) if cpu else None,
        "requests": sum(run["requests"] for run in runs),
    }


def measure_database(database: str, chosen: list[Server], env_dirs: dict[str, Path], scratch: Path) -> dict:
    """Every server on one database: started, seeded, warmed up, then measured in interleaved rounds."""
    results: dict[str, dict] = {}
    database_scratch = scratch / database
    database_scratch.mkdir()
    admin_url = postgres_admin_url()
    created_databases = []
    try:
        for server in chosen:
            url = None
            if server.kind != "bare":
                if database == "sqlite":
                    url = f"sqlite:///{database_scratch / server.name}.db"
                else:
                    url = postgres_database(admin_url, f"bench_{server.name.replace('-', '_')}")
                    created_databases.append(url)
            start(server, env_dirs, url, database_scratch)
        for server in chosen:
            wait_ready(server)
            seed(server)
            print(f"bench: {database}: {server.name} ready and seeded (pid {server.process.pid})", flush=True)
        for server in chosen if not SMOKE else []:
            for operation in server.operations:
                run_wrk(server, operation, WARM_UP_SECONDS, database_scratch)
        runs: dict[tuple[str, str], list[dict]] = {}
        discarded: dict[tuple[str, str], str] = {}
        for round_number in range(ROUNDS):
            order = chosen if round_number % 2 == 0 else list(reversed(chosen))
            for server in order:
                for operation in server.operations:
                    key = (server.name, operation.name)
                    counts = run_wrk(server, operation, SECONDS, database_scratch)
                    if counts["errors"]:
                        discarded[key] = f"{counts['errors']} errors in round {round_number + 1}: {counts}"
                    runs.setdefault(key, []).append(counts)
            print(f"bench: {database}: round {round_number + 1} of {ROUNDS} done", flush=True)
        pairs = observability_pairs(chosen, database_scratch)
        for (name, operation_name), cell_runs in runs.items():
            server = next(each for each in chosen if each.name == name)
            figures = cell_figures(cell_runs)
            if figures["spread"] > SPREAD_LIMIT and not QUICK:
                operation = next(each for each in server.operations if each.name == operation_name)
                again = [run_wrk(server, operation, SECONDS, database_scratch) for _ in range(ROUNDS)]
                if any(run["errors"] for run in again):
                    discarded[(name, operation_name)] = "errors in the repeated rounds"
                first_spread, figures = figures["spread"], cell_figures(again)
                figures["repeated_after_spread"] = first_spread
            figures["discarded"] = discarded.get((name, operation_name))
            results.setdefault(name, {})[operation_name] = figures
        if pairs:
            results["floor-gunicorn"]["observability_pairs"] = pairs
        for server in chosen:
            results[server.name]["pss_mib"] = pss_mib(server.process.pid)
            if server.kind != "bare":
                scrape = time.perf_counter()
                http("GET", f"{server.base_url}/metrics")
                results[server.name]["metrics_scrape_ms"] = (time.perf_counter() - scrape) * 1000
    finally:
        for server in chosen:
            stop(server)
            server.process = None
        for url in created_databases:
            drop_postgres_database(admin_url, url.rsplit("/", 1)[1])
    return results


def observability_pairs(chosen: list[Server], scratch: Path) -> list[dict]:
    """The read path's CPU per request on the floor with and without observability, pair by pair.

    Each pair is the two measured back to back, the one first that went second in the pair
    before, so that whatever else the machine did falls on both alike.
    """
    found = {each.name: each for each in chosen}
    observed, unobserved = found.get("floor-gunicorn"), found.get("floor-gunicorn-unobserved")
    if observed is None or unobserved is None:
        return []
    pairs = []
    for number in range(OBSERVABILITY_PAIRS):
        figures = {}
        for server in (observed, unobserved) if number % 2 == 0 else (unobserved, observed):
            counts = run_wrk(server, OPERATIONS[0], SECONDS, scratch)
            if counts["errors"] or not counts["requests"]:
                figures["discarded"] = f"{server.name}: {counts['errors']} errors in pair {number + 1}: {counts}"
                break
            figures[server.name] = counts["cpu_seconds"] * 1e6 / counts["requests"]
        if "discarded" in figures:
            pairs.append({"discarded": figures["discarded"]})
            continue
        pairs.append({"observed_cpu_us": figures[observed.name], "unobserved_cpu_us": figures[unobserved.name]})
    return pairs


def postgres_admin_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL") or DEFAULT_ADMIN_URL


def postgres_database(admin_url: str, name: str) -> str:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def drop_postgres_database(admin_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def check_floor_contract(env_dirs: dict[str, Path], scratch: Path) -> None:
    """The floor is a fair floor only while it is the same API: the contract suite against it.

    ``GET /api`` is deselected: its document names one of the six variants, and the floor is none.
    """
    floor = next(each for each in servers(scratch / "contract") if each.name == "floor-gunicorn")
    floor.extra_env["WEB_CONCURRENCY"] = "2"
    start(floor, env_dirs, f"sqlite:///{scratch / 'floor-contract.db'}", scratch)
    try:
        wait_ready(floor)
        suite = [sys.executable, "-m", "pytest", "contract_tests", "-q", "-p", "no:cacheprovider"]
        # -k, not --deselect: a node id there is a prefix, and would take test_api_info_does_not_change… too.
        deselect = ["-k", "not test_api_info or test_api_info_does_not_change_between_requests"]
        outcome = subprocess.run([*suite, "--base-url", floor.base_url, *deselect], cwd=REPO_ROOT, timeout=600)
    finally:
        stop(floor)
    if outcome.returncode != 0:
        raise SystemExit(
            f"bench: the floor fails the contract suite\n{floor.log_path.read_text(errors='replace')[-2000:]}"
        )
    print("bench: the gunicorn floor passes the contract suite", flush=True)


def machine() -> dict:
    cpu_model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.splitlines()
    return {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu_model,
        "cpus": os.cpu_count(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "wrk": (wrk_version[0] if wrk_version else "wrk").split(" [")[0],
        "quick": QUICK,
        "rounds": ROUNDS,
        "seconds": SECONDS,
        "connections": CONNECTIONS,
    }


PHASES = ("main", "growth", "endurance", "profiles")


def chosen_phases(argv: list[str]) -> list[str]:
    """``--phase NAME`` (repeatable) runs only those, into the results the others left; else all."""
    named = [argv[index + 1] for index, word in enumerate(argv[:-1]) if word == "--phase"]
    unknown = sorted(set(named) - set(PHASES))
    if unknown:
        raise SystemExit(f"bench: no phase {', '.join(unknown)}; the phases are {', '.join(PHASES)}")
    return [phase for phase in PHASES if phase in named] or list(PHASES)


def main(argv: list[str]) -> int:
    smoke = SMOKE
    databases = ["sqlite"] if smoke else os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",")
    for tool in ("wrk", "taskset"):
        if shutil.which(tool) is None:
            raise SystemExit(
                f"bench: no {tool} on PATH (Debian: apt-get install {'wrk' if tool == 'wrk' else 'util-linux'})"
            )
    phases = chosen_phases(argv)
    partial = bool(os.environ.get("BENCH_ONLY"))
    output = RESULTS_PATH.parent / ("smoke.json" if smoke else "partial.json" if partial else "results.json")
    results = {}
    if len(phases) < len(PHASES) and output.is_file():
        results = json.loads(output.read_text(encoding="utf-8"))
    env_names = sorted({"bottle", "cherrypy", *(variant.name for variant in variants.all_variants())})
    env_dirs = variants.prepare_tox_envs(env_names, 2, variants.clean_environment())
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch_name:
        scratch = Path(scratch_name)
        (scratch / "contract").mkdir()
        chosen = servers(scratch)
        if only := os.environ.get("BENCH_ONLY"):
            chosen = [each for each in chosen if each.name in only.split(",")]
        for phase in phases:
            started = time.monotonic()
            if phase == "main":
                if not partial:
                    check_floor_contract(env_dirs, scratch)
                results["machine"] = machine()
                results["databases"] = {}
                for database in databases:
                    results["databases"][database] = measure_database(
                        database,
                        [each for each in chosen if database == "sqlite" or each.kind != "bare"],
                        env_dirs,
                        scratch,
                    )
            else:
                module = __import__(phase)
                results[phase] = module.measure(
                    [each for each in chosen if each.kind != "bare"], databases, env_dirs, scratch / phase
                )
            results.setdefault("minutes", {})[phase] = round((time.monotonic() - started) / 60, 1)
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(json.dumps(results, indent=1), encoding="utf-8")
            where = output.relative_to(REPO_ROOT)
            print(f"bench: {phase}: into {where} in {results['minutes'][phase]} min", flush=True)
    if partial:  # a look at some servers, never the report
        print(json.dumps({key: value for key, value in results.items() if key != "machine"}, indent=1))
        return 0
    missing = [phase for phase in PHASES if phase not in results and not (phase == "main" and "databases" in results)]
    if missing:
        print(f"bench: not reported yet, the phases {', '.join(missing)} have not run", flush=True)
        return 0
    import report

    return report.main(["--smoke", str(output)] if smoke else [str(output)])


if __name__ == "__main__":
    sys.path.insert(0, str(BENCH_DIR))
    sys.exit(main(sys.argv[1:]))
