"""The deployment files as data, for ``tools/test_deployment.py`` and ``tools/compose_smoke.py``.

There is no Docker engine where those run, so the files are read the way Docker reads them:
deploy/Dockerfile by dockerfile-parse, with a compose service's build args; ``.dockerignore`` by
pathspec (its patterns are written so that gitignore's rules and Docker's agree); docker-compose.yml
by PyYAML, and its interpolation by ``with_defaults``, because no maintained library follows
Compose's rules (``$$`` is a literal ``$``).
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pathspec
import yaml
from dockerfile_parse import DockerfileParser
from dockerfile_parse.util import WordSplitter

import variants

REPO_ROOT = variants.REPO_ROOT
COMPOSE_PATH = REPO_ROOT / "docker-compose.yml"
PROMETHEUS_CONFIG_PATH = REPO_ROOT / "deploy" / "prometheus" / "prometheus.yml"
POSTGRES_INIT_PATH = REPO_ROOT / "deploy" / "postgres" / "create-databases.sql"
DASHBOARD_PATH = REPO_ROOT / "deploy" / "grafana" / "dashboards" / "tasktracker.json"
DOCKERIGNORE_PATH = REPO_ROOT / ".dockerignore"

# $$, ${NAME}, $NAME, ${NAME:-default}, ${NAME-default}, ${NAME:?error} and ${NAME?error}.
INTERPOLATION = re.compile(r"\$(?:(?P<dollar>\$)|\{\w+(?::?(?P<operator>[-?])(?P<argument>[^}]*))?\}|\w+)")


def with_defaults(text: str) -> str:
    """``text`` interpolated as Compose does when none of its variables is set, as the tools read it."""

    def value(match: re.Match) -> str:
        if match["operator"] == "?":
            raise ValueError(f"docker-compose.yml requires a variable: {match[0]}")
        return match["dollar"] or match["argument"] or ""

    return INTERPOLATION.sub(value, text)


class ComposeLoader(yaml.SafeLoader):
    """PyYAML's safe loader (anchors and ``<<`` merges included), with every string interpolated."""


ComposeLoader.add_constructor(
    "tag:yaml.org,2002:str", lambda loader, node: with_defaults(loader.construct_scalar(node))
)


def load_compose() -> dict:
    """The compose file with its anchors merged and its variables at their defaults."""
    return yaml.load(COMPOSE_PATH.read_text(encoding="utf-8"), Loader=ComposeLoader)


def dockerignore() -> pathspec.PathSpec:
    """``.dockerignore`` as a matcher of paths relative to the build context (a folder's ends in ``/``)."""
    return pathspec.GitIgnoreSpec.from_lines(DOCKERIGNORE_PATH.read_text(encoding="utf-8").splitlines())


def init_script_databases() -> list[str]:
    """The databases the postgres container creates on its first start."""
    return re.findall(r"CREATE DATABASE (\w+);", POSTGRES_INIT_PATH.read_text(encoding="utf-8"))


class Image:
    """What a compose service's ``build`` makes: its Dockerfile, read with the service's build args."""

    def __init__(self, build: dict) -> None:
        self.dockerfile_path = (REPO_ROOT / build["context"] / build.get("dockerfile", "Dockerfile")).resolve()
        dockerfile = io.BytesIO(self.dockerfile_path.read_bytes())
        # Its .envs and .args are the final stage's, build args and defaults substituted.
        self.parser = DockerfileParser(fileobj=dockerfile, build_args=build.get("args", {}))
        # Per stage, (keyword, words, value as written); the words substituted and split as Docker does.
        self.stages: list[list[tuple[str, list[str], str]]] = []
        for instruction, context in zip(self.parser.structure, self.parser.context_structure, strict=True):
            keyword, value = instruction["instruction"], instruction["value"]
            if keyword == "FROM":
                self.stages.append([])
            elif keyword != "COMMENT" and self.stages:
                words = list(WordSplitter(value, args=context.args, envs=context.envs).split())
                self.stages[-1].append((keyword, words, value))

    def final(self, keyword: str) -> list[list[str]]:
        """The words of each such instruction of the final stage."""
        return [words for each, words, _ in self.stages[-1] if each == keyword]

    def exec_form(self, keyword: str) -> list[str] | None:
        """The final stage's last CMD, ENTRYPOINT or HEALTHCHECK as an argv; only the exec form is read."""
        written = [value for each, _, value in self.stages[-1] if each == keyword]
        return json.loads(re.sub(r"^(?:--\S+\s+)*CMD\s+", "", written[-1])) if written else None

    def workdir_source(self) -> Path | None:
        """The repository folder that the final stage copies into its WORKDIR: the folder the image runs in."""
        workdir = self.final("WORKDIR")[-1][0].rstrip("/") if self.final("WORKDIR") else None
        for words in self.final("COPY"):
            if not words[0].startswith("--from=") and words[-1].rstrip("/") == workdir:
                return (REPO_ROOT / words[-2]).resolve()
        return None

    def pip_installs(self) -> list[list[str]]:
        """The build stages' ``pip install`` commands in order, each as its arguments, as paths of this repository.

        Container paths are mapped back through the stage's ``COPY <repository path> <container path>``,
        so that ``/src/requirements.lock`` becomes ``<repo>/flask_app/requirements.lock``.
        """
        installs = []
        for stage in self.stages[:-1]:
            copies = [words[-2:] for keyword, words, _ in stage if keyword == "COPY" and "--from=" not in words[0]]
            for keyword, words, _ in stage:
                if keyword != "RUN" or words[:2] != ["pip", "install"]:
                    continue
                arguments = []
                for argument in words[2:]:
                    for source, destination in copies:
                        if argument.startswith(destination.rstrip("/")):
                            argument = str(REPO_ROOT / source.rstrip("/")) + argument[len(destination.rstrip("/")) :]
                            break
                    arguments.append(argument)
                installs.append(arguments)
        return installs


def build_virtualenv(
    image: Image, destination: Path, log: Callable[[str], None] = print, timeout: float | None = None
) -> Path:
    """The image's virtualenv, built on this machine by the Dockerfile's own ``pip install`` lines in
    their order; run by uv, because it is faster than pip and checks the same hashes."""
    installs = image.pip_installs()
    if not installs:
        raise ValueError("the Dockerfile's build stage has no `RUN pip install`")
    subprocess.run(["uv", "venv", "--quiet", "--python", sys.executable, str(destination)], check=True)
    python = str(destination / "bin" / "python")
    for arguments in installs:
        log(f"build: pip install {' '.join(arguments)}")
        subprocess.run(["uv", "pip", "install", "--quiet", "--python", python, *arguments], check=True, timeout=timeout)
    return destination


@dataclass(frozen=True)
class VariantDeployment:
    """One variant as deployed: its declaration and its two compose services (None where missing)."""

    variant: variants.Variant
    server: dict | None
    migrate: dict | None

    @cached_property
    def image(self) -> Image:
        return Image(self.server["build"])


def deployments(compose: dict) -> list[VariantDeployment]:
    services = compose["services"]
    return [
        VariantDeployment(variant, services.get(variant.name), services.get(f"{variant.name}-migrate"))
        for variant in variants.all_variants()
    ]
