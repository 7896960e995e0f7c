"""Comparison figures per variant, written to ``docs/COMPARISON.md``.

    python tools/compare.py           # measure everything and write the file (tox -e compare)
    python tools/compare.py render    # write it again from the last measurements (.compare/measured.json)
    python tools/compare.py code      # refresh only the code figures, keeping the measured part (tox -e docs)
    python tools/compare.py --check   # fail if its code figures are stale (tox -e docs-check)

The code figures come from the files and their region markers and are the same on every machine,
so the check recomputes them and compares. The measured figures (dependencies, sizes, times,
memory) depend on the machine and the day; they live between the ``measured`` comments and the
check leaves them alone. ``COMPARE_RUNS`` (default 5) is the number of cold starts per variant.
"""

from __future__ import annotations

import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import markdown
from signed_in import sign_in

import regions
import variants
from regions import CONCERNS

REPO_ROOT = variants.REPO_ROOT
COMPARISON_PATH = REPO_ROOT / "docs" / "COMPARISON.md"
SCRATCH_DIR = REPO_ROOT / ".compare"
MEASURED_PATH = SCRATCH_DIR / "measured.json"
MEASURED_BEGIN, MEASURED_END = markdown.MEASURED_BEGIN, markdown.MEASURED_END
DEFAULT_RUNS = 5
WARM_UP_REQUESTS = 200
READY_TIMEOUT_SECONDS = 60


# --- code figures (deterministic) --------------------------------------------------------------


@dataclass(frozen=True)
class CodeFigures:
    lines_by_concern: dict[str, int]
    code_lines: int  # outside tests
    unmarked_lines: int  # outside tests, in no region
    code_files: int  # outside tests
    test_lines: int
    test_files: int


def code_figures(variant: variants.Variant) -> CodeFigures:
    variant_regions = regions.regions_of(variant)
    lines_by_concern = {}
    for concern in CONCERNS:
        counted: set[tuple[Path, int]] = set()
        for region in variant_regions:
            if region.concern == concern.slug:
                counted |= {(region.path, number) for number in region.counted_line_numbers()}
        lines_by_concern[concern.slug] = len(counted)
    in_regions = {(region.path, number) for region in variant_regions for number in region.counted_line_numbers()}
    code_lines = unmarked = code_files = test_lines = test_files = 0
    for relative_path in regions.variant_files(variant):
        lines = regions.countable_lines((REPO_ROOT / relative_path).read_text(encoding="utf-8"), relative_path)
        if regions.is_test_file(relative_path.relative_to(variant.folder.name)):
            test_lines += len(lines)
            test_files += 1
            continue
        code_files += 1
        code_lines += len(lines)
        unmarked += sum((relative_path, number) not in in_regions for number in lines)
    return CodeFigures(lines_by_concern, code_lines, unmarked, code_files, test_lines, test_files)


def code_section(variant_list: list[variants.Variant]) -> str:
    figures = [code_figures(variant) for variant in variant_list]
    rows = [
        [
            f"[{concern.title}](side-by-side/{concern.slug}.md)",
            *(str(each.lines_by_concern[concern.slug]) for each in figures),
        ]
        for concern in CONCERNS
    ]
    rows += [
        ["**code, in total** (tests excluded)", *(f"**{each.code_lines}**" for each in figures)],
        ["… of which in no region", *(str(each.unmarked_lines) for each in figures)],
        ["files (tests excluded)", *(str(each.code_files) for each in figures)],
        ["test files / lines", *(f"{each.test_files} / {each.test_lines}" for each in figures)],
    ]
    return "## Code\n\nLines of code per concern, from the region markers.\n\n" + markdown.table(
        ["lines of code", *(variant.name for variant in variant_list)], rows, numbers_right=True
    )


METHOD = """## Method

Everything here is rebuilt by `tox -e compare` (`tools/compare.py`); `tox -e docs` refreshes only
the code figures, and `tox -e docs-check` recomputes them and fails when they differ from this file.

- **Lines of code** are the non-blank lines, comments included, of the variant's files: the files
  under `<name>_app/` that git tracks or would track, without Markdown, binary files and dotfiles.
  Region marker lines are not counted, and neither are a Python file's imports and module docstring
  (in a region or not): they say what a file uses, not what it does. Every region holds whole
  definitions and at least 90% of each variant's counted lines outside tests are in some region
  (`tox -e docs-check` fails otherwise), so the rows compare like with like. A concern's lines are
  the lines inside its regions (`# region: <concern>` … `# endregion`, see
  [`tools/regions.py`](../tools/regions.py)); a line in two concerns' regions counts for both.
  *Tests* are the files under a `tests/` folder, `test_*.py`, `*_test.py`, `conftest.py` and
  `pytest.ini`: they count in the *Tests* row only, never in the total. The shared package `shared/`
  is never counted: every variant uses the same.
- **Direct dependencies** are the distributions named in the variant's `requirements.txt`, on top
  of the shared package. The other two dependency rows are read from the variant's image's
  virtualenv, built on this machine by `deploy/Dockerfile`'s own `pip install` lines (its hashed
  `requirements.lock`, then the shared package), as `tox -e compose-smoke` builds it.
  **Runtime closure** is every distribution that serving needs, found by walking the
  `Requires-Dist` metadata there, with environment markers and extras evaluated, from those
  requirements plus the shared package with the extras its `variant.toml` names. **In its image's
  virtualenv** counts every distribution there (the closure, and the shared package's locked build
  backend, hatchling, with its own dependencies), and **image virtualenv size** is that
  directory's disk usage (`du -sk`).
- **Cold start** is the time from spawning the variant's `serve` command of its `variant.toml` until
  `GET /health/ready` first answers 200, polled every 20 ms, on a fresh SQLite file migrated first
  with its `migrate` command (timed separately). Median of `COMPARE_RUNS` runs (default 5), with
  `WEB_CONCURRENCY=2`, `LOG_FORMAT=json`, one variant at a time.
- **Memory** is the resident set size (`VmRSS`) summed over the server process and all its
  descendants, after a warm-up of 200 requests (creates, lists, reads, stats and metrics scrapes),
  at the last cold start. Pages shared between forked workers are counted once per process, so
  a forking server's figure is an upper bound.
- **Contract suite** is the wall-clock time of `pytest contract_tests --variant <name>` on SQLite in
  the variant's tox env, one variant at a time.
- Times depend on the machine and its load: compare columns of the same run, not runs of different
  days."""


# --- measured figures --------------------------------------------------------------------------


def site_packages(env_dir: Path) -> Path:
    return next(env_dir.glob("lib/python*/site-packages"))


def requirement_names(requirements_path: Path) -> list[str]:
    from packaging.requirements import Requirement

    names = []
    for line in requirements_path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.append(Requirement(line).name)
    return names


def image_virtualenv(variant: variants.Variant) -> Path:
    """The variant's image's virtualenv, built here from deploy/Dockerfile's pip install lines."""
    import shutil

    import deployment

    deployed = next(each for each in deployment.deployments(deployment.load_compose()) if each.variant == variant)
    destination = SCRATCH_DIR / f"{variant.name}-image-venv"
    shutil.rmtree(destination, ignore_errors=True)
    return deployment.build_virtualenv(
        deployed.image, destination, lambda line: print(f"compare: {variant.name}: {line}")
    )


def dependency_figures(variant: variants.Variant) -> dict[str, object]:
    from importlib.metadata import distributions

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    env_dir = image_virtualenv(variant)
    installed = {
        canonicalize_name(dist.metadata["Name"]): dist for dist in distributions(path=[str(site_packages(env_dir))])
    }
    requirements_path = variant.folder / "requirements.txt"
    direct = requirement_names(requirements_path) if requirements_path.is_file() else []
    # What serving needs besides the variant's own requirements.txt: the shared package and its extras.
    shared = Requirement(f"tasktracker[{','.join(variant.shared_extras)}]")
    pending = [Requirement(name) for name in direct] + [shared]
    closure: set[str] = set()
    visited: set[tuple[str, frozenset[str]]] = set()
    while pending:
        requirement = pending.pop()
        name = canonicalize_name(requirement.name)
        extras = frozenset(requirement.extras)
        dist = installed.get(name)
        if dist is None or (name, extras) in visited:
            continue
        visited.add((name, extras))
        closure.add(name)
        for dependency_text in dist.requires or []:
            dependency = Requirement(dependency_text)
            marker = dependency.marker
            if marker is None or any(marker.evaluate({"extra": extra}) for extra in ["", *sorted(extras)]):
                pending.append(dependency)
    size_kib = int(
        subprocess.run(["du", "-sk", str(env_dir)], capture_output=True, text=True, check=True).stdout.split()[0]
    )
    return {
        "direct": direct,
        "runtime_closure": len(closure),
        "installed": len(installed),
        "env_size_mib": size_kib / 1024,
    }


def process_tree(root_pid: int) -> Iterator[int]:
    children: dict[int, list[int]] = {}
    for stat_path in Path("/proc").glob("[0-9]*/stat"):
        try:
            # The command name (field 2) may hold spaces; the fields after its ")" are fixed.
            fields = stat_path.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat_path.parent.name))
    stack = [root_pid]
    while stack:
        pid = stack.pop()
        yield pid
        stack.extend(children.get(pid, []))


def resident_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def http(method: str, url: str, body: dict | None = None, headers: dict[str, str] | None = None) -> int:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0


def warm_up(base_url: str) -> None:
    """Every kind of request, as a signed-in user (spec 2.0), before the memory is read."""
    auth = sign_in(base_url, "warm-up").headers
    task_ids = []
    for index in range(WARM_UP_REQUESTS // 5):
        http("POST", f"{base_url}/api/tasks", {"title": f"warm-up {index}", "tags": ["warm-up"]}, auth)
        http("GET", f"{base_url}/api/tasks?tag=warm-up&limit=50", headers=auth)
        http("GET", f"{base_url}/api/tasks/{index + 1}", headers=auth)
        http("GET", f"{base_url}/api/tasks/stats", headers=auth)
        http("GET", f"{base_url}/metrics")
        task_ids.append(index + 1)


def cold_starts(variant: variants.Variant, env_dir: Path, runs: int) -> dict[str, float]:
    migrate_seconds, ready_seconds, resident = [], [], 0
    for run_number in range(runs):
        with tempfile.TemporaryDirectory(prefix=f"compare-{variant.name}-") as scratch:
            port = variants.free_port()
            environment = variants.env_environment(env_dir) | {
                "HOST": "127.0.0.1",
                "PORT": str(port),
                "DATABASE_URL": f"sqlite:///{scratch}/tasks.db",
                "LOG_FORMAT": "json",
                "LOG_LEVEL": "info",
                "WEB_CONCURRENCY": "2",
            }
            started = time.monotonic()
            subprocess.run(variant.migrate, cwd=variant.folder, env=environment, check=True, capture_output=True)
            migrate_seconds.append(time.monotonic() - started)
            with open(Path(scratch) / "server.log", "wb") as log_file:
                started = time.monotonic()
                server = variants.start_server(variant.serve, variant.folder, environment, log_file, subprocess.STDOUT)
                try:
                    while http("GET", f"http://127.0.0.1:{port}/health/ready") != 200:
                        if server.poll() is not None or time.monotonic() - started > READY_TIMEOUT_SECONDS:
                            raise SystemExit(
                                f"compare: {variant.name} never became ready; see its log:\n"
                                + (Path(scratch) / "server.log").read_text(errors="replace")[-3000:]
                            )
                        time.sleep(0.02)
                    ready_seconds.append(time.monotonic() - started)
                    if run_number == runs - 1:
                        warm_up(f"http://127.0.0.1:{port}")
                        time.sleep(1)
                        resident = sum(resident_kib(pid) for pid in process_tree(server.pid))
                finally:
                    server.send_signal(signal.SIGTERM)
                    try:
                        server.wait(timeout=15)
                    except subprocess.TimeoutExpired:
                        os.killpg(server.pid, signal.SIGKILL)
                        server.wait()
    return {
        "migrate_seconds": statistics.median(migrate_seconds),
        "ready_seconds": statistics.median(ready_seconds),
        "resident_mib": resident / 1024,
    }


def suite_seconds(variant: variants.Variant, env_dir: Path) -> float | None:
    environment = variants.env_environment(env_dir)
    started = time.monotonic()
    with open(SCRATCH_DIR / f"{variant.name}-contract.log", "wb") as log_file:
        exit_code = subprocess.run(
            [
                str(env_dir / "bin" / "python"),
                "-m",
                "pytest",
                "contract_tests",
                "--variant",
                variant.name,
                "-q",
                "-p",
                "no:cacheprovider",
            ],
            cwd=REPO_ROOT,
            env=environment,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        ).returncode
    elapsed = time.monotonic() - started
    print(f"compare: {variant.name} contract suite: exit code {exit_code} in {elapsed:.0f} s", flush=True)
    return elapsed if exit_code == 0 else None


def measure(variant_list: list[variants.Variant], runs: int) -> dict[str, dict]:
    SCRATCH_DIR.mkdir(exist_ok=True)
    env_dirs = variants.prepare_tox_envs([variant.name for variant in variant_list], 2, variants.clean_environment())
    measured: dict[str, dict] = {
        "conditions": {
            "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{os.cpu_count()} CPUs, {platform.system()} {platform.machine()}, "
            f"Python {platform.python_version()}",
            "runs": runs,
        }
    }
    for variant in variant_list:
        env_dir = env_dirs[variant.name]
        print(f"compare: measuring {variant.name}", flush=True)
        figures = dependency_figures(variant)
        figures |= cold_starts(variant, env_dir, runs)
        figures["suite_seconds"] = suite_seconds(variant, env_dir)
        measured[variant.name] = figures
    MEASURED_PATH.write_text(json.dumps(measured, indent=2) + "\n", encoding="utf-8")
    return measured


def measured_section(variant_list: list[variants.Variant], measured: dict[str, dict]) -> str:
    def row(label: str, render) -> list[str]:
        return [
            label,
            *(render(measured[variant.name]) if variant.name in measured else "—" for variant in variant_list),
        ]

    rows = [
        row("direct dependencies", lambda each: f"{len(each['direct'])} ({', '.join(each['direct'])})"),
        row("runtime closure (distributions)", lambda each: str(each["runtime_closure"])),
        row("in its image's virtualenv (distributions)", lambda each: str(each["installed"])),
        row("image virtualenv size", lambda each: f"{each['env_size_mib']:.0f} MiB"),
        row("migrate (median)", lambda each: f"{each['migrate_seconds']:.2f} s"),
        row("cold start to /health/ready (median)", lambda each: f"{each['ready_seconds']:.2f} s"),
        row("memory after warm-up (RSS, process tree)", lambda each: f"{each['resident_mib']:.0f} MiB"),
        row(
            "contract suite",
            lambda each: f"{each['suite_seconds']:.0f} s" if each["suite_seconds"] is not None else "failed",
        ),
    ]
    conditions = measured["conditions"]
    return "\n\n".join(
        [
            MEASURED_BEGIN,
            "## Dependencies, size, time and memory",
            f"Measured {conditions['when']} on {conditions['machine']}; {conditions['runs']} cold starts per variant.",
            markdown.table(["measured", *(variant.name for variant in variant_list)], rows, numbers_right=True),
            MEASURED_END,
        ]
    )


# --- the document ------------------------------------------------------------------------------


def document(variant_list: list[variants.Variant], measured_block: str) -> str:
    return (
        "\n\n".join(
            [
                "<!-- Generated by tools/compare.py; do not edit. Rebuild: tox -e compare -->",
                "# Comparison",
                "The variants in figures: how much code each concern takes, what each pulls in, and how each "
                "starts and runs. Read the code itself [side by side](side-by-side/README.md); "
                "the [parity matrix](PARITY.md) shows that they behave the same.",
                code_section(variant_list),
                measured_block,
                METHOD,
            ]
        )
        + "\n"
    )


def committed_measured_block() -> str:
    return markdown.committed_measured_block(COMPARISON_PATH, "tox -e compare")


def main(argv: list[str]) -> int:
    variant_list = regions.ordered_variants()
    if argv == ["--check"]:
        expected = document(variant_list, committed_measured_block())
        if not COMPARISON_PATH.is_file() or COMPARISON_PATH.read_text(encoding="utf-8") != expected:
            print(
                "compare: docs/COMPARISON.md is stale (its code figures or method); "
                "refresh them with `tox -e docs`, or measure everything again with `tox -e compare`",
                file=sys.stderr,
            )
            return 1
        return 0
    if argv == ["code"]:
        COMPARISON_PATH.write_text(document(variant_list, committed_measured_block()), encoding="utf-8")
        print(f"compare: refreshed the code figures of {COMPARISON_PATH.relative_to(REPO_ROOT)}")
        return 0
    if argv == ["render"]:
        measured = json.loads(MEASURED_PATH.read_text(encoding="utf-8"))
    elif argv:
        raise SystemExit(__doc__)
    else:
        measured = measure(variant_list, int(os.environ.get("COMPARE_RUNS") or DEFAULT_RUNS))
    COMPARISON_PATH.write_text(document(variant_list, measured_section(variant_list, measured)), encoding="utf-8")
    print(f"compare: wrote {COMPARISON_PATH.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
