"""The deployment files must start every variant exactly as its variant.toml says.

One set of checks per folder with a ``variant.toml``: a variant without a Dockerfile or without its
compose services fails here, as does one whose image or services drifted from its declaration.

    tox -e deployment
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

import deployment
from deployment import VariantDeployment

# The tox suite runs on these; an image must run on one of them.
TESTED_PYTHON_IMAGES = re.compile(r"^python:3\.1[123]-slim(?:-\w+)?(?:@sha256:\w+)?$")
COMPILER_PACKAGES = ("gcc", "g++", "build-essential", "clang", "make")

COMPOSE = deployment.load_compose()
DEPLOYMENTS = deployment.deployments(COMPOSE)


def for_each_variant(test):
    return pytest.mark.parametrize("variant_deployment", DEPLOYMENTS, ids=lambda each: each.variant.name)(test)


def dockerfile_of(variant_deployment: VariantDeployment) -> deployment.Dockerfile:
    if not variant_deployment.dockerfile_path.is_file():
        pytest.fail(f"no {variant_deployment.dockerfile_path.relative_to(deployment.REPO_ROOT)}", pytrace=False)
    return variant_deployment.dockerfile()


def services_of(variant_deployment: VariantDeployment) -> tuple[dict, dict]:
    """The variant's server and migrate services."""
    if variant_deployment.service is None or variant_deployment.migrate_service is None:
        pytest.fail(
            f"docker-compose.yml lacks {variant_deployment.service_name} or {variant_deployment.migrate_service_name}",
            pytrace=False,
        )
    return variant_deployment.service, variant_deployment.migrate_service


def test_at_least_one_variant_is_declared() -> None:
    assert DEPLOYMENTS, "no */variant.toml found"


# --- the image ------------------------------------------------------------------------------


@for_each_variant
def test_variant_has_a_dockerfile(variant_deployment: VariantDeployment) -> None:
    assert variant_deployment.dockerfile_path.is_file(), (
        f"{variant_deployment.variant.name} has a variant.toml but no {variant_deployment.dockerfile_path.name} "
        f"in {variant_deployment.variant.folder.name}/ (see the README's 'Adding a variant to the deployment')"
    )


@for_each_variant
def test_image_command_is_the_serve_declaration(variant_deployment: VariantDeployment) -> None:
    dockerfile = dockerfile_of(variant_deployment)
    command = dockerfile.last("CMD")
    assert command is not None, "the final stage has no CMD"
    assert command.exec_form() == list(variant_deployment.variant.serve)
    assert dockerfile.last("ENTRYPOINT") is None, "an ENTRYPOINT would wrap the serve command"


@for_each_variant
def test_image_exposes_and_listens_on_the_variant_port(variant_deployment: VariantDeployment) -> None:
    dockerfile = dockerfile_of(variant_deployment)
    port = str(variant_deployment.variant.port)
    exposed = [port_spec for instruction in dockerfile.final("EXPOSE") for port_spec in instruction.arguments.split()]
    assert exposed == [port]
    environment = dockerfile.environment()
    assert environment.get("PORT") == port
    # The spec's default is loopback, which nothing outside the container can reach.
    assert environment.get("HOST") == "0.0.0.0"


@for_each_variant
def test_image_works_in_the_variant_folder(variant_deployment: VariantDeployment) -> None:
    """The serve command's relative paths resolve because the folder's content is the WORKDIR."""
    dockerfile = dockerfile_of(variant_deployment)
    workdir = dockerfile.last("WORKDIR")
    assert workdir is not None, "the final stage has no WORKDIR"
    folder_copies = [
        instruction.arguments.split()
        for instruction in dockerfile.final("COPY")
        if f"{variant_deployment.variant.folder.name}/" in instruction.arguments.split()
    ]
    assert folder_copies, f"the final stage does not COPY {variant_deployment.variant.folder.name}/"
    assert folder_copies[0][-1].rstrip("/") == workdir.arguments.rstrip("/")


@for_each_variant
def test_image_is_multi_stage_slim_and_unprivileged(variant_deployment: VariantDeployment) -> None:
    dockerfile = dockerfile_of(variant_deployment)
    assert len(dockerfile.stages) >= 2, "build in one stage, copy the result into a slim final stage"
    assert any("--from=" in instruction.arguments for instruction in dockerfile.final("COPY"))
    base_images = [stage[0].arguments.split()[0] for stage in dockerfile.stages]
    assert TESTED_PYTHON_IMAGES.match(base_images[-1]), f"{base_images[-1]} is not a slim Python that tox tests"
    # The virtualenv's python is a symlink into the base image: both stages must be the same image.
    assert base_images[0] == base_images[-1]
    final_commands = " ".join(instruction.arguments for instruction in dockerfile.final("RUN"))
    assert not [package for package in COMPILER_PACKAGES if re.search(rf"\b{re.escape(package)}\b", final_commands)]
    user = dockerfile.last("USER")
    assert user is not None and user.arguments.split(":")[0] not in ("root", "0")


@for_each_variant
def test_image_healthcheck_asks_for_readiness_with_python(variant_deployment: VariantDeployment) -> None:
    healthcheck = dockerfile_of(variant_deployment).last("HEALTHCHECK")
    assert healthcheck is not None, "the final stage has no HEALTHCHECK"
    argv = healthcheck.exec_form()
    assert argv[0] == "python", "python:slim has no curl or wget"
    assert "/health/ready" in " ".join(argv)


# --- the compose services -------------------------------------------------------------------


@for_each_variant
def test_variant_has_its_compose_services(variant_deployment: VariantDeployment) -> None:
    missing = [
        name
        for name, service in (
            (variant_deployment.service_name, variant_deployment.service),
            (variant_deployment.migrate_service_name, variant_deployment.migrate_service),
        )
        if service is None
    ]
    assert not missing, f"docker-compose.yml has no service {', '.join(missing)}"


@for_each_variant
def test_services_build_the_variant_dockerfile(variant_deployment: VariantDeployment) -> None:
    for service in services_of(variant_deployment):
        assert service["build"]["context"] == ".", "the build context is the repository root (shared/)"
        assert deployment.build_dockerfile_path(service) == variant_deployment.dockerfile_path.resolve()


@for_each_variant
def test_server_command_is_the_serve_declaration(variant_deployment: VariantDeployment) -> None:
    server, _ = services_of(variant_deployment)
    command = server.get("command")
    assert command is not None, "without a command the service would rely on the image's CMD silently"
    assert deployment.command_argv(command) == list(variant_deployment.variant.serve)


@for_each_variant
def test_migrate_command_is_the_migrate_declaration(variant_deployment: VariantDeployment) -> None:
    _, migrate = services_of(variant_deployment)
    command = migrate.get("command")
    assert deployment.command_argv(command) == list(variant_deployment.variant.migrate)


@for_each_variant
def test_server_publishes_the_variant_port(variant_deployment: VariantDeployment) -> None:
    port = variant_deployment.variant.port
    server, migrate = services_of(variant_deployment)
    ports = server.get("ports")
    assert ports and len(ports) == 1, "one published port, in the long syntax (target, published, host_ip)"
    assert int(ports[0]["target"]) == port
    assert int(ports[0]["published"]) == port
    assert "ports" not in migrate


@for_each_variant
def test_services_use_the_variant_database(variant_deployment: VariantDeployment) -> None:
    server, migrate = services_of(variant_deployment)
    server_environment = deployment.service_environment(server)
    migrate_environment = deployment.service_environment(migrate)
    assert server_environment == migrate_environment, "the migration must prepare the server's database"
    database_url = urlsplit(server_environment.get("DATABASE_URL", ""))
    assert database_url.scheme == "postgresql"
    assert database_url.hostname == "postgres"
    database_name = database_url.path.lstrip("/")
    assert database_name == f"tasktracker_{variant_deployment.variant.name}"
    assert database_name in deployment.init_script_databases(), (
        f"{deployment.POSTGRES_INIT_PATH.name} does not create {database_name}"
    )


@for_each_variant
def test_server_starts_after_a_healthy_database_and_a_finished_migration(
    variant_deployment: VariantDeployment,
) -> None:
    server, migrate = services_of(variant_deployment)
    assert server.get("depends_on") == {
        "postgres": {"condition": "service_healthy"},
        variant_deployment.migrate_service_name: {"condition": "service_completed_successfully"},
    }
    assert migrate.get("depends_on") == {"postgres": {"condition": "service_healthy"}}
    assert migrate.get("restart") == "no"


@for_each_variant
def test_starting_the_variant_starts_only_what_it_needs(variant_deployment: VariantDeployment) -> None:
    """`docker compose up <name>` starts the service and what it depends on, transitively."""
    services_of(variant_deployment)
    started, to_visit = set(), [variant_deployment.service_name]
    while to_visit:
        name = to_visit.pop()
        if name not in started:
            started.add(name)
            to_visit.extend(COMPOSE["services"][name].get("depends_on", []))
    assert started == {"postgres", variant_deployment.migrate_service_name, variant_deployment.service_name}


@for_each_variant
def test_prometheus_scrapes_the_variant(variant_deployment: VariantDeployment) -> None:
    with deployment.PROMETHEUS_CONFIG_PATH.open(encoding="utf-8") as config_file:
        config = yaml.safe_load(config_file)
    discovered = [
        (name, sd_config.get("port"))
        for scrape_config in config["scrape_configs"]
        for sd_config in scrape_config.get("dns_sd_configs", [])
        for name in sd_config["names"]
    ]
    assert (variant_deployment.service_name, variant_deployment.variant.port) in discovered


def test_every_variant_folder_in_compose_is_declared() -> None:
    """A compose service built from a folder without a variant.toml would escape every check above."""
    declared = {each.dockerfile_path.resolve() for each in DEPLOYMENTS}
    for name, service in COMPOSE["services"].items():
        if "build" in service:
            assert deployment.build_dockerfile_path(service) in declared, f"service {name}"


def test_dockerignore_keeps_local_state_out_of_the_build_context() -> None:
    ignored = {
        line.strip().rstrip("/").removeprefix("**/")
        for line in deployment.DOCKERIGNORE_PATH.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {"var", ".tox", ".venv", "__pycache__", ".pytest_cache", ".git"} <= ignored


def test_nothing_secret_is_committed() -> None:
    """Secrets come from the environment, with demo defaults; no literal password in the compose file."""
    compose_text = deployment.COMPOSE_PATH.read_text(encoding="utf-8")
    for line in compose_text.splitlines():
        if re.search(r"(PASSWORD|SECRET)\w*:", line):
            assert "${" in line, f"a secret without a ${{VARIABLE}} to set it: {line.strip()}"


def test_paths_mounted_from_the_repository_exist() -> None:
    for name, service in COMPOSE["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (deployment.REPO_ROOT / Path(source)).exists(), f"service {name} mounts {source}"
