"""The deployment files as data: docker-compose.yml, each variant's Dockerfile, prometheus.yml.

Read by the drift test (``tools/test_deployment.py``) and the compose smoke run
(``tools/compose_smoke.py``), which both hold these files against each ``variant.toml``.
There is no Docker engine on the machines that run them, so this reads the files the way
Docker Compose and the Docker builder would, for the small subset of syntax the repo uses.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

import variants

REPO_ROOT = variants.REPO_ROOT
COMPOSE_PATH = REPO_ROOT / "docker-compose.yml"
PROMETHEUS_CONFIG_PATH = REPO_ROOT / "deploy" / "prometheus" / "prometheus.yml"
POSTGRES_INIT_PATH = REPO_ROOT / "deploy" / "postgres" / "create-databases.sql"
DASHBOARD_PATH = REPO_ROOT / "deploy" / "grafana" / "dashboards" / "tasktracker.json"
DOCKERIGNORE_PATH = REPO_ROOT / ".dockerignore"

# Compose's interpolation: $$ is a literal $, ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}.
INTERPOLATION = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<braced>\w+)(?:(?P<operator>:?[-?])(?P<argument>[^}]*))?\}|(?P<named>\w+))"
)


def interpolate(text: str, variables: Mapping[str, str]) -> str:
    def substitute(match: re.Match) -> str:
        if match["escaped"]:
            return "$"
        name = match["braced"] or match["named"]
        value = variables.get(name)
        operator = match["operator"]
        missing = value is None or (value == "" and operator is not None and operator.startswith(":"))
        if not missing:
            return value
        if operator and operator.endswith("?"):
            raise ValueError(f"docker-compose.yml requires {name}: {match['argument']}")
        return match["argument"] if operator else ""

    return INTERPOLATION.sub(substitute, text)


def interpolated(node, variables: Mapping[str, str]):
    if isinstance(node, str):
        return interpolate(node, variables)
    if isinstance(node, list):
        return [interpolated(item, variables) for item in node]
    if isinstance(node, dict):
        return {key: interpolated(value, variables) for key, value in node.items()}
    return node


def load_compose(variables: Mapping[str, str] | None = None) -> dict:
    """The compose file with anchors merged and ``${...}`` replaced (by their defaults unless given)."""
    with COMPOSE_PATH.open(encoding="utf-8") as compose_file:
        return interpolated(yaml.safe_load(compose_file), variables or {})


def command_argv(command: str | list[str]) -> list[str]:
    """A compose ``command``: a list is the argv; a string is split the way Compose splits it."""
    return list(command) if isinstance(command, list) else shlex.split(command)


def service_environment(service: dict) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(entry.split("=", 1) for entry in environment)
    return {name: "" if value is None else str(value) for name, value in environment.items()}


@dataclass
class Instruction:
    keyword: str
    arguments: str

    def exec_form(self) -> list[str]:
        """The JSON-array argv of CMD, ENTRYPOINT or HEALTHCHECK ... CMD; shell form is not used here."""
        arguments = self.arguments
        if self.keyword == "HEALTHCHECK":
            arguments = re.sub(r"^(?:--\S+\s+)*CMD\s+", "", arguments)
        try:
            argv = json.loads(arguments)
        except ValueError:
            raise ValueError(f"{self.keyword} must be in exec form (a JSON array), not {self.arguments!r}") from None
        return argv


@dataclass
class Dockerfile:
    path: Path
    stages: list[list[Instruction]] = field(default_factory=list)

    @classmethod
    def read(cls, path: Path) -> Dockerfile:
        dockerfile = cls(path)
        logical_line = ""
        for physical_line in path.read_text(encoding="utf-8").splitlines():
            stripped = physical_line.strip()
            if not logical_line and (not stripped or stripped.startswith("#")):
                continue
            if stripped.endswith("\\"):
                logical_line += stripped[:-1] + " "
                continue
            logical_line += stripped
            keyword, _, arguments = logical_line.partition(" ")
            instruction = Instruction(keyword.upper(), arguments.strip())
            if instruction.keyword == "FROM":
                dockerfile.stages.append([])
            dockerfile.stages[-1].append(instruction)
            logical_line = ""
        return dockerfile

    @property
    def final_stage(self) -> list[Instruction]:
        return self.stages[-1]

    def final(self, keyword: str) -> list[Instruction]:
        return [instruction for instruction in self.final_stage if instruction.keyword == keyword]

    def last(self, keyword: str) -> Instruction | None:
        found = self.final(keyword)
        return found[-1] if found else None

    def environment(self) -> dict[str, str]:
        """The final stage's ``ENV NAME=value ...`` (``$PATH``-style references are left as written)."""
        environment = {}
        for instruction in self.final("ENV"):
            for assignment in shlex.split(instruction.arguments):
                name, _, value = assignment.partition("=")
                environment[name] = value
        return environment

    def builder_pip_install_arguments(self) -> list[str]:
        """The arguments of the build stages' ``pip install``, as paths of this repository.

        Container paths are mapped back through the stage's ``COPY <repository path> <container path>``,
        so that ``/src/shared[sqlalchemy]`` becomes ``<repo>/shared[sqlalchemy]``.
        """
        arguments = []
        for stage in self.stages[:-1]:
            copies = [
                instruction.arguments.split()[-2:]
                for instruction in stage
                if instruction.keyword == "COPY" and "--from=" not in instruction.arguments
            ]
            for instruction in stage:
                if instruction.keyword != "RUN" or not instruction.arguments.startswith("pip install "):
                    continue
                for argument in shlex.split(instruction.arguments)[2:]:
                    for source, destination in copies:
                        if argument.startswith(destination.rstrip("/")):
                            argument = str(REPO_ROOT / source.rstrip("/")) + argument[len(destination.rstrip("/")) :]
                            break
                    arguments.append(argument)
        return arguments


def dockerignore_patterns() -> list[re.Pattern]:
    """``.dockerignore`` as regular expressions over paths relative to the build context.

    The subset the repo uses: ``*``, ``**/`` and trailing slashes; no ``!`` exceptions.
    """
    patterns = []
    for line in DOCKERIGNORE_PATH.read_text(encoding="utf-8").splitlines():
        pattern = line.strip().strip("/")
        if not pattern or pattern.startswith("#"):
            continue
        if pattern.startswith("!"):
            raise ValueError(".dockerignore exceptions (!) are not read by tools/deployment.py")
        expression = re.escape(pattern).replace(r"\*\*/", "(?:.*/)?").replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
        patterns.append(re.compile(expression))
    return patterns


def is_dockerignored(relative_path: str, patterns: list[re.Pattern]) -> bool:
    """Ignored itself, or inside an ignored folder."""
    parts = relative_path.split("/")
    return any(
        pattern.fullmatch("/".join(parts[:length])) for length in range(1, len(parts) + 1) for pattern in patterns
    )


@dataclass
class VariantDeployment:
    """One variant as deployed: its declaration, its Dockerfile and its two compose services."""

    variant: variants.Variant
    compose: dict

    @property
    def service_name(self) -> str:
        return self.variant.name

    @property
    def migrate_service_name(self) -> str:
        return f"{self.variant.name}-migrate"

    @property
    def service(self) -> dict | None:
        return self.compose["services"].get(self.service_name)

    @property
    def migrate_service(self) -> dict | None:
        return self.compose["services"].get(self.migrate_service_name)

    @property
    def dockerfile_path(self) -> Path:
        return self.variant.folder / "Dockerfile"

    def dockerfile(self) -> Dockerfile:
        return Dockerfile.read(self.dockerfile_path)


def init_script_databases() -> list[str]:
    """The databases the postgres container creates on its first start."""
    return re.findall(r"CREATE DATABASE (\w+);", POSTGRES_INIT_PATH.read_text(encoding="utf-8"))


def build_dockerfile_path(service: dict) -> Path:
    """The Dockerfile a compose service builds, as a path on this machine."""
    build = service["build"]
    context = REPO_ROOT / build["context"]
    return (context / build.get("dockerfile", "Dockerfile")).resolve()


def deployments(compose: dict | None = None) -> list[VariantDeployment]:
    compose = compose or load_compose()
    return [VariantDeployment(variant, compose) for variant in variants.all_variants()]
