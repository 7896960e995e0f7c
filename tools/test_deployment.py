"""The deployment files must start every variant exactly as its variant.toml says.

One set of checks per folder with a ``variant.toml``: a variant without its compose services fails
here, as does one whose image or services drifted from its declaration.

    tox -e deployment
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import edge
import pytest
import yaml

import deployment
from deployment import VariantDeployment

# The tox suite runs on these; an image must run on one of them.
TESTED_PYTHON_IMAGES = re.compile(r"^python:3\.1[123]-slim(?:-\w+)?(?:@sha256:\w+)?$")
COMPILER_PACKAGES = ("gcc", "g++", "build-essential", "clang", "make")

COMPOSE = deployment.load_compose()
DEPLOYMENTS = deployment.deployments(COMPOSE)


@pytest.fixture(params=DEPLOYMENTS, ids=lambda each: each.variant.name)
def deployed(request: pytest.FixtureRequest) -> VariantDeployment:
    """One variant whose two compose services, and the image they build, exist; else the test fails."""
    each, name = request.param, request.param.variant.name
    if each.server is None or each.migrate is None:
        pytest.fail(f"docker-compose.yml lacks {name} or {name}-migrate", pytrace=False)
    try:
        stages = each.image.stages
    except FileNotFoundError as missing:
        pytest.fail(f"the {name} services build {missing.filename}, which does not exist", pytrace=False)
    assert stages, f"the Dockerfile the {name} services build has no FROM"
    return each


def test_at_least_one_variant_is_declared() -> None:
    assert DEPLOYMENTS, "no */variant.toml found"


def test_compose_interpolation_is_read_as_compose_reads_it() -> None:
    assert deployment.with_defaults("${A:-x} ${B-y} ${C} $D $$E $${F}") == "x y   $E ${F}"
    with pytest.raises(ValueError, match="requires"):
        deployment.with_defaults("${SECRET:?set it}")


# --- the image ------------------------------------------------------------------------------


def test_server_runs_the_serve_declaration(deployed: VariantDeployment, tmp_path: Path) -> None:
    """The image's CMD, run in the variant folder, execs variant.toml's serve argv; so does a service command."""
    serve = list(deployed.variant.serve)
    assert deployed.image.exec_form("ENTRYPOINT") is None, "an ENTRYPOINT would wrap the serve command"
    command = deployed.image.exec_form("CMD")
    assert command and command[0] == "python", "the final stage's CMD runs on the image's python"
    # That python is this one here; the program it execs is a stub that prints the arguments it was given.
    stub = tmp_path / serve[0]
    stub.write_text('#!/bin/sh\nprintf "%s\\n" "$@"\n', encoding="utf-8")
    stub.chmod(0o755)
    execed = subprocess.run(
        [sys.executable, *command[1:]],
        cwd=deployed.variant.folder,
        env={"PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}"},
        capture_output=True,
        text=True,
    )
    assert (execed.returncode, execed.stdout.splitlines()) == (0, serve[1:]), execed.stderr
    assert deployed.server.get("command", serve) == serve


def test_image_exposes_and_listens_on_the_variant_port(deployed: VariantDeployment) -> None:
    port = str(deployed.variant.port)
    assert [port_spec for words in deployed.image.final("EXPOSE") for port_spec in words] == [port]
    environment = {**deployed.image.parser.envs, **deployed.server["environment"]}
    assert environment.get("PORT") == port
    # The spec's default is loopback, which nothing outside the container can reach.
    assert environment.get("HOST") == "0.0.0.0"


def test_image_works_in_the_variant_folder(deployed: VariantDeployment) -> None:
    """The serve command's relative paths resolve because the folder's content is the WORKDIR."""
    assert deployed.image.workdir_source() == deployed.variant.folder.resolve()


def test_server_writes_only_where_no_code_is(deployed: VariantDeployment) -> None:
    """The code stays root's: the server's folders are var/ and runtime ones that the build context sends empty."""
    writable = deployed.image.parser.args["WRITABLE_FOLDERS"].split()
    assert "var" in writable
    folder, ignored = deployed.variant.folder, deployment.dockerignore()
    sent = [
        path.relative_to(folder)
        for name in writable
        for path in (folder / name).rglob("*")
        if path.is_file() and not ignored.match_file(path.relative_to(deployment.REPO_ROOT).as_posix())
    ]
    assert not sent, f"the server could rewrite {sent}"


def test_image_is_multi_stage_slim_and_unprivileged(deployed: VariantDeployment) -> None:
    image = deployed.image
    assert len(image.stages) >= 2, "build in one stage, copy the result into a slim final stage"
    assert any(words[0].startswith("--from=") for words in image.final("COPY"))
    base_images = image.parser.parent_images
    assert TESTED_PYTHON_IMAGES.match(base_images[-1]), f"{base_images[-1]} is not a slim Python that tox tests"
    # The virtualenv's python is a symlink into the base image: both stages must be the same image.
    assert base_images[0] == base_images[-1]
    final_commands = " ".join(word for words in image.final("RUN") for word in words)
    assert not [package for package in COMPILER_PACKAGES if re.search(rf"\b{re.escape(package)}\b", final_commands)]
    users = image.final("USER")
    assert users and users[-1][0].split(":")[0] not in ("root", "0")


def test_image_installs_the_variant_lock_with_hashes(deployed: VariantDeployment) -> None:
    """The virtualenv is the variant's hashed lock and nothing else: the shared package goes in without
    dependencies and without build isolation (its backend is in the lock), so nothing is resolved afresh."""
    installs = deployed.image.pip_installs()
    lock = str(deployed.variant.folder / "requirements.lock")
    assert installs[0] == ["--require-hashes", "-r", lock], f"the first install must be {lock}, hash-checked"
    for arguments in installs[1:]:
        assert {"--no-deps", "--no-build-isolation"} <= set(arguments), f"`pip install {' '.join(arguments)}` resolves"


def test_image_healthcheck_asks_for_readiness_with_python(deployed: VariantDeployment) -> None:
    argv = deployed.image.exec_form("HEALTHCHECK")
    assert argv is not None, "the final stage has no HEALTHCHECK"
    assert argv[0] == "python", "python:slim has no curl or wget"
    assert "/health/ready" in " ".join(argv)


# --- the compose services -------------------------------------------------------------------


def test_services_build_one_image_from_the_repository_root(deployed: VariantDeployment) -> None:
    assert deployed.server["build"] == deployed.migrate["build"], "the migration must run the server's image"
    assert deployed.server["build"]["context"] == ".", "the build context is the repository root (shared/)"


def test_migrate_command_is_the_migrate_declaration(deployed: VariantDeployment) -> None:
    assert deployed.migrate.get("command") == list(deployed.variant.migrate)


def test_the_edge_publishes_the_variant_port_and_passes_it_to_the_variant(deployed: VariantDeployment) -> None:
    """The variant is reached only through the edge, on its own port; nginx.conf passes that port on."""
    name, port = deployed.variant.name, deployed.variant.port
    assert "ports" not in deployed.server and "ports" not in deployed.migrate
    assert deployed.server.get("expose") == [str(port)]
    published = [
        (int(each["target"]), int(each["published"]), each.get("host_ip"))
        for each in COMPOSE["services"]["edge"]["ports"]
    ]
    assert (port, port, "127.0.0.1") in published, "the long syntax: target, published, host_ip"
    assert edge.declared_variants().get(name) == port
    assert f"set $variant {name}:{port};" in edge.CONFIG_PATH.read_text(encoding="utf-8")


def test_services_use_the_variant_database(deployed: VariantDeployment) -> None:
    environment = deployed.server["environment"]
    assert environment == deployed.migrate["environment"], "the migration must prepare the server's database"
    database_url = urlsplit(environment.get("DATABASE_URL", ""))
    assert (database_url.scheme, database_url.hostname) == ("postgresql", "postgres")
    database_name = database_url.path.lstrip("/")
    assert database_name == f"tasktracker_{deployed.variant.name}"
    assert database_name in deployment.init_script_databases(), f"the postgres init script lacks {database_name}"


def test_server_starts_after_a_healthy_database_and_a_finished_migration(deployed: VariantDeployment) -> None:
    assert deployed.server.get("depends_on") == {
        "postgres": {"condition": "service_healthy"},
        f"{deployed.variant.name}-migrate": {"condition": "service_completed_successfully"},
        "edge": {"condition": "service_started"},
    }
    assert deployed.migrate.get("depends_on") == {"postgres": {"condition": "service_healthy"}}
    assert deployed.migrate.get("restart") == "no"


def test_starting_the_variant_starts_only_what_it_needs(deployed: VariantDeployment) -> None:
    """`docker compose up <name>` starts the service and what it depends on, transitively."""
    started, to_visit = set(), [deployed.variant.name]
    while to_visit:
        if (name := to_visit.pop()) not in started:
            started.add(name)
            to_visit.extend(COMPOSE["services"][name].get("depends_on", []))
    assert started == {"postgres", f"{deployed.variant.name}-migrate", deployed.variant.name, "edge"}


def test_prometheus_scrapes_the_variant(deployed: VariantDeployment) -> None:
    config = yaml.safe_load(deployment.PROMETHEUS_CONFIG_PATH.read_text(encoding="utf-8"))
    discovered = [
        (name, sd_config.get("port"))
        for scrape_config in config["scrape_configs"]
        for sd_config in scrape_config.get("dns_sd_configs", [])
        for name in sd_config["names"]
    ]
    assert (deployed.variant.name, deployed.variant.port) in discovered


def test_every_built_service_is_a_variant_service() -> None:
    """A built service that no variant.toml declares would escape every check above."""
    declared = {name for each in DEPLOYMENTS for name in (each.variant.name, f"{each.variant.name}-migrate")}
    assert {name for name, service in COMPOSE["services"].items() if "build" in service} <= declared


def test_dockerignore_keeps_local_state_out_of_the_build_context() -> None:
    local_state = [
        ".git/",
        ".tox/",
        ".venv/",
        "flask_app/var/tasks.db",
        "flask_app/tracker/__pycache__/",
        "x/.pytest_cache/",
    ]
    assert [path for path in local_state if not deployment.dockerignore().match_file(path)] == []


def test_nothing_secret_is_committed() -> None:
    """Secrets come from the environment, with demo defaults; no literal password in the compose file."""
    for line in deployment.COMPOSE_PATH.read_text(encoding="utf-8").splitlines():
        if re.search(r"(PASSWORD|SECRET)\w*:", line):
            assert "${" in line, f"a secret without a ${{VARIABLE}} to set it: {line.strip()}"


def test_paths_mounted_from_the_repository_exist() -> None:
    for name, service in COMPOSE["services"].items():
        for source in (volume.split(":")[0] for volume in service.get("volumes", [])):
            assert not source.startswith("./") or (deployment.REPO_ROOT / source).exists(), f"{name} mounts {source}"


def test_the_edge_serves_exactly_the_declared_variants() -> None:
    """One server block per variant, none for a variant that does not exist, and one port each."""
    declared = {each.variant.name: each.variant.port for each in DEPLOYMENTS}
    assert edge.declared_variants() == declared
    published = sorted(int(each["published"]) for each in COMPOSE["services"]["edge"]["ports"])
    assert published == sorted(declared.values())
