"""The parity matrix: the contract suite against every variant, written to ``docs/PARITY.md``.

    python tools/parity.py run      # tox -e parity: every variant on SQLite under Python 3.11, 3.12
                                    # and 3.13 (and on PostgreSQL under 3.11 when DATABASE_URL is
                                    # set), then render
    python tools/parity.py render   # docs/PARITY.md from the results already in .parity/
    python tools/parity.py --check  # fail if docs/PARITY.md lacks a column for a variant (tox -e docs-check)

``run`` prepares every variant's own tox envs in parallel (``tox run-parallel --notest``), then runs
``pytest contract_tests --variant NAME`` in each env exactly as ``tox -e NAME`` does, with JUnit XML
output per variant, database and Python and the ``parity_probe`` plugin recording what ``GET /api`` says
the server runs. ``PARITY_JOBS`` (default 2) is how many suites run at once.

The matrix has a row per spec area (one test module each, ordered by the spec section its docstring
names) and a column per variant; a collapsible table per area has a row per test function. A known
deviation is a test of ``contract_tests/deviations.toml``; the run marks it a strict xfail.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import time
import tomllib
import xml.etree.ElementTree as ElementTree
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import markdown

import regions
import variants

REPO_ROOT = variants.REPO_ROOT
CONTRACT_DIR = REPO_ROOT / "contract_tests"
REGISTRY_PATH = CONTRACT_DIR / "deviations.toml"
RESULTS_DIR = REPO_ROOT / ".parity"
PARITY_PATH = REPO_ROOT / "docs" / "PARITY.md"
DEFAULT_JOBS = 2
REBUILD_COMMAND = "DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres tox -e parity"
DATABASE_ORDER = ("SQLite", "PostgreSQL")
# The tox factors of the Pythons after the oldest: their runs are on SQLite only, as in plain tox.
LATER_PYTHON_FACTORS = ("-py312", "-py313")
SYMBOL = {"passed": "✔", "failed": "✘", "deviation": "⚠", "skipped": "➖"}
# The worst outcome of a test's phases is its outcome.
SEVERITY = ("passed", "skipped", "deviation", "failed")
# A variant that fails wholesale should not bury the page under its failures.
LISTED_FAILURES = 40
SECTION = re.compile(r"\b[Ss]pec (\d+(?:\.\d+)?)")


# --- running -----------------------------------------------------------------------------------


def run_suite(variant_name: str, database: str, database_url: str | None, factor: str, env_dir: Path) -> dict:
    """One contract run, as ``tox -e NAME`` would do it; its outcome and duration go next to its XML."""
    stem = RESULTS_DIR / f"{variant_name}--{database.lower()}{factor}"
    command = [
        str(env_dir / "bin" / "python"),
        "-m",
        "pytest",
        "contract_tests",
        "--variant",
        variant_name,
        "-p",
        "parity_probe",
        "-p",
        "no:cacheprovider",
        "-q",
        f"--junitxml={stem}.xml",
    ]
    if database_url:
        command += ["--database-url", database_url]
    environment = variants.env_environment(env_dir) | {"PYTHONPATH": str(REPO_ROOT / "tools")}
    started = time.monotonic()
    with open(f"{stem}.log", "wb") as log_file:
        exit_code = subprocess.run(
            command, cwd=REPO_ROOT, env=environment, stdout=log_file, stderr=subprocess.STDOUT
        ).returncode
    outcome = {
        "variant": variant_name,
        "database": database,
        "factor": factor,
        "exit_code": exit_code,
        "seconds": time.monotonic() - started,
    }
    Path(f"{stem}.json").write_text(json.dumps(outcome, indent=2) + "\n", encoding="utf-8")
    print(
        f"parity: {variant_name}{factor} on {database}: exit code {exit_code} after {outcome['seconds']:.0f} s",
        flush=True,
    )
    return outcome


def run(jobs: int) -> int:
    variant_names = [variant.name for variant in regions.ordered_variants()]
    # (database, its URL, the tox factor of the Python)
    suites: list[tuple[str, str | None, str]] = [("SQLite", None, "")]
    suites += [("SQLite", None, factor) for factor in LATER_PYTHON_FACTORS]
    if os.environ.get("DATABASE_URL"):
        suites.append(("PostgreSQL", os.environ["DATABASE_URL"], ""))
    RESULTS_DIR.mkdir(exist_ok=True)
    for old_result in RESULTS_DIR.iterdir():
        old_result.unlink()
    env_names = [f"{name}{factor}" for name in variant_names for factor in ("", *LATER_PYTHON_FACTORS)]
    env_dirs = variants.prepare_tox_envs(env_names, jobs, variants.clean_environment())
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        runs = [
            pool.submit(run_suite, name, database, database_url, factor, env_dirs[f"{name}{factor}"])
            for database, database_url, factor in suites
            for name in variant_names
        ]
        for finished in runs:
            finished.result()
    return render()


# --- reading results ---------------------------------------------------------------------------


@dataclass
class SuiteResult:
    variant: str
    database: str
    properties: dict[str, str]
    # "" for the oldest Python, else the tox factor of the Python it ran under ("-py312").
    factor: str = ""
    outcomes: dict[str, str] = field(default_factory=dict)  # test id → passed, failed, deviation, skipped


def test_id_of(case: ElementTree.Element) -> str:
    """``test_module.py::Class::test_name[params]`` from JUnit's dotted classname and name."""
    parts = case.get("classname", "").split(".")
    for index, part in enumerate(parts):
        if (CONTRACT_DIR / f"{part}.py").is_file():
            return "::".join([f"{part}.py", *parts[index + 1 :], case.get("name", "")])
    return "::".join([*parts, case.get("name", "")])


def outcome_of(case: ElementTree.Element) -> str:
    worst = "passed"
    for child in case:
        if child.tag in ("failure", "error"):
            outcome = "failed"
        elif child.tag == "skipped":
            outcome = "deviation" if child.get("type") == "pytest.xfail" else "skipped"
        else:
            continue
        worst = max(worst, outcome, key=SEVERITY.index)
    return worst


def read_results() -> list[SuiteResult]:
    results = []
    for xml_path in sorted(RESULTS_DIR.glob("*.xml")):
        tree = ElementTree.parse(xml_path)
        suite = tree.find(".//testsuite")
        properties = {item.get("name"): item.get("value") for item in suite.iterfind("properties/property")}
        variant_name, database_and_factor = xml_path.stem.split("--")
        database, _, factor = database_and_factor.partition("-")
        result = SuiteResult(
            variant_name, properties.get("database", database), properties, f"-{factor}" if factor else ""
        )
        for case in suite.iterfind("testcase"):
            test_id = test_id_of(case)
            previous = result.outcomes.get(test_id, "passed")
            result.outcomes[test_id] = max(previous, outcome_of(case), key=SEVERITY.index)
        results.append(result)
    return results


def log_hint(variant_name: str, database: str) -> str:
    """Where to look when a suite produced no results (it could not even start)."""
    log_path = RESULTS_DIR / f"{variant_name}--{database.lower()}.log"
    return f"; see {log_path.relative_to(REPO_ROOT)}" if log_path.is_file() else ""


def load_registry() -> list[dict]:
    with REGISTRY_PATH.open("rb") as registry_file:
        return tomllib.load(registry_file).get("deviation", [])


# --- spec areas --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Area:
    module: str  # test_body_decoding.py
    section: str  # "2.1", or "" when the docstring names none
    summary: str  # the module docstring's first line

    @property
    def label(self) -> str:
        name = self.module.removeprefix("test_").removesuffix(".py").replace("_", " ")
        return f"§{self.section} {name}" if self.section else name

    @property
    def sort_key(self) -> tuple:
        numbers = tuple(int(part) for part in self.section.split(".")) if self.section else (99,)
        return (numbers, self.module)


def area_of(module: str) -> Area:
    path = CONTRACT_DIR / module
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) if path.is_file() else None
    summary = (docstring or module).strip().splitlines()[0]
    section = SECTION.search(summary)
    return Area(module, section[1] if section else "", summary)


def function_of(test_id: str) -> str:
    return test_id.split("::", 1)[1].split("[", 1)[0]


# --- rendering ---------------------------------------------------------------------------------


def cell(outcomes: list[str]) -> str:
    if not outcomes:
        return "not run"
    counts = Counter(outcomes)
    total = len(outcomes)
    head = (
        f"{SYMBOL['failed']} {counts['passed']}/{total}"
        if counts["failed"]
        else f"{SYMBOL['passed']} {counts['passed']}/{total}"
    )
    extras = [f"{SYMBOL[kind]} {counts[kind]}" for kind in ("deviation", "skipped") if counts[kind]]
    return " ".join([head, *extras])


def database_section(database: str, columns: list[tuple[str, SuiteResult | None]], test_ids: list[str]) -> list[str]:
    areas: dict[str, list[str]] = {}
    for test_id in test_ids:
        areas.setdefault(test_id.split("::", 1)[0], []).append(test_id)
    ordered_areas = sorted((area_of(module) for module in areas), key=lambda area: area.sort_key)

    def outcomes(result: SuiteResult | None, ids: list[str]) -> list[str]:
        return [result.outcomes[test_id] for test_id in ids if test_id in result.outcomes] if result else []

    names = [name for name, _ in columns]
    rows = []
    for area in ordered_areas:
        ids = areas[area.module]
        link = f"[{area.label}](../contract_tests/{area.module})"
        rows.append([link, str(len(ids)), *(cell(outcomes(result, ids)) for _, result in columns)])
    rows.append(
        ["**total**", f"**{len(test_ids)}**", *(f"**{cell(outcomes(result, test_ids))}**" for _, result in columns)]
    )
    parts = [f"## {database}", markdown.table(["spec area", "cases", *names], rows)]
    for area in ordered_areas:
        functions: dict[str, list[str]] = {}
        for test_id in areas[area.module]:
            functions.setdefault(function_of(test_id), []).append(test_id)
        function_rows = [
            [f"`{function}`", str(len(ids)), *(cell(outcomes(result, ids)) for _, result in columns)]
            for function, ids in functions.items()
        ]
        parts.append(
            f"<details><summary>{area.label} — {len(functions)} tests, {len(areas[area.module])} cases</summary>\n\n"
            f"{area.summary}\n\n" + markdown.table(["test", "cases", *names], function_rows) + "\n\n</details>"
        )
    return parts


def render() -> int:
    """Write docs/PARITY.md; 1 when a test failed or the registry names a test that was not run."""
    variant_list = regions.ordered_variants()
    every_result = read_results()
    # The full matrix is the oldest Python's; the later Pythons' runs get a summary row each.
    results = [result for result in every_result if not result.factor]
    later = {(result.variant, result.factor): result for result in every_result if result.factor}
    by_key = {(result.variant, result.database): result for result in results}
    databases = [database for database in DATABASE_ORDER if any(result.database == database for result in results)]
    registry = load_registry()
    names = [variant.name for variant in variant_list]

    def first_result(name: str) -> SuiteResult | None:
        return next((by_key[(name, database)] for database in databases if (name, database) in by_key), None)

    def identity(name: str, key: str) -> str:
        result = first_result(name)
        return result.properties.get(key, "unknown") if result else "not run"

    summary_rows = [
        [
            "framework",
            *(f"{variant.framework} {identity(variant.name, 'framework_version')}" for variant in variant_list),
        ],
    ]

    def passed_on(name: str) -> str:
        """The Pythons under which every run of the variant (each database) passed."""
        passed: dict[str, bool] = {}
        for result in every_result:
            if result.variant == name:
                python = result.properties.get("python_version", "unknown")
                clean = bool(result.outcomes) and "failed" not in result.outcomes.values()
                passed[python] = passed.get(python, True) and clean
        versions = [python for python, clean in passed.items() if clean]
        return ", ".join(sorted(versions, key=lambda text: [int(part) for part in re.findall(r"\d+", text)])) or "none"

    summary_rows.append(["passed on Python", *(passed_on(name) for name in names)])
    for database in databases:
        versions = {by_key[key].properties.get("database_version", "") for key in by_key if key[1] == database}
        label = " ".join([database, *sorted(filter(None, versions))])
        summary_rows.append(
            [
                label,
                *(
                    cell(list(by_key[(name, database)].outcomes.values())) if (name, database) in by_key else "not run"
                    for name in names
                ),
            ]
        )
    for factor in LATER_PYTHON_FACTORS:
        pythons = {result.properties.get("python_version", "") for key, result in later.items() if key[1] == factor}
        if not pythons:
            continue
        label = f"SQLite, Python {' '.join(sorted(filter(None, pythons)))}"
        summary_rows.append(
            [
                label,
                *(
                    cell(list(later[(name, factor)].outcomes.values())) if (name, factor) in later else "not run"
                    for name in names
                ),
            ]
        )
    summary_rows.append(
        ["known deviations", *(str(sum(entry["variant"] == name for entry in registry)) for name in names)]
    )

    parts = [
        "<!-- Generated by tools/parity.py from the contract suite's results; do not edit. "
        f"Rebuild: {REBUILD_COMMAND} -->",
        "# Parity matrix",
        "Every variant against the same black-box contract suite ([`contract_tests/`](../contract_tests/)), "
        "each on its production server started from its own `variant.toml`, on "
        + " and ".join(databases or ["no database yet"])
        + (", and on SQLite under each later Python of the tox matrix" if later else "")
        + ". "
        f"{SYMBOL['passed']} passed · {SYMBOL['failed']} failed · {SYMBOL['deviation']} known deviation "
        "([`contract_tests/deviations.toml`](../contract_tests/deviations.toml)) · "
        f"{SYMBOL['skipped']} skipped. Counts are test cases: each parametrization is one.",
        f"Rebuild with `{REBUILD_COMMAND}` (without `DATABASE_URL`, SQLite only). "
        "The versions are what each server answered on `GET /api`.",
        markdown.table(["", *(f"[{name}](#{name})" for name in names)], summary_rows),
    ]
    problems = []
    for variant in variant_list:
        for database in databases or ["SQLite"]:
            if (variant.name, database) not in by_key:
                problems.append(f"{variant.name} has no results on {database}{log_hint(variant.name, database)}")
    for database in databases:
        columns = [(name, by_key.get((name, database))) for name in names]
        test_ids: list[str] = []
        seen = set()
        for _, result in columns:
            for test_id in result.outcomes if result else []:
                if test_id not in seen:
                    seen.add(test_id)
                    test_ids.append(test_id)
        parts += database_section(database, columns, test_ids)

    parts.append("## Variants")
    for variant in variant_list:
        lines = [f"### {variant.name}", ""]
        lines.append(
            f"{variant.framework} {identity(variant.name, 'framework_version')}, passed on Python "
            f"{passed_on(variant.name)} — [`{variant.folder.name}/`](../{variant.folder.name}/), "
            f"[side by side](side-by-side/README.md#{variant.name})."
        )
        lines.append("")
        for database in databases:
            result = by_key.get((variant.name, database))
            if result is None:
                lines.append(f"- {database}: not run")
                continue
            failed = [test_id for test_id, outcome in result.outcomes.items() if outcome == "failed"]
            lines.append(f"- {database}: {cell(list(result.outcomes.values()))}")
            lines += [f"  - {SYMBOL['failed']} `{test_id}`" for test_id in failed[:LISTED_FAILURES]]
            if len(failed) > LISTED_FAILURES:
                lines.append(f"  - … and {len(failed) - LISTED_FAILURES} more (see the run's log in `.parity/`)")
            problems += [f"{variant.name} on {database}: {test_id} failed" for test_id in failed]
        for factor in LATER_PYTHON_FACTORS:
            result = later.get((variant.name, factor))
            if result is None:
                continue
            python = result.properties.get("python_version", factor)
            failed = [test_id for test_id, outcome in result.outcomes.items() if outcome == "failed"]
            lines.append(f"- SQLite, Python {python}: {cell(list(result.outcomes.values()))}")
            lines += [f"  - {SYMBOL['failed']} `{test_id}`" for test_id in failed[:LISTED_FAILURES]]
            problems += [f"{variant.name}{factor} on SQLite: {test_id} failed" for test_id in failed]
        entries = [entry for entry in registry if entry["variant"] == variant.name]
        lines.append("- known deviations: none" if not entries else "- known deviations:")
        for entry in entries:
            lines.append(f"  - {SYMBOL['deviation']} `{entry['test']}` (since {entry['since']}): {entry['reason']}")
            ran = [result for database in databases if (result := by_key.get((variant.name, database)))]
            if ran and not any(
                test_id == entry["test"] or test_id.split("[", 1)[0] == entry["test"]
                for result in ran
                for test_id in result.outcomes
            ):
                problems.append(f"deviations.toml names {entry['test']} for {variant.name}, which no run contains")
        parts.append("\n".join(lines))

    PARITY_PATH.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    print(f"parity: wrote {PARITY_PATH.relative_to(REPO_ROOT)}")
    for problem in problems:
        print(f"parity: {problem}", file=sys.stderr)
    return 1 if problems else 0


def check() -> int:
    """The matrix is rebuilt by running every suite, too slow for a check: only its columns are checked."""
    if not PARITY_PATH.is_file():
        print(
            f"parity: {PARITY_PATH.relative_to(REPO_ROOT)} is missing; rebuild with `{REBUILD_COMMAND}`",
            file=sys.stderr,
        )
        return 1
    text = PARITY_PATH.read_text(encoding="utf-8")
    missing = [variant.name for variant in regions.ordered_variants() if f"\n### {variant.name}\n" not in text]
    for name in missing:
        print(f"parity: docs/PARITY.md has no column for {name}; rebuild with `{REBUILD_COMMAND}`", file=sys.stderr)
    return 1 if missing else 0


def main(argv: list[str]) -> int:
    match argv:
        case ["run"]:
            return run(int(os.environ.get("PARITY_JOBS") or DEFAULT_JOBS))
        case ["render"]:
            return render()
        case ["--check"]:
            return check()
        case _:
            raise SystemExit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
