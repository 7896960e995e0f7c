"""How cost grows with data: list, filter, search and stats at 1k, 10k and 100k tasks, with the plans.

The phase ``growth`` of ``bench/run.py``. Per database and server: a fresh database, 100 template
tasks made through the API (so that each variant stores them its own way), then copied in bulk by
SQL up to each size (the bulk command below works on any of the three schemas, because it copies
rows the variant itself wrote). At each size the four queries are measured as the main phase
measures a cell. At the largest size, PostgreSQL's ``auto_explain`` logs the plan of every
statement the variant sends for one request of each query, and SQLite's ``EXPLAIN QUERY PLAN``
is taken of the SQLAlchemy repository's statements (the floor's, Flask's, Bottle's, CherryPy's
and TurboGears'), which the bench compiles itself.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import time
from datetime import datetime, timedelta
from pathlib import Path

import run

SIZES = (200, 1_000) if run.SMOKE else (1_000, 5_000, 20_000) if run.QUICK else (1_000, 10_000, 100_000)
RUNS = 1 if run.SMOKE else 3
TEMPLATES = 100
# One template in a hundred has the word searched for, in its title; another has it in its description.
NEEDLE = "needle"
QUERIES = {
    "list": ("list: newest first, 20 items", "/api/tasks?limit=20"),
    "filter": ("filter: status, tag, by priority", "/api/tasks?status=todo&tag=s1&sort=-priority&limit=20"),
    "search": (f"search: q={NEEDLE}", f"/api/tasks?q={NEEDLE}&limit=20"),
    "stats": ("GET /api/tasks/stats", "/api/tasks/stats"),
}
WORDS = ["invoice", "release", "review", "backup", "meeting", "report", "deploy", "budget", "audit"]


def template(number: int) -> dict:
    title = f"growth {number} {WORDS[number % len(WORDS)]}" + (f" {NEEDLE}" if number % 100 == 7 else "")
    description = f"notes on item {number}" + (f" {NEEDLE.upper()}" if number % 100 == 41 else "")
    priority = ["low", "normal", "high", "urgent"][number % 4]
    return {"title": title, "description": description, "priority": priority, "tags": [f"s{number % 5}", "growth"]}


def seed_templates(server: run.Server) -> None:
    """100 tasks through the API: a third of them moved on to in_progress or done."""
    token = run.sign_in(server)
    for number in range(TEMPLATES):
        status, created = run.http("POST", f"{server.base_url}/api/tasks", template(number), token)
        if status != 201:
            raise SystemExit(f"bench: growth: seeding {server.name} answered {status}")
        moved = {1: "in_progress", 2: "done"}.get(number % 3)
        task_url = f"{server.base_url}/api/tasks/{created['id']}"
        if moved and run.http("PATCH", task_url, {"status": moved}, token)[0] != 200:
            raise SystemExit(f"bench: growth: moving a task of {server.name} failed")


# --- the bulk command: any variant's schema, copied from the rows it wrote itself -------------


class Database:
    """Just enough of SQLite and PostgreSQL for the bulk copy and the plans."""

    def __init__(self, url: str) -> None:
        self.sqlite = url.startswith("sqlite:///")
        if self.sqlite:
            self.connection = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30)
        else:
            import psycopg

            self.connection = psycopg.connect(url, autocommit=True)

    def rows(self, statement: str, parameters: tuple = ()) -> list[tuple]:
        return self.connection.execute(statement, parameters).fetchall()

    def run(self, statement: str, parameters: tuple = ()) -> None:
        self.connection.execute(statement, parameters)
        if self.sqlite:
            self.connection.commit()

    def columns(self, table: str) -> list[str]:
        if self.sqlite:
            return [row[1] for row in self.rows(f'PRAGMA table_info("{table}")')]
        found = self.rows(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = %s "
            "ORDER BY ordinal_position",
            (table,),
        )
        return [row[0] for row in found]

    def tables(self) -> list[str]:
        if self.sqlite:
            return [row[0] for row in self.rows("SELECT name FROM sqlite_master WHERE type = 'table'")]
        found = self.rows("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
        return [row[0] for row in found]

    def close(self) -> None:
        self.connection.close()


def task_tables(database: Database) -> tuple[str, str | None, str | None]:
    """The tasks table (it has title_key), and the tags table with its tag column if tags have one."""
    tables = {table: database.columns(table) for table in database.tables()}
    tasks = next(table for table, columns in tables.items() if "title_key" in columns)
    for table, columns in tables.items():
        if table != tasks and "task_id" in columns:
            tag_column = next(column for column in columns if column not in ("id", "task_id"))
            return tasks, table, tag_column
    return tasks, None, None


def grow(url: str, size: int) -> None:
    """Copy the templates until the tasks table holds ``size`` rows, tags included."""
    database = Database(url)
    try:
        tasks, tags, tag_column = task_tables(database)
        (count,) = database.rows(f'SELECT count(*) FROM "{tasks}"')[0]
        copies = (size - count) // TEMPLATES
        if copies <= 0:
            return
        (before,) = database.rows(f'SELECT max(id) FROM "{tasks}"')[0]
        (last_template,) = database.rows(f'SELECT min(id) + {TEMPLATES - 1} FROM "{tasks}"')[0]
        columns = ", ".join(f'"{column}"' for column in database.columns(tasks) if column != "id")
        source = ", ".join(f't."{column}"' for column in database.columns(tasks) if column != "id")
        numbers = (
            f"WITH RECURSIVE copies(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM copies WHERE n < {copies}) "
            if database.sqlite
            else ""
        )
        series = "copies" if database.sqlite else f"generate_series(1, {copies}) AS copies(n)"
        database.run(
            f'{numbers}INSERT INTO "{tasks}" ({columns}) SELECT {source} FROM "{tasks}" t, {series} '
            f"WHERE t.id <= {last_template} ORDER BY copies.n, t.id"
        )
        if tags:
            database.run(
                f'INSERT INTO "{tags}" (task_id, "{tag_column}") SELECT n.id, g."{tag_column}" '
                f'FROM "{tasks}" n JOIN "{tasks}" o ON o.title = n.title AND o.id <= {last_template} '
                f'JOIN "{tags}" g ON g.task_id = o.id WHERE n.id > {before}'
            )
        spread_times(database, tasks, before)
        if not database.sqlite:
            # What autovacuum does soon after a bulk load (statistics, and the visibility map an
            # index-only scan needs); SQLite has no such thing, and the variants never run
            # ANALYZE on it, so its planner keeps its defaults.
            database.run("VACUUM (ANALYZE)")
    finally:
        database.close()


STEP = timedelta(seconds=1)


def spread_times(database: Database, tasks: str, before: int) -> None:
    """Give each new copy a time of its own, one second older than the copy after it.

    A copy keeps its template's other columns, but not its timestamps: copies of one template
    that shared its time would lie together in ``created_at`` order, and a page of a rare match
    read from the ``(created_at, id)`` index would pass thousands of them. Spread out in id order,
    which cycles through the templates, the copies interleave as real data does. ``updated_at``
    keeps its distance from ``created_at``. PostgreSQL does it in one statement, for
    ``timestamp`` and ``timestamptz`` alike; SQLite's timestamps are text, in each ORM's own
    shape, so they are rewritten from Python in the shape they were read in.
    """
    (earliest,) = database.rows(f'SELECT min(created_at) FROM "{tasks}"')[0]
    (last,) = database.rows(f'SELECT max(id) FROM "{tasks}"')[0]
    if not database.sqlite:
        database.run(
            f'UPDATE "{tasks}" SET created_at = %s - (%s - id + 1) * %s, '
            f"updated_at = updated_at - created_at + (%s - (%s - id + 1) * %s) WHERE id > %s",
            (earliest, last, STEP, earliest, last, STEP, before),
        )
        return
    start = datetime.fromisoformat(earliest)
    rows = database.rows(f'SELECT id, created_at, updated_at FROM "{tasks}" WHERE id > ?', (before,))
    changed = []
    for row_id, created, updated in rows:
        moved = start - (last - row_id + 1) * STEP
        lag = datetime.fromisoformat(updated) - datetime.fromisoformat(created)
        changed.append((like(created, moved), like(updated, moved + lag), row_id))
    database.connection.executemany(f'UPDATE "{tasks}" SET created_at = ?, updated_at = ? WHERE id = ?', changed)
    database.connection.commit()


def like(stored: str, moment: datetime) -> str:
    """``moment`` written as ``stored`` was: its separator, its precision, its offset if any."""
    separator = "T" if "T" in stored else " "
    return moment.isoformat(sep=separator, timespec="microseconds" if "." in stored else "seconds")


# --- the plans --------------------------------------------------------------------------------

SCAN = re.compile(
    r"(Seq Scan on \S+|Index Only Scan using \S+|Index Scan(?: Backward)? using \S+|Bitmap Index Scan on \S+"
    r"|SCAN \S+(?: USING (?:COVERING )?INDEX \S+)?"
    r"|SEARCH \S+ USING (?:(?:COVERING )?INDEX \S+|INTEGER PRIMARY KEY)"
    r"|USE TEMP B-TREE FOR ORDER BY|Sort)"
)


def access_paths(plan: str) -> list[str]:
    """The scans and sorts of a plan, in order, each once."""
    found: list[str] = []
    for match in SCAN.findall(plan):
        if match not in found:
            found.append(match)
    return found


def postgres_log() -> Path | None:
    """Debian's cluster log, where ``pg_ctlcluster`` sends the server's stderr."""
    candidates = sorted(Path("/var/log/postgresql").glob("postgresql-*-main.log"))
    return candidates[-1] if candidates else None


def postgres_plans(server: run.Server, env_dirs: dict, scratch: Path) -> dict[str, list[dict]]:
    """Every statement one request of each query sends, with its plan, from ``auto_explain``.

    The settings are the database's (``ALTER DATABASE``), so they reach only the bench's own
    database, and only the connections opened after them: the server is restarted for this.
    """
    log = postgres_log()
    if log is None:
        return {}
    import psycopg
    from psycopg import sql

    name = server.database_url.rsplit("/", 1)[1]
    admin_url = server.database_url.rsplit("/", 1)[0] + "/postgres"
    settings = {
        "session_preload_libraries": "auto_explain",
        "auto_explain.log_min_duration": "0",
        "auto_explain.log_format": "text",
    }
    with psycopg.connect(admin_url, autocommit=True) as admin:
        for key, value in settings.items():
            admin.execute(sql.SQL("ALTER DATABASE {} SET {} = {}").format(sql.Identifier(name), sql.SQL(key), value))
    run.stop(server)
    plans: dict[str, list[dict]] = {}
    try:
        run.start(server, env_dirs, server.database_url, scratch)
        run.wait_ready(server)
        for query, (_, path) in QUERIES.items():
            time.sleep(0.3)
            offset = log.stat().st_size
            if run.http("GET", server.base_url + path, token=server.token)[0] != 200:
                raise SystemExit(f"bench: growth: {server.name} failed {path}")
            time.sleep(0.5)  # the log is written by the backend, after the response may have gone
            with log.open("rb") as handle:
                handle.seek(offset)
                text = handle.read().decode(errors="replace")
            plans[query] = [
                each for each in logged_plans(text) if re.search(r"\btasks?\b|tasks_task", each["statement"])
            ]
    finally:
        run.stop(server)
        with psycopg.connect(admin_url, autocommit=True) as admin:
            for key in settings:
                admin.execute(sql.SQL("ALTER DATABASE {} RESET {}").format(sql.Identifier(name), sql.SQL(key)))
    return plans


def logged_plans(text: str) -> list[dict]:
    """auto_explain's text blocks: a ``plan:`` line, then tab-indented lines."""
    blocks, current = [], None
    for line in text.splitlines():
        if "plan:" in line and "duration:" in line:
            current = []
            blocks.append(current)
        elif current is not None and line.startswith("\t"):
            current.append(line[1:])
        else:
            current = None
    plans = []
    for block in blocks:
        statement = next((line.removeprefix("Query Text: ") for line in block if line.startswith("Query Text:")), "")
        plan = "\n".join(line for line in block if not line.startswith("Query Text:"))
        if statement and not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SET", "SHOW")):
            plans.append({"statement": statement.strip(), "plan": plan, "paths": access_paths(plan)})
    return plans


# The ORM each server's statements come from, for sqlite_plans.py; the SQLAlchemy variants send the floor's.
SQLITE_PLANS = {"floor-gunicorn": "sqlalchemy", "django": "django", "web2py": "web2py"}


def sqlite_plans(server: run.Server, env_dir: Path, url: str) -> dict[str, list[dict]]:
    """``sqlite_plans.py`` in the server's env and folder, where its ORM and repository are, for the
    bench user's tasks."""
    status, me = run.http("GET", server.base_url + "/api/users/me", token=run.sign_in(server))
    if status != 200:
        raise SystemExit(f"bench: growth: /api/users/me on {server.name} answered {status}")
    outcome = subprocess.run(
        [
            str(env_dir / "bin" / "python"),
            str(run.BENCH_DIR / "sqlite_plans.py"),
            SQLITE_PLANS[server.name],
            url,
            str(me["id"]),
        ],
        cwd=server.folder,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(run.BENCH_DIR), str(run.REPO_ROOT / "tools")])},
        capture_output=True,
        text=True,
    )
    if outcome.returncode != 0:
        raise SystemExit(f"bench: growth: the SQLite plans of {server.name} failed\n{outcome.stderr[-3000:]}")
    return json.loads(outcome.stdout)


# --- the phase --------------------------------------------------------------------------------


def measure(servers: list[run.Server], databases: list[str], env_dirs: dict, scratch: Path) -> dict:
    scratch.mkdir(parents=True, exist_ok=True)
    chosen = [server for server in servers if server.kind == "variant" or server.name == "floor-gunicorn"]
    admin_url = run.postgres_admin_url()
    results: dict = {"sizes": list(SIZES), "queries": {key: label for key, (label, _) in QUERIES.items()}}
    for database in databases:
        by_server: dict = {}
        for server in chosen:
            server.ids = {}
            if database == "sqlite":
                url = f"sqlite:///{scratch / server.name}-growth.db"
            else:
                url = run.postgres_database(admin_url, f"bench_growth_{server.name.replace('-', '_')}")
            try:
                run.start(server, env_dirs, url, scratch)
                run.wait_ready(server)
                seed_templates(server)
                figures: dict = {}
                for size in SIZES:
                    grow(url, size)
                    figures[str(size)] = {}
                    for query, (_, path) in QUERIES.items():
                        operation = run.Operation(query, query, "GET", path)
                        run.run_wrk(server, operation, 1, scratch)  # a primer at this size
                        runs = [run.run_wrk(server, operation, run.SECONDS, scratch) for _ in range(RUNS)]
                        cell = run.cell_figures(runs)
                        if any(each["errors"] for each in runs):
                            cell["discarded"] = f"errors: {next(each for each in runs if each['errors'])}"
                        figures[str(size)][query] = cell
                    print(f"bench: growth: {database}: {server.name} at {size} tasks", flush=True)
                if database == "postgresql":
                    figures["plans"] = postgres_plans(server, env_dirs, scratch)
                elif server.name in SQLITE_PLANS:
                    figures["plans"] = sqlite_plans(server, env_dirs[server.env], url)
                by_server[server.name] = figures
            finally:
                run.stop(server)
                server.process = None
                if database != "sqlite":
                    run.drop_postgres_database(admin_url, url.rsplit("/", 1)[1])
        results[database] = by_server
    return results
