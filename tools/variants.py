"""The variants' serve declarations: one ``variant.toml`` per variant folder.

Each ``<name>_app/variant.toml`` says, once, how that variant is migrated and served; its
framework distribution and default port are written once too, in the shared package's
``variants.toml``, which the variant reads at run time. This module is the only reader of both
for the tools: the tox serve envs, the contract-suite harness and the deployment checks all go
through it, so the ways of starting a variant cannot drift apart.

    python tools/variants.py list           # the declared variants
    python tools/variants.py serve flask    # migrate, then exec the server (tox -e serve-flask)
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import IO

REPO_ROOT = Path(__file__).resolve().parent.parent
# Read as a file, not imported: the tools' envs need not install the shared package.
SHARED_VARIANT_TABLE = REPO_ROOT / "shared" / "src" / "tasktracker" / "variants.toml"


@dataclass(frozen=True)
class Variant:
    name: str
    framework: str
    port: int
    folder: Path
    migrate: tuple[str, ...]
    serve: tuple[str, ...]
    # The shared package's extras the variant runs with, e.g. ("sqlalchemy", "metrics").
    shared_extras: tuple[str, ...]


def load(name: str) -> Variant:
    folder = REPO_ROOT / f"{name}_app"
    declaration_path = folder / "variant.toml"
    if not declaration_path.is_file():
        raise SystemExit(f"no variant named {name!r}: {declaration_path} does not exist")
    with declaration_path.open("rb") as declaration_file:
        declaration = tomllib.load(declaration_file)
    if declaration["name"] != name:
        raise SystemExit(f"{declaration_path} declares name {declaration['name']!r}, expected {name!r}")
    shared_declaration = tomllib.loads(SHARED_VARIANT_TABLE.read_text(encoding="utf-8"))[name]
    return Variant(
        name=name,
        framework=shared_declaration["framework"],
        port=int(shared_declaration["port"]),
        folder=folder,
        migrate=tuple(declaration["migrate"]),
        serve=tuple(declaration["serve"]),
        shared_extras=tuple(declaration["shared_extras"]),
    )


def all_variants() -> list[Variant]:
    names = sorted(path.parent.name.removesuffix("_app") for path in REPO_ROOT.glob("*_app/variant.toml"))
    return [load(name) for name in names]


def run_migrations(variant: Variant, env: dict[str, str] | None = None) -> None:
    subprocess.run(variant.migrate, cwd=variant.folder, env=env, check=True)


def start_server(
    argv: list[str] | tuple[str, ...], cwd: Path, env: dict[str, str], stdout: IO[bytes], stderr: IO[bytes] | int
) -> subprocess.Popen[bytes]:
    """A server in the background, in a session of its own, so that signals sent to it (and to the
    tools that started it) stay apart; its PID is the server's own, for stopping it by PID."""
    return subprocess.Popen(
        list(argv), cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr, start_new_session=True
    )


def serve(name: str) -> None:
    """Migrate, then replace this process with the server, so signals reach it directly."""
    variant = load(name)
    run_migrations(variant)
    os.chdir(variant.folder)
    os.execvp(variant.serve[0], list(variant.serve))


def free_port() -> int:
    """A port on the loopback interface that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def clean_environment() -> dict[str, str]:
    """This process's environment without the outer tox env's traces, for an inner tox, pytest or server."""
    return {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("TOX_") and name not in ("VIRTUAL_ENV", "CONTRACT_DATABASE_URL")
    }


def env_environment(env_dir: Path) -> dict[str, str]:
    """The environment to run a tool of a tox env in from outside tox: its bin first on PATH, and
    its bytecode in its own folder, as tox.ini's ``PYTHONPYCACHEPREFIX`` puts it (without it every
    server start would compile its packages again)."""
    return clean_environment() | {
        "PATH": f"{env_dir / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "VIRTUAL_ENV": str(env_dir),
        "PYTHONPYCACHEPREFIX": str(env_dir / "pycache"),
    }


def prepare_tox_envs(env_names: list[str], jobs: int, environment: dict[str, str]) -> dict[str, Path]:
    """Create or update these tox envs, ``jobs`` at a time; their directories, by env name.

    For the tools that run every variant from its own env (parity, compare).
    """
    tox = [sys.executable, "-m", "tox"]
    joined = ",".join(env_names)
    subprocess.run(
        [*tox, "run-parallel", "--notest", "--parallel", str(jobs), "--parallel-no-spinner", "-e", joined],
        cwd=REPO_ROOT,
        env=environment,
        check=True,
    )
    listing = subprocess.run(
        [*tox, "config", "-e", joined, "-k", "env_dir"],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    env_dirs, current = {}, None
    for line in listing.splitlines():
        if header := re.fullmatch(r"\[testenv:(.+)\]", line.strip()):
            current = header[1]
        elif line.startswith("env_dir = ") and current:
            env_dirs[current] = Path(line.removeprefix("env_dir = ").strip())
    return env_dirs


def main(argv: list[str]) -> None:
    match argv:
        case ["list"]:
            for variant in all_variants():
                print(f"{variant.name}\t{variant.port}\t{variant.framework}")
        case ["serve", name]:
            serve(name)
        case _:
            raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
