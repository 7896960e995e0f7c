"""Where the read path's CPU goes: py-spy on every server under ``GET /api/tasks/{id}``, on SQLite.

The phase ``profiles`` of ``bench/run.py``. While wrk drives the read path, py-spy samples the
server's whole process tree (``--subprocesses``), only the thread holding the GIL (``--gil``: the
one using the CPU). Each sample is charged to the innermost frame that belongs to someone: the
framework, the ORM, the database driver, the WSGI server, the shared package (its observability
apart) or the variant's own code. Standard-library frames are charged to whoever called them, so
``json.dumps`` under the shared serialiser is the shared package's and ``re`` under Django's URL
resolver is Django's. The report shows the shares, and the framework's own hottest functions.
"""

from __future__ import annotations

import collections
import re
import shutil
import subprocess
import sys
from pathlib import Path

import run

SECONDS = 2 if run.SMOKE else 4 if run.QUICK else 10
RATE = 200
READ = run.OPERATIONS[0]
FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^():]+):\d+\)$")
SITE_PACKAGES = "/site-packages/"
FRAMEWORK_PACKAGES = {
    "django", "flask", "werkzeug", "jinja2", "itsdangerous", "blinker", "click", "markupsafe", "bottle",
    "cherrypy", "jaraco", "portend", "tempora", "tg", "crank", "webob", "paste", "repoze", "beaker",
    "gluon", "gearbox", "routes", "kajiki",
}  # fmt: skip
ORM_PACKAGES = {"sqlalchemy", "pydal", "alembic"}
DRIVER_PACKAGES = {"psycopg", "psycopg_binary", "psycopg_pool", "sqlite3"}
SERVER_PACKAGES = {"gunicorn", "cheroot"}
CATEGORIES = ["framework", "ORM", "driver", "server", "shared", "observability", "own code", "other"]


def owner(file: str, function: str) -> tuple[str, str] | None:
    """(category, where) for a frame that belongs to someone; None for the standard library."""
    path = file.replace("\\", "/")
    shared = str(run.REPO_ROOT / "shared" / "src" / "tasktracker") + "/"
    if path.startswith(shared):
        inner = path.removeprefix(shared)
        return ("observability" if inner.startswith("observability/") else "shared"), f"tasktracker/{inner}"
    if path.startswith(str(run.REPO_ROOT) + "/") and SITE_PACKAGES not in path:
        return "own code", path.removeprefix(str(run.REPO_ROOT) + "/")
    if SITE_PACKAGES in path:
        inner = path.split(SITE_PACKAGES, 1)[1]
        top = inner.split("/", 1)[0].removesuffix(".py")
        if "pydal/" in inner or (top == "django" and inner.startswith("django/db/")):
            return "ORM", inner
        if top in FRAMEWORK_PACKAGES:
            return "framework", inner
        for category, packages in (("ORM", ORM_PACKAGES), ("driver", DRIVER_PACKAGES), ("server", SERVER_PACKAGES)):
            if top in packages:
                return category, inner
        if top == "prometheus_client":
            return "observability", inner
        return "other", inner
    if "/sqlite3/" in path:
        return "driver", "sqlite3"
    return None


def charge(stack: list[tuple[str, str]]) -> tuple[str, str]:
    """The category and frame a sample is charged to: its innermost owned frame (leaf last)."""
    for function, file in reversed(stack):
        found = owner(file, function)
        if found:
            return found[0], f"{found[1]}: {function}"
    return "other", "the interpreter and the standard library"


def summarise(raw: str) -> dict:
    shares: collections.Counter[str] = collections.Counter()
    frames: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    total = 0
    for line in raw.splitlines():
        stack_text, _, count_text = line.rpartition(" ")
        if not count_text.isdigit():
            continue
        stack = [(match["function"], match["file"]) for part in stack_text.split(";") if (match := FRAME.match(part))]
        count = int(count_text)
        category, frame = charge(stack)
        shares[category] += count
        frames[category][frame] += count
        total += count
    return {
        "samples": total,
        "shares": {category: shares[category] / total for category in CATEGORIES} if total else {},
        "top": {
            category: [(frame, count / total) for frame, count in frames[category].most_common(4)]
            for category in ("framework", "ORM", "observability")
            if frames[category]
        },
    }


def py_spy() -> str:
    found = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(found).exists():
        raise SystemExit("bench: profiles: no py-spy (it is in tools/requirements.txt)")
    return found


def profile(server: run.Server, env_dirs: dict, scratch: Path) -> dict:
    server.ids = {}
    try:
        run.start(server, env_dirs, f"sqlite:///{scratch / server.name}-profile.db", scratch)
        run.wait_ready(server)
        run.seed(server)
        run.run_wrk(server, READ, 1, scratch)  # warm
        url = server.base_url + READ.path.format(**server.ids)
        wrk = subprocess.Popen(
            ["taskset", "-c", run.CLIENT_CPU, "wrk", "--threads", "1", "--connections", str(run.CONNECTIONS),
             "--duration", f"{SECONDS + 3}s", url],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        output = scratch / f"{server.name}.raw"
        try:
            subprocess.run(
                [py_spy(), "record", "--pid", str(server.process.pid), "--subprocesses", "--gil", "--full-filenames",
                 "--rate", str(RATE), "--duration", str(SECONDS), "--format", "raw", "--output", str(output)],
                check=True, capture_output=True, timeout=SECONDS + 60,
            )  # fmt: skip
        finally:
            wrk.wait(timeout=SECONDS + 30)
        return summarise(output.read_text())
    finally:
        run.stop(server)
        server.process = None


def measure(servers: list[run.Server], databases: list[str], env_dirs: dict, scratch: Path) -> dict:
    scratch.mkdir(parents=True, exist_ok=True)
    results: dict = {"seconds": SECONDS, "rate": RATE}
    for server in servers:
        results[server.name] = profile(server, env_dirs, scratch)
        shares = {key: round(value, 2) for key, value in results[server.name]["shares"].items()}
        print(f"bench: profiles: {server.name}: {shares}", flush=True)
    return results
