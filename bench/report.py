"""docs/PERFORMANCE.md and its charts, from the results of ``bench/run.py``.

    python bench/report.py build/bench/results.json     # write docs/PERFORMANCE.md and docs/performance/*.svg
    python bench/report.py --smoke build/bench/smoke.json   # the same into build/bench/, for the CI smoke
    python bench/report.py --check                      # fail if the document's method part is stale

The measured part lies between the ``measured`` comments and is left out of the stale check, as
COMPARISON.md's is: it depends on the machine and the day.
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PERFORMANCE_PATH = REPO_ROOT / "docs" / "PERFORMANCE.md"
CHARTS_DIR = REPO_ROOT / "docs" / "performance"
MEASURED_BEGIN = "<!-- measured:begin (machine-dependent; the stale check skips this part) -->"
MEASURED_END = "<!-- measured:end -->"
VARIANTS = ["django", "flask", "bottle", "cherrypy", "turbogears", "web2py"]
# The floor on the same server: Cheroot for CherryPy, gunicorn for the rest.
FLOOR_OF = {name: "floor-cheroot" if name == "cherrypy" else "floor-gunicorn" for name in VARIANTS}
# The targets for the read path, as a share of the floor's req/s.
READ_TARGETS = {"bottle": 0.8, "cherrypy": 0.8, "flask": 0.7, "django": 0.6, "turbogears": 0.6, "web2py": 0.6}
OPERATION_LABELS = {
    "get": "GET /api/tasks/{id}",
    "list": "list (status, sort, 20 items)",
    "stats": "GET /api/tasks/stats",
    "create": "POST /api/tasks",
    "patch": "PATCH /api/tasks/{id}",
    "live": "GET /health/live",
    "metrics": "GET /metrics",
}
DATABASE_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}

METHOD = """## Method

Everything above the method is rebuilt by `tox -e bench` (`bench/run.py`, then `bench/report.py`),
in four phases that `-- --phase NAME` runs one at a time into the same results (`main`, `growth`,
`endurance`, `profiles`). `BENCH_QUICK=1` gives a run of seconds per cell, and `.ci/run` runs
`BENCH_QUICK=1 tox -e bench -- --smoke` (every phase, small, on SQLite, into `build/bench/`),
which fails on a socket error or a non-2xx response and asserts nothing about the figures.

- **What runs.** Each variant as in production: its `migrate` then its `serve` command from its
  own tox env, with the spec's JSON access log and metrics on, `WEB_CONCURRENCY=1` (one worker
  process; gunicorn's workers are sync, so it serves one request at a time) and `THREAD_POOL=8`
  where the server has threads (CherryPy's Cheroot). Two floors run the same service, repository,
  HTTP rules, serialisers and observation middleware with no framework at all
  ([`bench/floor.py`](../bench/floor.py), one page of WSGI; before anything is measured it must pass
  the whole contract suite but `GET /api`'s variant check): on gunicorn with the gunicorn variants'
  shared settings, and on Cheroot for the comparison with CherryPy. A third runs the gunicorn floor
  with the access log and the metrics left out (`BENCH_OBSERVABILITY=0`). Each framework's bare
  endpoint ([`bench/bare/`](../bench/bare/)) is the smallest app it needs to answer `{"ok": true}`,
  on the variant's server configuration.
- **Where.** Every server is pinned to CPU 0 (`taskset`), wrk to CPU 1, with 1 thread and 8
  connections for every cell. PostgreSQL 15 runs on the same machine, unpinned. Traffic goes only
  to 127.0.0.1.
- **The main phase.** Per database, every server is started, migrated and seeded with 60 tasks. A
  warm-up run of each cell, then the rounds: in each, every server and every operation in turn,
  the order of the servers reversed on every other round. A cell's figure is the median of its
  rounds, with the min–max range; a cell whose spread is over 10 % is measured again, once, and
  marked. Any socket error or non-2xx response discards the cell, and the table says so. Tasks a
  `POST` cell made are deleted after it, so that every server lists and counts the same rows.
- **What is measured.** req/s as wrk counts it; p50 and p99 latency, which are closed-loop (wrk
  waits for each response before it sends the next on a connection, so they are not the latency a
  client would see under a fixed arrival rate); server CPU per request, the user + system time of
  the server's whole process tree (`/proc/<pid>/stat`) over a wrk run, divided by its requests;
  PSS of the tree after the run (`/proc/<pid>/smaps_rollup`).
- **Noise.** A figure marked *noisy* kept a spread over 10 % when it was measured again: something
  the bench cannot see was using the machine (these are shared virtual CPUs), and its ratios are
  not to be trusted. A variant cannot really beat its floor, which does a subset of its work, so a
  ratio above 1 is noise too. Rerun `tox -e bench` on a quiet machine before quoting either.
- **Ratios.** `÷ floor` divides a variant's req/s by its floor's on the same database;
  `÷ bare` by its framework's bare endpoint. CPU ratios divide the other way round, so that
  above 1 always means "costs more".
- **Growth** ([`bench/growth.py`](../bench/growth.py)). Per database and server, a fresh database:
  100 template tasks made through the API (so each variant stores them its own way; one in a
  hundred has the searched word in its title, another in its description), then the bulk command,
  which copies those rows (tags included) by SQL up to 1k, 10k and 100k tasks. Each copy gets a time
  of its own, a second older than the copy after it, so that the copies of the templates interleave
  in `created_at` order as real data does; on PostgreSQL the command then runs `VACUUM (ANALYZE)`,
  as autovacuum would. At each size, a primer and 3 runs of each query.
  At the largest size, PostgreSQL's `auto_explain` (set on the bench's database only, for a
  restart of the server) logs the plan of every statement one request of each query sends;
  SQLite's `EXPLAIN QUERY PLAN` is taken of the statements the SQLAlchemy repository sends, caught
  on their way to the driver.
  One thing to read the growth figures by: a page must come with its exact `total` (spec 4.3), so
  every list query counts its matches, and one that matches a fixed share of the tasks counts 100
  times more rows at 100k than at 1k, whatever the index: the plain list counts every task, the
  filter one task in 15, and stats reads every row by definition. The index serves the page; the
  count is what grows.
- **Endurance** ([`bench/endurance.py`](../bench/endurance.py)). On SQLite, each server gets a
  second of every operation (so each route's series exist), then `GET /health/live` in slices up to
  100k requests, a gunicorn worker stopped gracefully after each of 20 slices (SIGTERM, as
  `max_requests` recycles one) and its replacement awaited. Then 20 scrapes, one at a time: their
  median and maximum, the multiprocess files prometheus-client left, and the `/health/live` count
  the scrape shows against the requests wrk saw answered (it may exceed them by the requests in
  flight when each wrk run stopped and by the probe that saw each new worker answer, never fall
  short).
- **Profiles** ([`bench/profiles.py`](../bench/profiles.py)). py-spy records each server's process
  tree under `GET /api/tasks/{id}` on SQLite, sampling only the thread holding the GIL; a sample is
  charged to its innermost frame that is not the standard library's. SQLite runs inside the server,
  in C, so its time shows under the ORM frame that called it.
- **Not measured yet** (issue "Performance, measured side by side"): token authentication on every
  request, once spec 2.0 lands.
"""


def fmt(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def cell(results: dict, server: str, operation: str) -> dict | None:
    found = results.get(server, {}).get(operation)
    return None if not found or found.get("discarded") else found


def ratio(numerator: float | None, denominator: float | None) -> str:
    if not numerator or not denominator:
        return "–"
    return f"{numerator / denominator:.2f}×"


SPREAD_LIMIT = 0.10


def noisy(*cells: dict | None) -> bool:
    """A cell still spread over 10 % after its second measurement: the machine was not quiet."""
    return any(found and found.get("spread", 0) > SPREAD_LIMIT for found in cells)


def headline_table(databases: dict) -> list[str]:
    rows = [
        "| variant | database | req/s | ÷ floor | target | ÷ bare | CPU µs/req | CPU ÷ floor |",
        "|---|---|--:|--:|--:|--:|--:|--:|",
    ]
    bare_results = databases.get("sqlite", {})
    for name in VARIANTS:
        for database, results in databases.items():
            own, floor = cell(results, name, "get"), cell(results, FLOOR_OF[name], "get")
            bare = cell(bare_results, f"bare-{name}", "bare")
            if own is None:
                rows.append(f"| {name} | {DATABASE_LABELS[database]} | discarded | | | | | |")
                continue
            floor_rps, floor_cpu = (floor or {}).get("rps"), (floor or {}).get("cpu_us")
            met = floor_rps and own["rps"] / floor_rps >= READ_TARGETS[name]
            target = f"{READ_TARGETS[name]:.1f}× {'met' if met else 'missed'}"
            figures = [
                fmt(own["rps"]),
                ratio(own["rps"], floor_rps) + (" (noisy)" if noisy(own, floor) else ""),
                target,
                ratio(own["rps"], (bare or {}).get("rps")),
                fmt(own["cpu_us"]),
                ratio(own["cpu_us"], floor_cpu),
            ]
            rows.append(f"| {name} | {DATABASE_LABELS[database]} | " + " | ".join(figures) + " |")
    return rows


def figure_cells(found: dict) -> str:
    """A cell's req/s with its range, its latencies and its CPU per request, as three columns."""
    if found.get("discarded"):
        return f"discarded: {found['discarded']} | | "
    repeated = " (measured again)" if "repeated_after_spread" in found else ""
    if noisy(found):
        repeated += f", spread {found['spread'] * 100:.0f} %"
    return (
        f"{fmt(found['rps'])} ({fmt(found['rps_min'])}–{fmt(found['rps_max'])}){repeated} "
        f"| {found['p50_ms']:.2f} / {found['p99_ms']:.2f} | {fmt(found['cpu_us'])}"
    )


def operations_table(results: dict, names: list[str]) -> list[str]:
    rows = [
        "| server | operation | req/s (min–max) | p50 / p99 ms | CPU µs/req |",
        "|---|---|--:|--:|--:|",
    ]
    for name in names:
        for operation, label in OPERATION_LABELS.items():
            found = results.get(name, {}).get(operation)
            if found is not None:
                rows.append(f"| {name} | {label} | {figure_cells(found)} |")
    return rows


def observability_table(databases: dict) -> list[str]:
    rows = ["| database | operation | floor CPU µs/req | without logging and metrics | cost |", "|---|---|--:|--:|--:|"]
    for database, results in databases.items():
        for operation, label in OPERATION_LABELS.items():
            observed = cell(results, "floor-gunicorn", operation)
            bare = cell(results, "floor-gunicorn-unobserved", operation)
            if observed and bare and observed["cpu_us"] and bare["cpu_us"]:
                cost = observed["cpu_us"] - bare["cpu_us"]
                share = cost / observed["cpu_us"] * 100
                rows.append(
                    f"| {DATABASE_LABELS[database]} | {label} | {fmt(observed['cpu_us'])} | {fmt(bare['cpu_us'])} "
                    f"| {fmt(cost)} µs ({share:.0f} %) |"
                )
    return rows


def paired_observability(results: dict) -> dict | None:
    """The read path's observability cost from the back-to-back pairs: the median share and its range."""
    pairs = [
        each for each in results.get("floor-gunicorn", {}).get("observability_pairs", []) if "discarded" not in each
    ]
    if not pairs:
        return None
    costs = [each["observed_cpu_us"] - each["unobserved_cpu_us"] for each in pairs]
    shares = [cost / each["observed_cpu_us"] for cost, each in zip(costs, pairs, strict=True)]
    return {
        "pairs": len(pairs),
        "cost_us": statistics.median(costs),
        "share": statistics.median(shares),
        "share_min": min(shares),
        "share_max": max(shares),
    }


def paired_observability_lines(databases: dict) -> list[str]:
    lines = []
    for database, results in databases.items():
        paired = paired_observability(results)
        if paired:
            lines.append(
                f"- {DATABASE_LABELS[database]}, GET /api/tasks/{{id}}, {paired['pairs']} pairs back to back: "
                f"{fmt(paired['cost_us'])} µs, {paired['share'] * 100:.0f} % of the floor's CPU per request "
                f"(pairs from {paired['share_min'] * 100:.0f} % to {paired['share_max'] * 100:.0f} %)."
            )
    return lines


def paired_observability_section(databases: dict) -> list[str]:
    lines = paired_observability_lines(databases)
    if not lines:
        return []
    intro = (
        "Two near figures make a noisy difference, so the read path is measured again in pairs, the two floors "
        "back to back (the one first that went second in the pair before); the targets above take the median pair:"
    )
    return [intro, "\n".join(lines)]


def bare_table(results: dict) -> list[str]:
    rows = ["| framework | req/s (min–max) | p50 / p99 ms | CPU µs/req |", "|---|--:|--:|--:|"]
    for name in VARIANTS:
        found = results.get(f"bare-{name}", {}).get("bare")
        if found:
            rows.append(f"| {name} | {figure_cells(found)} |")
    return rows


def memory_table(databases: dict, names: list[str]) -> list[str]:
    header = "| server | " + " | ".join(f"PSS, {DATABASE_LABELS[d]}" for d in databases) + " | /metrics scrape |"
    rows = [header, "|---|" + "--:|" * (len(databases) + 1)]
    for name in names:
        values = [fmt(databases[d].get(name, {}).get("pss_mib"), 1) + " MiB" for d in databases]
        scrape = databases.get("sqlite", {}).get(name, {}).get("metrics_scrape_ms")
        rows.append(f"| {name} | " + " | ".join(values) + f" | {fmt(scrape, 1)} ms |")
    return rows


def charts(databases: dict, directory: Path) -> list[str]:
    """SVG charts; their Markdown image lines (relative to docs/)."""
    import matplotlib

    matplotlib.use("svg")
    import matplotlib.pyplot as plt

    # Reproducible SVGs: no random ids, no date.
    matplotlib.rcParams["svg.hashsalt"] = "tasktracker-bench"
    directory.mkdir(parents=True, exist_ok=True)
    lines = []
    figure, axes = plt.subplots(figsize=(8, 3.6))
    width = 0.8 / max(1, len(databases))
    for index, (database, results) in enumerate(databases.items()):
        ratios, shaky = [], []
        for name in VARIANTS:
            own, floor = cell(results, name, "get"), cell(results, FLOOR_OF[name], "get")
            ratios.append(own["rps"] / floor["rps"] if own and floor else 0)
            shaky.append(noisy(own, floor))
        bars = axes.bar(
            [i + index * width for i in range(len(VARIANTS))], ratios, width, label=DATABASE_LABELS[database]
        )
        for bar, is_noisy in zip(bars, shaky, strict=True):
            if is_noisy:  # hatched: spread over 10 % after a second measurement
                bar.set_hatch("//")
                bar.set_alpha(0.55)
    axes.scatter(
        [i + width * (len(databases) - 1) / 2 for i in range(len(VARIANTS))],
        [READ_TARGETS[name] for name in VARIANTS],
        marker="_",
        s=400,
        color="black",
        label="target",
        zorder=3,
    )
    axes.set_xticks([i + width * (len(databases) - 1) / 2 for i in range(len(VARIANTS))], VARIANTS)
    axes.set_ylabel("req/s ÷ floor's")
    axes.set_title(
        "GET /api/tasks/{id}: each variant's throughput as a share of the no-framework floor's\n"
        "(hatched: noisy, a spread over 10 % after a second measurement; not to be quoted)",
        fontsize="medium",
    )
    axes.axhline(1, color="grey", linewidth=0.5)
    axes.legend(fontsize="small")
    figure.tight_layout()
    figure.savefig(directory / "read-path-ratio.svg", metadata={"Date": None})
    plt.close(figure)
    lines.append("![Read path: req/s ÷ the floor's](performance/read-path-ratio.svg)")

    for database, results in databases.items():
        figure, axes = plt.subplots(figsize=(9, 3.8))
        names = [*VARIANTS, "floor-gunicorn", "floor-cheroot"]
        operations = list(OPERATION_LABELS)
        width = 0.8 / len(operations)
        for index, operation in enumerate(operations):
            values = [(cell(results, name, operation) or {}).get("cpu_us") or 0 for name in names]
            axes.bar([i + index * width for i in range(len(names))], values, width, label=OPERATION_LABELS[operation])
        axes.set_xticks([i + 0.4 - width / 2 for i in range(len(names))], names, fontsize="small")
        axes.set_ylabel("server CPU µs per request")
        axes.set_title(f"CPU per request, {DATABASE_LABELS[database]}")
        axes.legend(fontsize="x-small", ncol=2)
        figure.tight_layout()
        figure.savefig(directory / f"cpu-{database}.svg", metadata={"Date": None})
        plt.close(figure)
        lines.append(f"![CPU per request, {DATABASE_LABELS[database]}](performance/cpu-{database}.svg)")
    return lines


GROWTH_TARGET = 3.0
LIST_QUERIES = ("list", "filter", "search")
SCRAPE_TARGET_MS = 50
OBSERVABILITY_TARGET = 0.10
GROWTH_SERVERS = [*VARIANTS, "floor-gunicorn"]
PROFILED = [*VARIANTS, "floor-gunicorn", "floor-cheroot"]
CATEGORY_LABELS = {
    "framework": "framework",
    "ORM": "ORM (and SQLite under it)",
    "driver": "driver",
    "server": "server",
    "shared": "shared rules",
    "observability": "observability",
    "own code": "variant's code",
    "other": "other",
}


def size_label(size: int) -> str:
    return f"{size // 1000}k" if size >= 1000 and size % 1000 == 0 else str(size)


def growth_table(growth: dict, database: str) -> list[str]:
    sizes = growth["sizes"]
    header = "| server | query | " + " | ".join(f"p50 ms at {size_label(size)} (req/s)" for size in sizes)
    rows = [
        header + f" | p50 {size_label(sizes[-1])} ÷ {size_label(sizes[0])} |",
        "|---|---|" + "--:|" * (len(sizes) + 1),
    ]
    for name in GROWTH_SERVERS:
        figures = growth.get(database, {}).get(name)
        if not figures:
            continue
        for query, label in growth["queries"].items():
            cells = [figures.get(str(size), {}).get(query) for size in sizes]
            shown = [
                "discarded" if not each or each.get("discarded") else f"{each['p50_ms']:.1f} ({fmt(each['rps'])})"
                for each in cells
            ]
            first, last = cells[0], cells[-1]
            growth_ratio = last["p50_ms"] / first["p50_ms"] if first and last and first["p50_ms"] else None
            verdict = ""
            if growth_ratio is not None and query in LIST_QUERIES and database == "postgresql":
                verdict = " met" if growth_ratio <= GROWTH_TARGET else " **missed**"
            ratio_text = f"{growth_ratio:.1f}×{verdict}" if growth_ratio is not None else "–"
            rows.append(f"| {name} | {label} | " + " | ".join(shown) + f" | {ratio_text} |")
    return rows


def plans_table(growth: dict, database: str) -> list[str]:
    """Each statement's scans, in the order the server sent them, at the largest size."""
    rows = ["| server | query | what each statement reads |", "|---|---|---|"]
    for name in GROWTH_SERVERS:
        plans = growth.get(database, {}).get(name, {}).get("plans")
        if not plans:
            continue
        for query, statements in plans.items():
            parts = []
            for statement in statements:
                if not statement["paths"]:
                    continue
                words = statement["statement"].split()
                kind = "count" if "count(" in statement["statement"][:60].lower() else words[0].lower()
                parts.append(f"{kind}: " + ", ".join(f"`{path}`" for path in statement["paths"]))
            rows.append(f"| {name} | {growth['queries'][query]} | " + "; ".join(parts) + " |")
    return rows


def endurance_table(endurance: dict) -> list[str]:
    rows = [
        "| server | requests | worker restarts | multiprocess files | /metrics p50 (max) ms | under 50 ms "
        "| exposition | `/health/live` answered, counted |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for name in [*VARIANTS, "floor-gunicorn", "floor-cheroot"]:
        found = endurance.get(name)
        if not found:
            continue
        files = "none (one process)" if found["files"] is None else fmt(found["files"])
        under = "yes" if found["scrape_ms"] < SCRAPE_TARGET_MS else "**no**"
        verdict = ""
        if found["live_counted"] < found["live_answered"]:
            verdict = " **lost**"
        # Beyond wrk's answers: a request in flight on each connection when a wrk run stopped,
        # and the one probe that saw each replacement worker answer.
        elif found["live_counted"] > found["live_answered"] + found["live_in_flight_allowance"] + found["restarts"]:
            verdict = " **counted more than sent**"
        counts = f"{fmt(found['live_answered'])}, {fmt(found['live_counted'])}{verdict}"
        rows.append(
            f"| {name} | {fmt(found['requests'])} | {found['restarts']} | {files} "
            f"| {found['scrape_ms']:.1f} ({found['scrape_max_ms']:.1f}) | {under} "
            f"| {found['exposition_bytes'] / 1024:.0f} KiB | {counts} |"
        )
    return rows


def profiles_table(profiles: dict) -> list[str]:
    header = "| server | samples | " + " | ".join(CATEGORY_LABELS.values()) + " |"
    rows = [header, "|---|--:|" + "--:|" * len(CATEGORY_LABELS)]
    for name in PROFILED:
        found = profiles.get(name)
        if not found or not found["samples"]:
            continue
        shares = [f"{found['shares'].get(category, 0) * 100:.0f} %" for category in CATEGORY_LABELS]
        rows.append(f"| {name} | {fmt(found['samples'])} | " + " | ".join(shares) + " |")
    return rows


def hottest(profiles: dict, name: str, category: str = "framework", count: int = 2) -> str:
    top = profiles.get(name, {}).get("top", {}).get(category, [])[:count]
    return ", ".join(f"`{frame}` ({share * 100:.0f} %)" for frame, share in top) or "nothing"


def profile_lines(profiles: dict) -> list[str]:
    lines = []
    for name in PROFILED:
        found = profiles.get(name)
        if not found or not found.get("top"):
            continue
        parts = [
            f"{category}: " + hottest(profiles, name, category, 3)
            for category in ("framework", "ORM", "observability")
            if found["top"].get(category)
        ]
        lines.append(f"- **{name}**: " + "; ".join(parts))
    return lines


def read_ratio(databases: dict, name: str, database: str) -> float | None:
    own, floor = (
        cell(databases.get(database, {}), name, "get"),
        cell(databases.get(database, {}), FLOOR_OF[name], "get"),
    )
    return own["rps"] / floor["rps"] if own and floor else None


def targets(results: dict) -> list[str]:
    """Each of the issue's targets, met or missed, with what the profile or the plan shows."""
    databases, profiles = results["databases"], results.get("profiles", {})
    lines = []
    for name in VARIANTS:
        measured = {database: read_ratio(databases, name, database) for database in databases}
        shown = ", ".join(
            f"{ratio:.2f}× on {DATABASE_LABELS[d]}"
            + (" (noisy)" if noisy(cell(databases[d], name, "get"), cell(databases[d], FLOOR_OF[name], "get")) else "")
            for d, ratio in measured.items()
            if ratio
        )
        met = all(ratio and ratio >= READ_TARGETS[name] for ratio in measured.values())
        share = profiles.get(name, {}).get("shares", {}).get("framework")
        why = (
            f"; py-spy charges {share * 100:.0f} % of its CPU to the framework, most in {hottest(profiles, name)}"
            if share is not None
            else ""
        )
        lines.append(
            f"- **{name}** read path ≥ {READ_TARGETS[name]:.1f}× the floor: "
            f"{'met' if met else '**missed**'} ({shown}){why}."
        )
    for database, measured in databases.items():
        observed = cell(measured, "floor-gunicorn", "get")
        unobserved = cell(measured, "floor-gunicorn-unobserved", "get")
        paired = paired_observability(measured)
        if paired or (observed and unobserved):
            if paired:
                cost, how = paired["share"], f", the median of {paired['pairs']} pairs"
            else:
                cost, how = (observed["cpu_us"] - unobserved["cpu_us"]) / observed["cpu_us"], ""
            verdict = "met" if cost <= OBSERVABILITY_TARGET else "**missed**"
            share = profiles.get("floor-gunicorn", {}).get("shares", {}).get("observability")
            why = (
                f"; py-spy charges {share * 100:.0f} % of the floor's CPU to it, most in "
                + hottest(profiles, "floor-gunicorn", "observability", 3)
                if share is not None
                else ""
            )
            lines.append(
                f"- Observability ≤ 10 % of the floor's CPU on the read path, {DATABASE_LABELS[database]}: "
                f"{verdict} ({cost * 100:.0f} %{how})"
                f"{why}."
            )
    growth = results.get("growth", {})
    for name in GROWTH_SERVERS:
        figures = growth.get("postgresql", {}).get(name)
        if not figures:
            continue
        sizes = [str(size) for size in growth["sizes"]]
        worst = max(
            (figures[sizes[-1]][query]["p50_ms"] / figures[sizes[0]][query]["p50_ms"], query) for query in LIST_QUERIES
        )
        verdict = "met" if worst[0] <= GROWTH_TARGET else "**missed**"
        lines.append(
            f"- **{name}** list queries at {size_label(growth['sizes'][-1])} within {GROWTH_TARGET:.0f}× their p50 at "
            f"{size_label(growth['sizes'][0])}, PostgreSQL: {verdict} "
            f"(worst: {growth['queries'][worst[1]]}, {worst[0]:.1f}×)."
        )
    endurance = results.get("endurance", {})
    slow = [
        name for name, found in endurance.items() if isinstance(found, dict) and found["scrape_ms"] >= SCRAPE_TARGET_MS
    ]
    if endurance:
        lines.append(
            f"- `/metrics` under {SCRAPE_TARGET_MS} ms after {fmt(endurance['target_requests'])} requests and "
            f"{endurance['target_restarts']} worker restarts: "
            + ("met by every server." if not slow else f"**missed** by {', '.join(slow)}.")
        )
    return lines


def growth_chart(growth: dict, directory: Path) -> list[str]:
    import matplotlib.pyplot as plt

    lines = []
    sizes = growth["sizes"]
    for database in (d for d in ("sqlite", "postgresql") if d in growth):
        figure, axes = plt.subplots(1, len(growth["queries"]), figsize=(11, 3.4), sharey=False)
        for axis, (query, label) in zip(axes, growth["queries"].items(), strict=True):
            for name in GROWTH_SERVERS:
                figures = growth[database].get(name)
                if not figures:
                    continue
                values = [(figures.get(str(size), {}).get(query) or {}).get("p50_ms") for size in sizes]
                axis.plot(sizes, values, marker="o", label=name)
            axis.set_xscale("log")
            axis.set_yscale("log")
            axis.set_title(label, fontsize="small")
            axis.set_xlabel("tasks")
        axes[0].set_ylabel("p50 ms (closed-loop)")
        axes[-1].legend(fontsize="x-small")
        figure.suptitle(f"How the list queries grow with data, {DATABASE_LABELS[database]}", fontsize="medium")
        figure.tight_layout()
        figure.savefig(directory / f"growth-{database}.svg", metadata={"Date": None})
        plt.close(figure)
        lines.append(f"![Growth, {DATABASE_LABELS[database]}](performance/growth-{database}.svg)")
    return lines


def measured_block(results: dict, chart_lines: list[str], growth_lines: list[str]) -> str:
    machine, databases = results["machine"], results["databases"]
    growth, endurance, profiles = results["growth"], results["endurance"], results["profiles"]
    servers = [*VARIANTS, "floor-gunicorn", "floor-cheroot", "floor-gunicorn-unobserved"]
    minutes = ", ".join(f"{phase} {value:.0f}" for phase, value in results["minutes"].items())
    parts = [
        MEASURED_BEGIN,
        f"Measured {machine['when']} on {machine['cpus']} CPUs ({machine['cpu']}), Linux {machine['kernel']}, "
        f"Python {machine['python']}, {machine['wrk']}; {machine['rounds']} rounds of {machine['seconds']} s per cell, "
        f"{machine['connections']} connections; the run took {sum(results['minutes'].values()):.0f} min "
        f"({minutes})." + (" **A quick run (BENCH_QUICK): the figures mean nothing.**" if machine["quick"] else ""),
        "## The targets",
        "\n".join(targets(results)),
        "## The read path against the floor",
        "\n".join(headline_table(databases)),
        *chart_lines[:1],
        "## Where the read path's CPU goes",
        f"py-spy on `GET /api/tasks/{{id}}`, SQLite, {profiles['seconds']} s at {profiles['rate']} Hz per server, "
        "only the thread holding the GIL; each sample charged to the innermost frame outside the standard library.",
        "\n".join(profiles_table(profiles)),
        "The hottest frames:",
        "\n".join(profile_lines(profiles)),
        "## The cost of observability",
        "The gunicorn floor with and without the shared access log and metrics, on the same requests.",
        "\n".join(observability_table(databases)),
        *paired_observability_section(databases),
        f"### `/metrics` after {fmt(endurance['target_requests'])} requests and "
        f"{endurance['target_restarts']} worker restarts",
        "\n".join(endurance_table(endurance)),
        "## How cost grows with data",
        "\n\n".join(
            f"### {DATABASE_LABELS[d]}\n\n" + "\n".join(growth_table(growth, d)) for d in databases if d in growth
        ),
        *growth_lines,
        "### What each statement reads, at the largest size",
        "PostgreSQL: every variant's own statements, from `auto_explain`. SQLite: `EXPLAIN QUERY PLAN` of the "
        "statements the Django, DAL and SQLAlchemy repositories send (the floor's row stands for Flask, Bottle, "
        "CherryPy and TurboGears, whose repository it is).",
        "\n\n".join(
            f"#### {DATABASE_LABELS[d]}\n\n" + "\n".join(plans_table(growth, d)) for d in databases if d in growth
        ),
        "## The frameworks' bare endpoints",
        "\n".join(bare_table(databases.get("sqlite", {}))),
        "## Every operation",
    ]
    for database, measured in databases.items():
        parts += [f"### {DATABASE_LABELS[database]}", "\n".join(operations_table(measured, servers))]
    parts += [
        *chart_lines[1:],
        "## Memory and the metrics scrape",
        "\n".join(memory_table(databases, servers)),
        MEASURED_END,
    ]
    return "\n\n".join(parts)


def document(measured: str) -> str:
    intro = (
        "What each framework costs per request, against a floor with no framework at all, on one machine "
        "in one run, through each variant's production configuration. The code behind the figures is "
        "[side by side](side-by-side/README.md); start-up time and memory at rest are in "
        "[COMPARISON.md](COMPARISON.md)."
    )
    header = "<!-- Generated by bench/report.py; do not edit. Rebuild: tox -e bench -->"
    return "\n\n".join([header, "# Performance", intro, measured, METHOD.rstrip()]) + "\n"


README_BEGIN, README_END = "<!-- bench:begin (generated by bench/report.py) -->", "<!-- bench:end -->"


def readme_line(results: dict, name: str) -> str:
    """A variant's headline ratio and what dominates its overhead, for its README."""
    databases, profiles = results["databases"], results["profiles"]
    ratios = ", ".join(
        f"{ratio:.2f}× on {DATABASE_LABELS[database]}"
        + (
            " (noisy)"
            if noisy(cell(databases[database], name, "get"), cell(databases[database], FLOOR_OF[name], "get"))
            else ""
        )
        for database in databases
        if (ratio := read_ratio(databases, name, database))
    )
    floor = "Cheroot" if FLOOR_OF[name] == "floor-cheroot" else "gunicorn"
    shares = profiles.get(name, {}).get("shares", {})
    floor_shares = profiles.get(FLOOR_OF[name], {}).get("shares", {})
    heavier = max(("framework", "ORM"), key=lambda category: shares.get(category, 0) - floor_shares.get(category, 0))
    return (
        f"**Performance** ([docs/PERFORMANCE.md](../docs/PERFORMANCE.md), measured {results['machine']['when']}): "
        f"`GET /api/tasks/{{id}}` runs at {ratios} of the no-framework floor's req/s on {floor} "
        f"(target {READ_TARGETS[name]:.1f}×). py-spy charges {shares.get('framework', 0) * 100:.0f} % of its CPU there "
        f"to the framework and {shares.get('ORM', 0) * 100:.0f} % to the ORM (the floor's SQLAlchemy: "
        f"{floor_shares.get('ORM', 0) * 100:.0f} %); the hottest {heavier} frames are "
        f"{hottest(profiles, name, heavier)}."
    )


def readme_path(name: str) -> Path:
    return REPO_ROOT / f"{name}_app" / "README.md"


def write_readme_lines(results: dict) -> None:
    for name in VARIANTS:
        path = readme_path(name)
        text = path.read_text(encoding="utf-8")
        block = f"{README_BEGIN}\n{readme_line(results, name)}\n{README_END}"
        begin, end = text.find(README_BEGIN), text.find(README_END)
        if 0 <= begin < end:
            text = text[:begin] + block + text[end + len(README_END) :]
        else:
            anchor = text.index("\n## ")
            text = text[:anchor].rstrip("\n") + f"\n\n{block}\n" + text[anchor:]
        path.write_text(text, encoding="utf-8")


def readmes_lacking_a_line() -> list[str]:
    lacking = []
    for name in VARIANTS:
        text = readme_path(name).read_text(encoding="utf-8")
        begin, end = text.find(README_BEGIN), text.find(README_END)
        if not (0 <= begin < end) or "**Performance**" not in text[begin:end]:
            lacking.append(name)
    return lacking


def committed_measured_block() -> str:
    if PERFORMANCE_PATH.is_file():
        text = PERFORMANCE_PATH.read_text(encoding="utf-8")
        begin, end = text.find(MEASURED_BEGIN), text.find(MEASURED_END)
        if 0 <= begin < end:
            return text[begin : end + len(MEASURED_END)]
    return f"{MEASURED_BEGIN}\n\nNot measured yet: run `tox -e bench`.\n\n{MEASURED_END}"


def main(argv: list[str]) -> int:
    if argv == ["--check"]:
        if not PERFORMANCE_PATH.is_file() or PERFORMANCE_PATH.read_text(encoding="utf-8") != document(
            committed_measured_block()
        ):
            print("report: docs/PERFORMANCE.md is stale (its method); rebuild it with tox -e bench", file=sys.stderr)
            return 1
        if lacking := readmes_lacking_a_line():
            print(f"report: no benchmark line in the README of {', '.join(lacking)}; tox -e bench", file=sys.stderr)
            return 1
        return 0
    smoke = argv[:1] == ["--smoke"]
    results_path = Path(argv[-1])
    results = json.loads(results_path.read_text(encoding="utf-8"))
    output, chart_dir = (
        (results_path.parent / "PERFORMANCE.md", results_path.parent / "performance")
        if smoke
        else (PERFORMANCE_PATH, CHARTS_DIR)
    )
    chart_lines, growth_lines = charts(results["databases"], chart_dir), growth_chart(results["growth"], chart_dir)
    output.write_text(document(measured_block(results, chart_lines, growth_lines)), encoding="utf-8")
    if not smoke:
        write_readme_lines(results)
    discarded = [
        f"{database}/{server}/{operation}: {figures['discarded']}"
        for database, measured in results["databases"].items()
        for server, operations in measured.items()
        if isinstance(operations, dict)
        for operation, figures in operations.items()
        if isinstance(figures, dict) and figures.get("discarded")
    ]
    print(f"report: wrote {output}", flush=True)
    if discarded:
        print("report: cells discarded for errors:\n  " + "\n  ".join(discarded), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
