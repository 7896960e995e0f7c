"""The rot guard's report: newer releases that the ranges keep out, and what breaks when each is let in.

    python tools/outdated.py        # each direct requirement whose newest release is outside its range
    python tools/outdated.py --try  # then, for each, the suites that install it run with it

The direct requirements are those of the locks' inputs (tools/locks.py): the variants'
``requirements.txt``, the shared package's ``pyproject.toml`` and ``tools/requirements.txt``.
The newest release is the highest version on PyPI that is neither a pre-release nor yanked.

``--try`` lifts one range at a time: it writes ``NAME==NEWEST`` to a uv override file and runs the
``-latest`` envs of the suites whose lock holds the distribution (``tox -m latest`` does the same
with every range as written), on the oldest Python of the matrix that the release supports (Django
6 needs 3.12: ``django-py312-latest``), in a tox work directory of its own, so the repository's
``.tox`` stays as it is. Each outcome is a pass, or the tail of the failing env's output.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import locks

REPO_ROOT = locks.REPO_ROOT
PYPI_JSON = "https://pypi.org/pypi/{name}/json"
# The matrix's Pythons, oldest first, and the tox factor that picks each.
PYTHON_FACTORS = (("3.11", ""), ("3.12", "-py312"), ("3.13", "-py313"))


@dataclass
class Held:
    name: str
    ranges: dict[str, str]  # source -> the specifier it states
    newest: str
    # The newest release's Requires-Python, as its files on PyPI state it ("" when they do not).
    requires_python: str

    def python_factor(self) -> str | None:
        """The tox factor of the oldest Python in the matrix that the newest release supports."""
        from packaging.specifiers import SpecifierSet

        requires_python = SpecifierSet(self.requires_python)
        return next((factor for python, factor in PYTHON_FACTORS if requires_python.contains(f"{python}.0")), None)


def newest_release(name: str) -> tuple[str, str] | None:
    """The newest release's version and Requires-Python."""
    from packaging.version import InvalidVersion, Version

    with urllib.request.urlopen(PYPI_JSON.format(name=name), timeout=30) as response:
        releases = json.load(response)["releases"]
    candidates = []
    for text, files in releases.items():
        try:
            version = Version(text)
        except InvalidVersion:
            continue
        live = [file for file in files if not file.get("yanked")]
        if live and not version.is_prerelease:
            candidates.append((version, text, live[0].get("requires_python") or ""))
    if not candidates:
        return None
    _, text, requires_python = max(candidates)
    return text, requires_python


def held_back() -> list[Held]:
    from packaging.utils import canonicalize_name

    stated: dict[str, dict[str, object]] = {}
    for lock in locks.all_locks():
        for source, requirements in locks.input_requirements(lock).items():
            for requirement in requirements:
                stated.setdefault(canonicalize_name(requirement.name), {})[source] = requirement.specifier
    found = []
    for name, ranges in sorted(stated.items()):
        release = newest_release(name)
        if release is None:
            continue
        newest, requires_python = release
        outside = {source: str(specifier) for source, specifier in ranges.items() if not specifier.contains(newest)}
        if outside:
            found.append(Held(name, outside, newest, requires_python))
    return found


def suites_holding(name: str) -> list[str]:
    """The suites (shared, django …) whose lock pins the distribution; every one when only the tools' lock does."""
    from packaging.utils import canonicalize_name

    suites, every = [], []
    for lock in locks.all_locks()[:-1]:
        suite = lock.output.split("/")[0].removesuffix("_app")
        every.append(suite)
        _, pins = locks.read_lock(REPO_ROOT / lock.output)
        if any(canonicalize_name(pin.name) == name for pin in pins):
            suites.append(suite)
    return suites or every


def try_each(found: list[Held]) -> list[tuple[Held, dict[str, str]]]:
    outcomes = []
    work = Path(tempfile.mkdtemp(prefix="outdated-"))
    for held in found:
        override = work / f"{held.name}.txt"
        override.write_text(f"{held.name}=={held.newest}\n", encoding="utf-8")
        results = {}
        factor = held.python_factor()
        if factor is None:
            outcomes.append((held, {"every suite": "needs a Python newer than the matrix's"}))
            continue
        for env in [f"{suite}{factor}-latest" for suite in suites_holding(held.name)]:
            print(f"== {held.name}=={held.newest}: tox -e {env}", flush=True)
            completed = subprocess.run(
                [sys.executable, "-m", "tox", "--workdir", str(work / "tox"), "-r", "-e", env, "--", "-q", "-x"],
                cwd=REPO_ROOT,
                env={**os.environ, "UV_OVERRIDE": str(override)},
                capture_output=True,
                text=True,
            )
            if completed.returncode == 0:
                results[env] = "passes"
            else:
                tail = [line for line in completed.stdout.splitlines() if line.strip()][-12:]
                results[env] = "fails:\n" + "\n".join(f"      {line}" for line in tail)
            print(f"   {env}: {results[env]}", flush=True)
        outcomes.append((held, results))
    return outcomes


def main(argv: list[str]) -> int:
    if argv not in ([], ["--try"]):
        print(__doc__, file=sys.stderr)
        return 2
    found = held_back()
    if not found:
        print("every direct requirement's newest release is inside its range")
        return 0
    for held in found:
        ranges = "; ".join(f"{spec} ({source})" for source, spec in held.ranges.items())
        print(f"{held.name} {held.newest} is outside {ranges}")
    if argv == ["--try"]:
        print()
        for held, results in try_each(found):
            print(f"{held.name}=={held.newest}:")
            for env, result in results.items():
                print(f"  {env}: {result}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
