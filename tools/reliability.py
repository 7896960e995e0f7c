"""The fault suite (``reliability/``) against every variant, written to ``docs/RELIABILITY.md``.

    python tools/reliability.py run      # tox -e reliability: every variant on SQLite, and on
                                         # PostgreSQL when DATABASE_URL is set, then render
    python tools/reliability.py render   # docs/RELIABILITY.md from the results in build/reliability/
    python tools/reliability.py --check  # fail if its method part is stale (tox -e docs-check)

``run`` prepares every variant's own tox env, then runs ``pytest reliability --variant NAME`` in
each, one at a time (the tests time answers, and two servers at once would share the CPUs), with
``--figures`` writing what each test measured and how it ended; then, per database,
``reliability/differential.py`` with all six at once. It exits non-zero when a test failed,
after rendering. ``RELIABILITY_JOBS=2`` runs the SQLite and the PostgreSQL passes side by side
(CI does, to save time; the figures are then measured on a shared machine, and the page's are
not measured so).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import markdown

import regions
import variants

REPO_ROOT = variants.REPO_ROOT
RESULTS_DIR = REPO_ROOT / "build" / "reliability"
PAGE_PATH = REPO_ROOT / "docs" / "RELIABILITY.md"
REBUILD_COMMAND = "DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres tox -e reliability"
DATABASES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
SUITE_TIMEOUT_SECONDS = 900
# The tests, by the key their figures go under, in the order of the summary.
TESTS = {
    key: (f"{module}::{function}", title)
    for key, module, function, title in (
        ("outage", "test_database_outage.py",
         "test_every_task_route_answers_503_quickly_while_the_database_is_gone_and_recovers", "database outage"),
        ("outage_burst", "test_database_outage.py",
         "test_a_cut_in_the_middle_of_a_write_burst_loses_no_acknowledged_write", "cut mid-burst"),
        ("sigterm", "test_shutdown_under_load.py",
         "test_sigterm_under_load_completes_what_it_accepted_and_refuses_the_rest", "SIGTERM under load"),
        ("sigterm_edge", "test_shutdown_under_load.py",
         "test_sigterm_under_load_behind_the_edge_answers_every_write", "SIGTERM behind the edge"),
        ("kill9", "test_kill9.py", "test_kill_9_during_a_write_burst_loses_no_acknowledged_write", "kill -9 mid-burst"),
        ("idle", "test_idle_clients.py",
         "test_stalled_clients_do_not_keep_a_new_one_waiting_behind_the_edge", "100 stalled clients"),
        ("cardinality", "test_metric_cardinality.py", "test_random_paths_and_methods_add_no_series", "metric series"),
        ("fuzz", "test_fuzz.py", "test_schemathesis_finds_nothing_the_baseline_does_not_explain", "schemathesis"),
        ("differential", "differential.py", "test_all_six_answer_every_sequence_alike", "differential"),
    )
}  # fmt: skip
# The differential run starts all six at once; its results are filed under this name.
DIFFERENTIAL = "differential"
SYMBOL = {"passed": "✔", "failed": "✘", "deviation": "⚠", "skipped": "➖"}


# --- running -----------------------------------------------------------------------------------


def run_suite(name: str, database: str, database_url: str | None, env_dir: Path, env_dirs: dict[str, Path]) -> int:
    """One variant's run of the suite, or (``name`` DIFFERENTIAL) the differential run of all six."""
    stem = RESULTS_DIR / f"{name}--{database}"
    if name == DIFFERENTIAL:
        target = ["reliability/differential.py", *(f"--variant-env={key}={value}" for key, value in env_dirs.items())]
    else:
        target = ["reliability", "--variant", name]
    command = [
        str(env_dir / "bin" / "python"), "-m", "pytest", *target,
        "-p", "no:cacheprovider", "-q", "--durations=0", f"--figures={stem}.json",
    ]  # fmt: skip
    if database_url:
        command += ["--database-url", database_url]
    environment = variants.env_environment(env_dir)
    started = time.monotonic()
    with open(f"{stem}.log", "wb") as log_file:
        exit_code = subprocess.run(
            command, cwd=REPO_ROOT, env=environment, stdout=log_file, stderr=subprocess.STDOUT,
            timeout=SUITE_TIMEOUT_SECONDS,
        ).returncode  # fmt: skip
    seconds = time.monotonic() - started
    print(f"reliability: {name} on {DATABASES[database]}: exit code {exit_code} after {seconds:.0f} s", flush=True)
    if exit_code != 0:
        sys.stdout.write(Path(f"{stem}.log").read_text(errors="replace")[-4000:])
    return exit_code


def run() -> int:
    names = [variant.name for variant in regions.ordered_variants()]
    suites: list[tuple[str, str | None]] = [("sqlite", None)]
    if os.environ.get("DATABASE_URL"):
        suites.append(("postgresql", os.environ["DATABASE_URL"]))
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    for old in RESULTS_DIR.iterdir():
        old.unlink()
    env_dirs = variants.prepare_tox_envs(names, 2, variants.clean_environment())
    machine = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "kernel": platform.release(),
    }
    machine["passes_at_once"] = int(os.environ.get("RELIABILITY_JOBS") or 1)
    (RESULTS_DIR / "machine.json").write_text(json.dumps(machine) + "\n", encoding="utf-8")

    def run_pass(database: str, database_url: str | None) -> list[int]:
        return [
            run_suite(name, database, database_url, env_dirs.get(name, env_dirs[names[0]]), env_dirs)
            for name in [*names, DIFFERENTIAL]
        ]

    jobs = int(os.environ.get("RELIABILITY_JOBS") or 1)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        exit_codes = [code for codes in pool.map(lambda suite: run_pass(*suite), suites) for code in codes]
    render()
    return max(exit_codes)


# --- the page ----------------------------------------------------------------------------------


def load_results() -> dict[tuple[str, str], dict]:
    found = {}
    for path in sorted(RESULTS_DIR.glob("*--*.json")):
        name, database = path.stem.split("--")
        found[(name, database)] = json.loads(path.read_text(encoding="utf-8"))
    return found


def outcome_cell(result: dict | None, key: str) -> str:
    if result is None:
        return "not run"
    outcome = result["outcomes"].get(TESTS[key][0])
    if outcome is None:
        return "not run"
    return SYMBOL[outcome["outcome"]]


def seconds(value: float | None, timeout: float | None = None) -> str:
    if value is None:
        return f"no answer in {timeout:g} s" if timeout else "–"
    return f"{value:.2f} s"


def figure(result: dict | None, key: str) -> dict | None:
    return None if result is None else result["figures"].get(key)


def summary_table(results: dict, names: list[str]) -> str:
    rows = []
    for database, label in DATABASES.items():
        for name in names:
            result = results.get((name, database))
            if result is None:
                continue
            differential = results.get((DIFFERENTIAL, database))
            rows.append([
                name, label,
                *(outcome_cell(differential if key == "differential" else result, key) for key in TESTS),
            ])  # fmt: skip
    return markdown.table(["variant", "database", *(title for _, title in TESTS.values())], rows)


def failures(results: dict) -> list[str]:
    """Every failure and known deviation, with its message or registered reason."""
    lines = []
    for (name, database), result in sorted(results.items()):
        for test, outcome in sorted(result["outcomes"].items()):
            if outcome["outcome"] in ("failed", "deviation"):
                symbol = SYMBOL[outcome["outcome"]]
                lines.append(f"- {symbol} **{name}** on {DATABASES[database]}, `{test}`: {outcome.get('message', '')}")
    return lines


BURST_COLUMNS = ("writes", "acknowledged", "unavailable", "lost", "half_written")


def outage_table(results: dict, names: list[str]) -> str:
    rows = []
    for name in names:
        result = results.get((name, "postgresql"))
        outage, burst = figure(result, "outage"), figure(result, "outage_burst")
        if not outage and not burst:
            continue
        rows.append([
            name,
            seconds(outage["slowest_503_seconds"]) if outage else "–",
            seconds(outage["recovery_seconds"]) if outage else "–",
            *([str(burst[key]) for key in BURST_COLUMNS] if burst else ["–"] * len(BURST_COLUMNS)),
        ])  # fmt: skip
    header = ["variant", "slowest 503", "first success after restore", "burst writes", "answered 201"]
    header += ["answered 503", "201s lost", "half-written"]
    return markdown.table(header, rows, numbers_right=True)


def writes_table(results: dict, names: list[str], key: str, columns: dict[str, str]) -> str:
    rows = []
    for database, label in DATABASES.items():
        for name in names:
            found = figure(results.get((name, database)), key)
            if found:
                rows.append([name, label, *(str(found.get(column, "–")) for column in columns)])
    return markdown.table(["variant", "database", *columns.values()], rows, numbers_right=True)


def idle_table(results: dict, names: list[str]) -> str:
    rows = []
    for name in names:
        found = figure(results.get((name, "sqlite")), "idle")
        if found:
            bare = found["bare_seconds"]
            survives = "yes" if bare is not None and bare <= 1.0 else "no"
            rows.append([
                name,
                str(found["stalled"]),
                seconds(bare, found["probe_timeout_seconds"]),
                seconds(found["edge_seconds"], found["probe_timeout_seconds"]),
                survives,
            ])  # fmt: skip
    return markdown.table(
        ["variant", "stalled connections", "bare: answered in", "behind the edge", "survives bare"], rows
    )


def cardinality_table(results: dict, names: list[str]) -> str:
    rows = []
    for name in names:
        found = figure(results.get((name, "sqlite")), "cardinality")
        if found:
            statuses = ", ".join(f"{status}: {count}" for status, count in found["statuses"].items())
            rows.append(
                [name, str(found["requests"]), str(found["series_before"]), str(found["series_after"]), statuses]
            )
    return markdown.table(["variant", "random requests", "series before", "series after", "statuses answered"], rows)


def fuzz_table(results: dict, names: list[str]) -> str:
    rows = []
    for database, label in DATABASES.items():
        for name in names:
            found = figure(results.get((name, database)), "fuzz")
            if found:
                phases = ", ".join(phase for phase, status in found["phases"].items() if status == "success")
                rows.append([
                    name, label, str(found["requests"]), str(found["test_cases"]), str(found["findings"]),
                    str(found["known"]), phases, f"{found['seconds']:.0f} s",
                ])  # fmt: skip
    header = ["variant", "database", "requests fuzzed", "test cases", "findings", "baseline entries matched"]
    return markdown.table([*header, "phases run", "time"], rows, numbers_right=True)


def differential_table(results: dict) -> str:
    rows = []
    for database, label in DATABASES.items():
        result = results.get((DIFFERENTIAL, database))
        found = figure(result, "differential")
        if found:
            rows.append([label, str(found["examples"]), str(found["steps"]), str(found["steps"] * found["variants"])])
    return markdown.table(
        ["database", "sequences (examples)", "steps", "requests (six per step)"], rows, numbers_right=True
    )


def measured_block(results: dict) -> str:
    names = [variant.name for variant in regions.ordered_variants()]
    machine_path = RESULTS_DIR / "machine.json"
    machine = json.loads(machine_path.read_text(encoding="utf-8")) if machine_path.is_file() else {}
    failed = failures(results)
    parts = [
        markdown.MEASURED_BEGIN,
        f"Measured {machine.get('when', '?')} on {machine.get('cpus', '?')} CPUs, Linux {machine.get('kernel', '?')}, "
        f"Python {machine.get('python', '?')} (the tests' own; each variant runs in its tox env)"
        + (
            f", with {machine['passes_at_once']} database passes at once."
            if machine.get("passes_at_once", 1) > 1
            else ", one test at a time."
        ),
        "## Every fault, survived or not",
        f"{SYMBOL['passed']} survived, {SYMBOL['failed']} not, {SYMBOL['deviation']} not, a known deviation "
        "([reliability/deviations.toml](../reliability/deviations.toml), its reason below), "
        f"{SYMBOL['skipped']} does not apply (a connection to "
        "cut needs a network between the variant and its database; stalled clients and metric series do not "
        "depend on the database, and run on SQLite only).",
        summary_table(results, names),
        "\n".join(failed) if failed else "No test failed, and none is a known deviation.",
        "## Database outage (PostgreSQL behind a proxy the test cuts)",
        outage_table(results, names),
        "## SIGTERM while 20 clients write",
        writes_table(
            results,
            names,
            "sigterm",
            {
                "writes": "writes sent",
                "acknowledged": "answered 201",
                "refused": "refused after the stop",
                "unanswered": "reset unanswered",
                "broken": "broken off",
                "lost": "201s lost",
                "exit_seconds": "exit after SIGTERM, s",
            },
        ),
        "Bare, a connection that arrives after SIGTERM waits in the kernel's accept queue until the last process "
        "closes the listening socket, and is then reset unanswered (gunicorn: benoitc/gunicorn#3397; Cheroot "
        "alike): the *reset unanswered* column, a figure, not a test. Behind the edge, nginx answers those with "
        "the spec's 503 problem, and that is the test:",
        writes_table(
            results,
            names,
            "sigterm_edge",
            {
                "writes": "writes sent",
                "acknowledged": "answered 201",
                "unavailable": "answered 503 by the edge",
                "unanswered": "reset unanswered",
                "broken": "broken off",
                "lost": "201s lost",
                "exit_seconds": "exit after SIGTERM, s",
            },
        ),
        "## kill -9 in the middle of a write burst",
        writes_table(
            results,
            names,
            "kill9",
            {
                "writes": "writes sent",
                "acknowledged": "answered 201",
                "in_flight": "in flight at the kill",
                "lost": "201s lost",
                "half_written": "half-written",
                "unacknowledged_kept": "unanswered, kept whole",
            },
        ),
        "## 100 clients that send half a request line and stall",
        "A new `GET /health/live`, with the stalled connections open: bare, on the variant's own server, and "
        "behind the edge of docker-compose.yml ([deploy/nginx](../deploy/nginx/nginx.conf)). The test is the "
        "second figure (within 1 s); the first says which servers survive without a buffering proxy.",
        idle_table(results, names),
        "## Metric series after 10,000 random requests",
        cardinality_table(results, names),
        "## Fuzzing from docs/openapi.yaml (schemathesis)",
        "Requests fuzzed are the server's own count (`http_requests_total`) over the run. A finding is a "
        "failure the baseline ([reliability/schemathesis-baseline.json](../reliability/schemathesis-baseline.json)) "
        "does not explain; the baseline's entries are the tool's mistakes, each with its reason.",
        fuzz_table(results, names),
        "## Differential: one sequence, six variants",
        "The sequences run and steps sent to all six at once; any difference in status, the spec's headers or "
        "the body (ids and timestamps normalised) fails the run.",
        differential_table(results),
        markdown.MEASURED_END,
    ]
    return "\n\n".join(parts)


METHOD = """## Method

[`reliability/`](../reliability) is a pytest suite over the contract suite's harness: each test
starts its own instances of one variant (its serve command, two workers, a fresh database) and
stops them with SIGTERM, expecting exit code 0. `tools/reliability.py run` runs it for every
variant in the variant's own tox env, one variant at a time, on SQLite and on PostgreSQL.

- **Database outage.** [`reliability/proxy.py`](../reliability/proxy.py), an asyncio TCP proxy
  in the test, stands between the variant and PostgreSQL. Cut, it resets every connection it
  holds and every new one. Every task route must answer `503 unavailable` within 2 s, readiness
  503 and liveness 200; restored, the first success must come within 5 s, without a restart.
  Then 8 clients write while the proxy is cut for half a second: every write answered 201 must be
  there afterwards, and every task there must be whole (its description, priority and tags as
  sent).
- **SIGTERM under load.** 20 clients write, each on a new connection per request. After 100
  writes the server gets SIGTERM; each client writes on until a connection is refused. No write
  may be broken off (a truncated answer, a status other than 201 or the spec's 503), at least one
  connection must be refused, the
  process must exit 0 within 10 s, and after a restart on the same database every write answered
  201 must be there, whole. A connection reset unanswered is counted, not failed: it was still in
  the kernel's accept queue. The same again behind the edge: there every write must be answered
  201 or 503, and none reset.
- **kill -9.** 8 clients write; after 150 writes the whole process group gets SIGKILL. After a
  restart, every write answered 201 must be there, whole. SQLite: every variant sets
  `journal_mode=WAL` and leaves `synchronous` at SQLite's default, `FULL`; each commit is in the
  WAL file, through `write()`, before its 201 is sent, and a killed process cannot take back what
  the kernel holds. `FULL` also syncs the WAL on each commit, which is what survives a power cut
  (not tested here).
- **Stalled clients.** 100 connections send `GET /health/live HT` and stall; half a second later
  a new client's `GET /health/live` must be answered within 1 s behind the edge. The bare figure
  waits at most 3 s.
- **Metric series.** One request of each of 8 path shapes with each of 10 methods (`BREW` and
  `PROPFIND` among them), then 10,000 more drawn from the same shapes with random text, from 8
  threads: the set of series in `/metrics` must not change, only the counts.
- **Fuzzing.** [`reliability/test_fuzz.py`](../reliability/test_fuzz.py) runs `schemathesis run
  docs/openapi.yaml --checks all` against the variant with the phases examples, coverage, fuzzing
  and stateful (the document's links: create → get, patch and delete with the task's ETag), seeded,
  25 examples per operation (`RELIABILITY_FUZZ_EXAMPLES`; `RELIABILITY_FUZZ_SECONDS` repeats the
  fuzzing and stateful phases until that time is spent). Zero findings is the bar.
- **Differential.** [`reliability/differential.py`](../reliability/differential.py) starts all
  six on fresh databases and sends each Hypothesis-drawn sequence (creates, patches with and
  without `If-Match`, reads with `If-None-Match`, deletes, list queries with random and broken
  filters, malformed bodies and media types, odd paths and methods) to each in turn, each
  sequence from an empty table; the answers must be equal once ids (by order of first sight) and
  timestamps are normalised. Derandomised, 60 sequences of up to 12 steps
  (`RELIABILITY_DIFFERENTIAL_EXAMPLES`); a difference fails with the shrunk sequence.
"""


def document(measured: str) -> str:
    return "\n\n".join([
        f"<!-- Generated by tools/reliability.py; do not edit. Rebuild: {REBUILD_COMMAND} -->",
        "# Reliability",
        "What each variant does when its database goes away, when it is stopped or killed in the "
        "middle of writes, when clients stall, and when it is sent requests nobody wrote a test for. "
        "The contract suite ([PARITY.md](PARITY.md)) proves the cases someone thought of; this page "
        "is about the rest.",
        measured,
        METHOD.strip(),
    ]) + "\n"  # fmt: skip


def render() -> int:
    PAGE_PATH.write_text(document(measured_block(load_results())), encoding="utf-8")
    print(f"reliability: wrote {PAGE_PATH.relative_to(REPO_ROOT)}", flush=True)
    return 0


def main(argv: list[str]) -> int:
    match argv:
        case ["run"]:
            return run()
        case ["render"]:
            return render()
        case ["--check"]:
            committed = markdown.committed_measured_block(PAGE_PATH, "tox -e reliability")
            if not PAGE_PATH.is_file() or PAGE_PATH.read_text(encoding="utf-8") != document(committed):
                print(
                    f"reliability: {PAGE_PATH.name} is stale (its method); rebuild: {REBUILD_COMMAND}", file=sys.stderr
                )
                return 1
            return 0
        case _:
            raise SystemExit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
