"""The benchmark's own logic, without a server: the bulk copy, the plans, the profile, the report."""

import sqlite3
from datetime import datetime, timedelta

import growth
import pytest
import report
from profiles import summarise

AUTO_EXPLAIN_LOG = """\
2026-12-03 06:00:00.000 UTC [42] postgres@bench LOG:  duration: 0.021 ms  plan:
\tQuery Text: BEGIN
\tResult  (cost=0.00..0.01 rows=1 width=0)
2026-12-03 06:00:00.001 UTC [42] postgres@bench LOG:  duration: 1.250 ms  plan:
\tQuery Text: SELECT count(tasks.id) AS count_1 FROM tasks WHERE tasks.status IN ($1::VARCHAR)
\tAggregate  (cost=10.00..10.01 rows=1 width=8)
\t  ->  Index Only Scan using ix_tasks_status on tasks  (cost=0.29..9.00 rows=400 width=4)
\t        Index Cond: (status = 'todo'::text)
2026-12-03 06:00:00.002 UTC [42] postgres@bench LOG:  connection authorized: user=postgres
2026-12-03 06:00:00.003 UTC [42] postgres@bench LOG:  duration: 2.5 ms  plan:
\tQuery Text: SELECT tasks.id FROM tasks ORDER BY tasks.created_at DESC, tasks.id DESC LIMIT 20
\tLimit  (cost=0.29..1.00 rows=20 width=4)
\t  ->  Index Scan Backward using ix_tasks_created_at_id on tasks  (cost=0.29..900.00 rows=1000 width=4)
"""


def test_auto_explain_blocks_become_plans_without_the_transaction_statements():
    plans = growth.logged_plans(AUTO_EXPLAIN_LOG)
    assert [plan["paths"] for plan in plans] == [
        ["Index Only Scan using ix_tasks_status"],
        ["Index Scan Backward using ix_tasks_created_at_id"],
    ]
    assert plans[0]["statement"].startswith("SELECT count(tasks.id)")
    assert "connection authorized" not in plans[1]["plan"]


@pytest.mark.parametrize(
    ("plan", "paths"),
    [
        ("SCAN tasks USING INDEX ix_tasks_created_at_id", ["SCAN tasks USING INDEX ix_tasks_created_at_id"]),
        (
            "SEARCH task_tags USING COVERING INDEX sqlite_autoindex_task_tags_1 (task_id=?)\n"
            "USE TEMP B-TREE FOR ORDER BY",
            ["SEARCH task_tags USING COVERING INDEX sqlite_autoindex_task_tags_1", "USE TEMP B-TREE FOR ORDER BY"],
        ),
        (
            "SEARCH tasks USING INTEGER PRIMARY KEY (rowid>?)\nSCAN tasks",
            ["SEARCH tasks USING INTEGER PRIMARY KEY", "SCAN tasks"],
        ),
        (
            "Sort\n  ->  Bitmap Heap Scan on tasks\n        ->  Bitmap Index Scan on ix_tasks_title_key_trgm\n"
            "  ->  Seq Scan on tasks",
            ["Sort", "Bitmap Index Scan on ix_tasks_title_key_trgm", "Seq Scan on tasks"],
        ),
    ],
)
def test_access_paths_are_each_scan_and_sort_once(plan, paths):
    assert growth.access_paths(plan) == paths


TIMES = "created_at TIMESTAMP, updated_at TIMESTAMP"
SCHEMAS = {
    # SQLAlchemy's tasks + task_tags, Django's tasks_task + tasks_tag (with its own id), web2py's
    # task with the tags in the row.
    "sqlalchemy": [
        f"CREATE TABLE tasks (id INTEGER PRIMARY KEY, title TEXT, title_key TEXT, status TEXT, {TIMES})",
        "CREATE TABLE task_tags (task_id INTEGER, tag TEXT, PRIMARY KEY (task_id, tag))",
    ],
    "django": [
        f"CREATE TABLE tasks_task (id INTEGER PRIMARY KEY, title TEXT, title_key TEXT, status TEXT, {TIMES})",
        "CREATE TABLE tasks_tag (id INTEGER PRIMARY KEY, name TEXT, task_id INTEGER, UNIQUE (task_id, name))",
    ],
    "web2py": [
        f"CREATE TABLE task (id INTEGER PRIMARY KEY, title TEXT, title_key TEXT, status TEXT, tags TEXT, {TIMES})"
    ],
}
# How each ORM writes a timestamp into SQLite's text: SQLAlchemy always with microseconds, Django
# as str() does (without them when they are 0), web2py to the second.
STAMPS = {
    "sqlalchemy": lambda moment: moment.isoformat(sep=" ", timespec="microseconds"),
    "django": str,
    "web2py": lambda moment: moment.isoformat(sep=" ", timespec="seconds"),
}


@pytest.mark.parametrize("schema", SCHEMAS)
def test_the_bulk_copy_grows_any_schema_with_its_tags(tmp_path, schema):
    path = tmp_path / "grown.db"
    with sqlite3.connect(path) as db:
        for statement in SCHEMAS[schema]:
            db.execute(statement)
        tasks = "tasks" if schema == "sqlalchemy" else "tasks_task" if schema == "django" else "task"
        for number in range(growth.TEMPLATES):
            title = f"growth {number}"
            # Made through the API a few milliseconds apart; every third one updated a minute later.
            created = datetime(2026, 12, 3, 6, 0, 0, 250_000) + timedelta(milliseconds=7 * number)
            times = (STAMPS[schema](created), STAMPS[schema](created + timedelta(minutes=1 if number % 3 == 0 else 0)))
            if schema == "web2py":
                db.execute(
                    f"INSERT INTO {tasks} (title, title_key, status, tags, created_at, updated_at) "
                    "VALUES (?, ?, 'todo', ?, ?, ?)",
                    (title, title, f"|s{number % 5}|", *times),
                )
            else:
                task_id = db.execute(
                    f"INSERT INTO {tasks} (title, title_key, status, created_at, updated_at) "
                    "VALUES (?, ?, 'todo', ?, ?)",
                    (title, title, *times),
                ).lastrowid
                table, column = ("task_tags", "tag") if schema == "sqlalchemy" else ("tasks_tag", "name")
                db.execute(f"INSERT INTO {table} (task_id, {column}) VALUES (?, ?)", (task_id, f"s{number % 5}"))
    for size in (1_000, 3_000):
        growth.grow(f"sqlite:///{path}", size)
    with sqlite3.connect(path) as db:
        assert db.execute(f"SELECT count(*) FROM {tasks}").fetchone()[0] == 3_000
        if schema == "web2py":
            tagged = db.execute(f"SELECT count(*) FROM {tasks} WHERE tags = '|s1|'").fetchone()[0]
        else:
            table, column = ("task_tags", "tag") if schema == "sqlalchemy" else ("tasks_tag", "name")
            assert db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 3_000
            tagged = db.execute(f"SELECT count(*) FROM {table} WHERE {column} = 's1'").fetchone()[0]
        # Every copy keeps its template's tag: a fifth of the tasks carry s1.
        assert tagged == 600
        # Each copy has a time of its own, older than the templates', in the ORM's own shape, and
        # newest first the copies cycle through the templates rather than lying together.
        rows = db.execute(
            f"SELECT title, created_at, updated_at FROM {tasks} ORDER BY created_at DESC, id DESC"
        ).fetchall()
        copies = rows[growth.TEMPLATES :]
        assert len({created for _, created, _ in copies}) == len(copies) == 3_000 - growth.TEMPLATES
        assert min(created for _, created, _ in rows[: growth.TEMPLATES]) > copies[0][1]
        assert len({title for title, _, _ in copies[: growth.TEMPLATES]}) == growth.TEMPLATES
        assert all(STAMPS[schema](datetime.fromisoformat(created)) == created for _, created, _ in copies)
        lags = {
            title: datetime.fromisoformat(updated) - datetime.fromisoformat(created)
            for title, created, updated in rows[: growth.TEMPLATES]
        }
        assert all(
            datetime.fromisoformat(updated) - datetime.fromisoformat(created) == lags[title]
            for title, created, updated in copies
        )


def frame(function, path, line=1):
    return f"{function} ({path}:{line})"


def test_a_profile_sample_goes_to_its_innermost_owned_frame(monkeypatch):
    site = "/venv/lib/python3.11/site-packages"
    stdlib = "/usr/lib/python3.11"
    shared = str(growth.run.REPO_ROOT / "shared" / "src" / "tasktracker")
    worker = [
        frame("run", f"{site}/gunicorn/workers/sync.py"),
        frame("__call__", f"{site}/django/core/handlers/wsgi.py"),
    ]
    raw = "\n".join(
        [
            # json under the shared serialiser is the shared package's.
            ";".join(
                [
                    *worker,
                    frame("task_to_dict", f"{shared}/serialization.py"),
                    frame("dumps", f"{stdlib}/json/__init__.py"),
                ]
            )
            + " 6",
            # The Django ORM is not Django the framework.
            ";".join([*worker, frame("execute", f"{site}/django/db/models/sql/compiler.py")]) + " 3",
            ";".join(
                [
                    *worker,
                    frame("resolve", f"{site}/django/urls/resolvers.py"),
                    frame("match", f"{stdlib}/re/__init__.py"),
                ]
            )
            + " 1",
            # The access log is observability, wherever the shared package has it.
            ";".join([*worker, frame("log_access", f"{shared}/observability/logging.py")]) + " 2",
            'process 12:"python";' + frame("select", f"{stdlib}/selectors.py") + " 8",
        ]
    )
    summary = summarise(raw)
    assert summary["samples"] == 20
    assert summary["shares"]["shared"] == pytest.approx(0.3)
    assert summary["shares"]["ORM"] == pytest.approx(0.15)
    assert summary["shares"]["framework"] == pytest.approx(0.05)
    assert summary["shares"]["observability"] == pytest.approx(0.1)
    assert summary["shares"]["other"] == pytest.approx(0.4)
    assert summary["top"]["framework"] == [("django/urls/resolvers.py: resolve", pytest.approx(0.05))]


def figures(rps, cpu_us=1000.0, p50_ms=10.0):
    return {
        "rps": rps,
        "rps_min": rps * 0.97,
        "rps_max": rps * 1.03,
        "spread": 0.06,
        "p50_ms": p50_ms,
        "p99_ms": p50_ms * 2,
        "cpu_us": cpu_us,
        "requests": int(rps * 10),
        "discarded": None,
    }


def synthetic_results():
    """Every phase's shape, with a floor at 1000 req/s and each variant at a chosen share of it."""
    shares = {"django": 0.7, "flask": 0.9, "bottle": 0.95, "cherrypy": 0.5, "turbogears": 0.65, "web2py": 0.4}
    operations = list(report.OPERATION_LABELS)
    database = {name: {op: figures(1000 * share) for op in operations} for name, share in shares.items()}
    for floor in ("floor-gunicorn", "floor-cheroot"):
        database[floor] = {op: figures(1000.0) for op in operations}
    database["floor-gunicorn-unobserved"] = {op: figures(1100.0, cpu_us=850.0) for op in operations}
    for name in report.VARIANTS:
        database[f"bare-{name}"] = {"bare": figures(3000.0, cpu_us=300.0)}
    sizes = [1000, 10000]
    profile = {
        "samples": 100,
        "shares": {"framework": 0.3, "ORM": 0.4, "other": 0.3},
        "top": {"framework": [("django/urls/resolvers.py: resolve", 0.1)], "ORM": [("pydal/objects.py: x", 0.2)]},
    }
    return {
        "machine": {
            "when": "2026-12-03 06:00 UTC",
            "cpus": 2,
            "cpu": "test",
            "kernel": "6",
            "python": "3.11",
            "wrk": "wrk 4",
            "quick": False,
            "rounds": 5,
            "seconds": 2,
            "connections": 8,
        },
        "minutes": {"main": 1.0, "growth": 1.0, "endurance": 1.0, "profiles": 1.0},
        "databases": {"sqlite": database, "postgresql": database},
        "growth": {
            "sizes": sizes,
            "queries": {query: label for query, (label, _) in growth.QUERIES.items()},
            **{
                db: {
                    name: {
                        "1000": {q: figures(500.0, p50_ms=10.0) for q in growth.QUERIES},
                        "10000": {q: figures(100.0, p50_ms=40.0 if q == "search" else 20.0) for q in growth.QUERIES},
                        "plans": {
                            q: [{"statement": "SELECT count(*) FROM tasks", "plan": "", "paths": ["SCAN tasks"]}]
                            for q in growth.QUERIES
                        },
                    }
                    for name in report.GROWTH_SERVERS
                }
                for db in ("sqlite", "postgresql")
            },
        },
        "endurance": {
            "target_requests": 100000,
            "target_restarts": 20,
            **{
                name: {
                    "requests": 100000,
                    "restarts": 20,
                    "files": 63,
                    "scrape_ms": 12.0,
                    "scrape_max_ms": 20.0,
                    "exposition_bytes": 12000,
                    "live_answered": 90000,
                    "live_counted": 90005,
                    "live_in_flight_allowance": 168,
                    "errors": 0,
                    "replacement_s": 0.3,
                }
                for name in [*report.VARIANTS, "floor-gunicorn"]
            },
        },
        "profiles": {"seconds": 10, "rate": 200, **{name: profile for name in report.PROFILED}},
    }


def test_the_report_marks_each_target_met_or_missed():
    results = synthetic_results()
    lines = report.targets(results)
    assert "**django** read path ≥ 0.6× the floor: met (0.70× on SQLite, 0.70× on PostgreSQL)" in lines[0]
    assert "**cherrypy** read path ≥ 0.8× the floor: **missed**" in lines[3]
    # The unobserved floor spends 850 µs where the observed one spends 1000: 15 %, over the 10 % target.
    assert any("Observability ≤ 10 %" in line and "**missed** (15 %)" in line for line in lines)
    # search grew 4× (10 → 40 ms): over the 3× target; list and filter grew 2×.
    assert any("**flask** list queries" in line and "**missed**" in line and "search" in line for line in lines)
    assert lines[-1].endswith("met by every server.")


def test_the_observability_target_takes_the_median_pair_when_there_are_pairs():
    results = synthetic_results()
    postgresql = dict(results["databases"]["postgresql"])
    postgresql["floor-gunicorn"] = dict(postgresql["floor-gunicorn"])
    postgresql["floor-gunicorn"]["observability_pairs"] = [
        {"observed_cpu_us": 1000.0, "unobserved_cpu_us": 950.0},
        {"observed_cpu_us": 1000.0, "unobserved_cpu_us": 930.0},
        {"observed_cpu_us": 1000.0, "unobserved_cpu_us": 960.0},
        {"discarded": "floor-gunicorn: 3 errors in pair 4"},
    ]
    results["databases"]["postgresql"] = postgresql
    lines = report.targets(results)
    # SQLite has no pairs: the cells' 15 %. PostgreSQL: the median of the three kept pairs, 5 %.
    assert any("SQLite: **missed** (15 %)" in line for line in lines)
    assert any("PostgreSQL: met (5 %, the median of 3 pairs)" in line for line in lines)
    block = report.measured_block(results, [], [])
    assert "- PostgreSQL, GET /api/tasks/{id}, 3 pairs back to back: 50 µs, 5 % " in block
    assert "(pairs from 4 % to 7 %)" in block


def test_the_report_renders_every_section(tmp_path):
    results = synthetic_results()
    block = report.measured_block(results, ["![read](x.svg)", "![cpu](y.svg)"], ["![growth](z.svg)"])
    for heading in (
        "## The targets",
        "## Where the read path's CPU goes",
        "### `/metrics` after 100,000 requests",
        "## How cost grows with data",
        "#### PostgreSQL",
        "## The frameworks' bare endpoints",
    ):
        assert heading in block
    assert "| django | list: newest first, 20 items | 10.0 (500) | 20.0 (100) | 2.0× met |" in block
    assert "runs at 0.50×" in report.readme_line(results, "cherrypy")
