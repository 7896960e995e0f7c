"""The lock files: every tox env and every image installs pinned, hash-checked versions.

    python tools/locks.py compile [uv options]   # refresh every lock (tox -e lock)
    python tools/locks.py check                  # fail when a lock is stale (tox -e lint)

There are eight locks, each compiled by ``uv pip compile --universal --generate-hashes`` for every
Python the project supports (3.11 and later) and every platform:

- ``<name>_app/requirements.lock``: what the variant runs with, the image's whole virtualenv. Its
  inputs are the variant's ``requirements.txt``, the shared package with the extras named in its
  ``variant.toml``, and the shared package's build backend (``shared/build-requirements.txt``).
- ``shared/requirements.lock``: the shared package with all its runtime extras, for its own tests.
- ``tools/requirements.lock``: the test suites' tools and the repository's own
  (``tools/requirements.txt``, and the shared package's ``test`` extra). It is compiled with the
  other seven as constraints, so that it installs beside any of them.

A refresh keeps every pin that still satisfies the ranges; ``tox -e lock -- --upgrade`` (or
``--upgrade-package NAME``) moves them to the newest versions the ranges allow.

The check needs no network. A lock is stale when its header is not the command that would compile
it now; when a requirement of its inputs that applies on Linux under Python 3.11, 3.12 or 3.13 has
no pin there, or a pin outside its range; when a pin is annotated as coming from an input that no
longer asks for it; when a pin has no hash; or when the tools' lock and another pin one
distribution at different versions.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import variants

REPO_ROOT = variants.REPO_ROOT
SHARED_PYPROJECT = "shared/pyproject.toml"
SHARED_BUILD_REQUIREMENTS = "shared/build-requirements.txt"
# The oldest Python supported; --universal makes the lock hold for every later one too.
LOWEST_PYTHON = "3.11"
# Where the check evaluates environment markers: the Pythons the tox matrix runs, on Linux.
CHECKED_PYTHONS = ("3.11", "3.12", "3.13")


@dataclass(frozen=True)
class Lock:
    output: str
    inputs: tuple[str, ...]
    extras: tuple[str, ...] = ()
    constraints: tuple[str, ...] = ()

    def command(self) -> list[str]:
        """The uv command that compiles it, as its header records it (paths relative to the repository)."""
        return [
            "uv",
            "pip",
            "compile",
            "--universal",
            "--generate-hashes",
            "--python-version",
            LOWEST_PYTHON,
            *self.inputs,
            *[argument for extra in self.extras for argument in ("--extra", extra)],
            *[argument for constraint in self.constraints for argument in ("--constraint", constraint)],
            "-o",
            self.output,
        ]


def all_locks() -> list[Lock]:
    """In compiling order: the tools' lock is constrained by the others, so it comes last."""
    shared = Lock("shared/requirements.lock", (SHARED_PYPROJECT,), ("metrics", "passwords", "sqlalchemy"))
    variant_locks = [
        Lock(
            f"{variant.folder.name}/requirements.lock",
            (SHARED_PYPROJECT, SHARED_BUILD_REQUIREMENTS, f"{variant.folder.name}/requirements.txt"),
            tuple(sorted(variant.shared_extras)),
        )
        for variant in variants.all_variants()
    ]
    others = [shared, *variant_locks]
    tools = Lock(
        "tools/requirements.lock",
        ("tools/requirements.txt", SHARED_PYPROJECT),
        ("test",),
        tuple(lock.output for lock in others),
    )
    return [*others, tools]


def compile_locks(uv_options: list[str]) -> None:
    for lock in all_locks():
        print(f"== {lock.output}", flush=True)
        subprocess.run([*lock.command(), "--quiet", *uv_options], cwd=REPO_ROOT, check=True)


# --- the check ---------------------------------------------------------------------------------


@dataclass
class Pin:
    name: str
    version: str
    marker: str | None
    hashes: list[str] = field(default_factory=list)
    # Where uv says it comes from: "-r flask_app/requirements.txt", "tasktracker (shared/pyproject.toml)", "flask" …
    via: list[str] = field(default_factory=list)


PIN_LINE = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;\\]+)\s*(?:;\s*(?P<marker>[^\\]+?))?\s*\\?$"
)


def read_lock(path: Path) -> tuple[list[str], list[Pin]]:
    """The lock's header command (as argv) and its pins."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[1].lstrip("#").split() if len(lines) > 1 else []
    pins: list[Pin] = []
    in_via = False
    for line in lines:
        stripped = line.strip()
        if match := PIN_LINE.match(line):
            pins.append(Pin(match["name"], match["version"], match["marker"]))
            in_via = False
        elif not pins:
            continue
        elif stripped.startswith("--hash="):
            pins[-1].hashes.append(stripped.removeprefix("--hash=").rstrip(" \\"))
        elif stripped.startswith("# via"):
            rest = stripped.removeprefix("# via").strip()
            in_via = not rest
            if rest:
                pins[-1].via.append(rest)
        elif in_via and stripped.startswith("#   "):
            pins[-1].via.append(stripped.removeprefix("#").strip())
        elif stripped:
            raise ValueError(f"{path}: a line the check cannot read: {line!r}")
    return header, pins


def input_requirements(lock: Lock) -> dict[str, list]:
    """Each input source of the lock (as uv's ``# via`` names it) and the requirements it states."""
    from packaging.requirements import Requirement

    sources: dict[str, list[Requirement]] = {}

    def read_requirements_file(relative: str) -> None:
        path = REPO_ROOT / relative
        stated = sources.setdefault(f"-r {relative}", [])
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = re.sub(r"(^|\s)#.*$", "", raw).strip()
            if not line:
                continue
            if line.startswith(("-r ", "--requirement ")):
                included = (path.parent / line.split(maxsplit=1)[1]).resolve().relative_to(REPO_ROOT).as_posix()
                read_requirements_file(included)
            elif line.startswith("-"):
                raise ValueError(f"{relative}: an option the check does not know: {line!r}")
            else:
                stated.append(Requirement(line))

    for relative in lock.inputs:
        if relative.endswith("pyproject.toml"):
            project = tomllib.loads((REPO_ROOT / relative).read_text(encoding="utf-8"))["project"]
            texts = list(project.get("dependencies", []))
            for extra in lock.extras:
                texts += project["optional-dependencies"][extra]
            sources[f"{project['name']} ({relative})"] = [Requirement(text) for text in texts]
        else:
            read_requirements_file(relative)
    return sources


def marker_environments() -> list[dict[str, str]]:
    from packaging.markers import default_environment

    environments = []
    for python in CHECKED_PYTHONS:
        environment = dict(default_environment())
        environment.update(
            python_version=python,
            python_full_version=f"{python}.0",
            implementation_name="cpython",
            platform_python_implementation="CPython",
            sys_platform="linux",
            platform_system="Linux",
            os_name="posix",
            platform_machine="x86_64",
        )
        environments.append(environment)
    return environments


def problems_of(lock: Lock) -> list[str]:
    from packaging.markers import Marker
    from packaging.utils import canonicalize_name

    path = REPO_ROOT / lock.output
    if not path.is_file():
        return [f"{lock.output} is missing: run `tox -e lock`"]
    header, pins = read_lock(path)
    problems = []
    if header != lock.command():
        problems.append(f"its header is not the command that compiles it now: {' '.join(lock.command())}")
    problems += [f"{pin.name}=={pin.version} has no hash" for pin in pins if not pin.hashes]

    def applies(marker: str | None, environment: dict[str, str]) -> bool:
        return marker is None or Marker(marker).evaluate(environment)

    sources = input_requirements(lock)
    for source, requirements in sources.items():
        for requirement in requirements:
            name = canonicalize_name(requirement.name)
            # Each problem once, with the Pythons it holds on.
            found: dict[str, list[str]] = {}
            for environment in marker_environments():
                if requirement.marker is not None and not requirement.marker.evaluate(environment | {"extra": ""}):
                    continue
                applying = [
                    pin for pin in pins if canonicalize_name(pin.name) == name and applies(pin.marker, environment)
                ]
                if len(applying) != 1:
                    problem = f"{requirement} ({source}) has {len(applying)} pins, not one"
                elif not requirement.specifier.contains(applying[0].version, prereleases=True):
                    problem = f"{requirement} ({source}): {applying[0].name}=={applying[0].version} is outside it"
                else:
                    continue
                found.setdefault(problem, []).append(environment["python_version"])
            problems += [f"{problem}, on Python {', '.join(pythons)}" for problem, pythons in found.items()]
        stated_names = {canonicalize_name(requirement.name) for requirement in requirements}
        for pin in pins:
            if source in pin.via and canonicalize_name(pin.name) not in stated_names:
                problems.append(f"{pin.name}=={pin.version} is pinned for {source}, which no longer asks for it")
    return problems


def disagreements(locks: list[Lock]) -> list[str]:
    """Pins of the tools' lock that another lock pins at another version: the two would not install together."""
    from packaging.utils import canonicalize_name

    def versions(lock: Lock) -> dict[tuple[str, str | None], str]:
        _, pins = read_lock(REPO_ROOT / lock.output)
        return {(canonicalize_name(pin.name), pin.marker): pin.version for pin in pins}

    tools, others = locks[-1], locks[:-1]
    tools_versions = versions(tools)
    problems = []
    for other in others:
        for key, version in versions(other).items():
            if key in tools_versions and tools_versions[key] != version:
                problems.append(f"{tools.output} pins {key[0]}=={tools_versions[key]}, {other.output} pins {version}")
    return problems


def build_backend_problems() -> list[str]:
    """shared/build-requirements.txt must say what shared/pyproject.toml's [build-system] requires."""
    from packaging.requirements import Requirement

    pyproject = tomllib.loads((REPO_ROOT / SHARED_PYPROJECT).read_text(encoding="utf-8"))
    required = sorted(str(Requirement(text)) for text in pyproject["build-system"]["requires"])
    lock = Lock("", (SHARED_BUILD_REQUIREMENTS,))
    stated = sorted(str(requirement) for requirement in input_requirements(lock)[f"-r {SHARED_BUILD_REQUIREMENTS}"])
    if stated != required:
        return [f"{SHARED_BUILD_REQUIREMENTS} says {stated}, {SHARED_PYPROJECT}'s [build-system] requires {required}"]
    return []


def check() -> int:
    locks = all_locks()
    stale = False
    for problem in build_backend_problems():
        print(problem, file=sys.stderr)
        stale = True
    for lock in locks:
        problems = problems_of(lock)
        for problem in problems:
            print(f"{lock.output}: {problem}", file=sys.stderr)
        stale = stale or bool(problems)
    if not stale:
        for problem in disagreements(locks):
            print(problem, file=sys.stderr)
            stale = True
    if stale:
        print("stale locks: refresh them with `tox -e lock`", file=sys.stderr)
        return 1
    print(f"{len(locks)} locks match their inputs")
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["compile"]:
        compile_locks(argv[1:])
        return 0
    if argv == ["check"]:
        return check()
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
