"""docker-compose.yml, run without Docker: every variant service as Compose would start it, then Prometheus.

For each variant service of the compose file, on the local PostgreSQL:

1. build its image natively: a virtualenv with what the Dockerfile's build stage pip-installs, and
   a copy of the variant folder as the build context sends it (``.dockerignore`` applied), which is
   the image's WORKDIR;
2. create the database its ``DATABASE_URL`` names;
3. run its ``<name>-migrate`` service's command, then its own command, in that copy with that
   virtualenv first on PATH, with the image's ``ENV`` and the service's ``environment`` — only the
   database host, the listen address and (when taken) the port rewritten to this machine;
4. wait for the image's HEALTHCHECK command to pass, and check that the server really uses that
   database;
5. run the contract suite against it (``--base-url``).

Then a real Prometheus (Debian's binary, on loopback, a temporary data directory) runs the repo's
prometheus.yml with its targets rewritten to the local servers: every target must be up, and every
PromQL expression of the Grafana dashboard must return data for every variant. At the end each
server started here gets SIGTERM and its database is dropped.

    tox -e compose-smoke
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import psycopg
import requests
import yaml
from psycopg import sql

import deployment
import variants
from deployment import VariantDeployment

ADMIN_DATABASE_URL = os.environ.get("SMOKE_ADMIN_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
# Marks the databases this script made, so that one left by an interrupted run may be dropped.
DATABASE_MARKER = "created by tools/compose_smoke.py"
IMAGE_BUILD_TIMEOUT_SECONDS = 300
MIGRATE_TIMEOUT_SECONDS = 120
HEALTHY_TIMEOUT_SECONDS = 60
CONTRACT_TIMEOUT_SECONDS = 900
SHUTDOWN_TIMEOUT_SECONDS = 15
PROMETHEUS_TIMEOUT_SECONDS = 90
# Bounded load for the dashboard's rates: this many rounds of a task's life cycle per variant.
TRAFFIC_ROUNDS = 20
DASHBOARD_RATE_WINDOW = "1m"


class SmokeFailure(Exception):
    """The compose file does not start a variant, or Prometheus cannot see it, as it should."""


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def log(message: str) -> None:
    print(f"compose-smoke: {message}", flush=True)


def tail(path: Path, line_count: int = 30) -> str:
    lines = path.read_bytes().decode("utf-8", errors="replace").splitlines()[-line_count:] if path.exists() else []
    return f"--- {path.name} (last {len(lines)} lines) ---\n" + "\n".join(lines)


@dataclass(frozen=True)
class NativeImage:
    """What a variant's image holds, built on this machine: its virtualenv and its WORKDIR."""

    workdir: Path
    bin_dir: Path

    @classmethod
    def build(cls, variant_deployment: VariantDeployment, variant_folder: Path, scratch_dir: Path) -> NativeImage:
        name = variant_deployment.variant.name
        root = scratch_dir / f"{name}-image"
        patterns = deployment.dockerignore_patterns()

        def dockerignored(directory: str, names: list[str]) -> list[str]:
            relative_directory = Path(directory).relative_to(deployment.REPO_ROOT).as_posix()
            return [entry for entry in names if deployment.is_dockerignored(f"{relative_directory}/{entry}", patterns)]

        workdir = root / "app"
        shutil.copytree(variant_folder, workdir, ignore=dockerignored)
        virtualenv = root / "venv"
        pip_arguments = variant_deployment.dockerfile().builder_pip_install_arguments()
        if not pip_arguments:
            raise SmokeFailure(f"{name}: the Dockerfile's build stage has no `RUN pip install`")
        log(f"{name}: build: pip install {' '.join(pip_arguments)}")
        # The Dockerfile's own arguments; uv instead of pip only because it is faster.
        subprocess.run(["uv", "venv", "--quiet", "--python", sys.executable, str(virtualenv)], check=True)
        subprocess.run(
            ["uv", "pip", "install", "--quiet", "--python", str(virtualenv / "bin" / "python"), *pip_arguments],
            check=True,
            timeout=IMAGE_BUILD_TIMEOUT_SECONDS,
        )
        return cls(workdir, virtualenv / "bin")


@dataclass
class RunningVariant:
    """A variant service started here: its server process, its port and its database."""

    deployment: VariantDeployment
    workdir: Path
    environment: dict[str, str]
    database_name: str
    port: int
    log_path: Path
    process: subprocess.Popen | None = None

    @property
    def name(self) -> str:
        return self.deployment.variant.name

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class VariantRunner:
    """Starts the variant services of the compose file one by one, and stops what it started."""

    def __init__(self, scratch_dir: Path) -> None:
        self.scratch_dir = scratch_dir
        self.running: list[RunningVariant] = []
        self.created_databases: list[str] = []

    # --- the environment a container would have, on this machine ------------------------------

    def container_environment(
        self, variant_deployment: VariantDeployment, image: NativeImage, service: dict
    ) -> tuple[dict, int]:
        """The image's ENV plus the service's environment, rewritten to run here; and the port."""
        environment = {
            **variant_deployment.dockerfile().environment(),
            **deployment.service_environment(service),
        }
        # The image's PATH starts with its virtualenv; here, the one built natively.
        environment["PATH"] = f"{image.bin_dir}{os.pathsep}{os.environ['PATH']}"
        for name in ("HOME", "LANG", "LC_ALL"):
            if name in os.environ:
                environment.setdefault(name, os.environ[name])
        # The image listens on every interface; on a shared machine, loopback is enough.
        environment["HOST"] = "127.0.0.1"
        port = int(environment.get("PORT", variant_deployment.variant.port))
        published_targets = [int(published["target"]) for published in service.get("ports", [])]
        if published_targets and published_targets != [port]:
            raise SmokeFailure(
                f"{variant_deployment.variant.name}: the service publishes container port {published_targets}, "
                f"but its server listens on PORT {port}"
            )
        if not port_is_free(port):
            port = variants.free_port()
            log(f"{variant_deployment.variant.name}: port {environment.get('PORT')} is taken here, using {port}")
        environment["PORT"] = str(port)
        environment["DATABASE_URL"] = self.local_database_url(environment.get("DATABASE_URL", ""))
        return environment, port

    @staticmethod
    def local_database_url(compose_url: str) -> str:
        """The compose service's DATABASE_URL with its host (``postgres``) replaced by the local server."""
        parts = urllib.parse.urlsplit(compose_url)
        if parts.scheme not in ("postgresql", "postgres") or not parts.path.lstrip("/"):
            raise SmokeFailure(f"DATABASE_URL {compose_url!r} does not name a PostgreSQL database")
        admin = urllib.parse.urlsplit(ADMIN_DATABASE_URL)
        credentials = parts.netloc.rpartition("@")[0]
        netloc = (
            f"{credentials}@{admin.hostname}:{admin.port or 5432}"
            if credentials
            else f"{admin.hostname}:{admin.port or 5432}"
        )
        return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))

    # --- databases ------------------------------------------------------------------------------

    def create_database(self, database_name: str) -> None:
        with psycopg.connect(ADMIN_DATABASE_URL, autocommit=True) as admin:
            existing = admin.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", (database_name,)
            ).fetchone()
            if existing is not None:
                if existing[0] != DATABASE_MARKER:
                    raise SmokeFailure(f"database {database_name} already exists here and was not made by this script")
                log(f"dropping {database_name}, left by an earlier run")
                admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(database_name)))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database_name)))
            self.created_databases.append(database_name)
            admin.execute(
                sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                    sql.Identifier(database_name), sql.Literal(DATABASE_MARKER)
                )
            )

    def drop_databases(self) -> None:
        with psycopg.connect(ADMIN_DATABASE_URL, autocommit=True) as admin:
            while self.created_databases:
                database_name = self.created_databases.pop()
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database_name)))

    @staticmethod
    def connect_to(database_name: str) -> psycopg.Connection:
        admin = urllib.parse.urlsplit(ADMIN_DATABASE_URL)
        return psycopg.connect(urllib.parse.urlunsplit((admin.scheme, admin.netloc, f"/{database_name}", "", "")))

    def table_names(self, database_name: str) -> list[str]:
        with self.connect_to(database_name) as connection:
            rows = connection.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            ).fetchall()
        return [table_name for (table_name,) in rows]

    def tables_holding_title(self, database_name: str, title: str) -> list[str]:
        """The tables of that database with a ``title`` column holding this value, whatever the ORM named them."""
        found = []
        with self.connect_to(database_name) as connection:
            tables = connection.execute(
                "SELECT table_name FROM information_schema.columns"
                " WHERE table_schema = 'public' AND column_name = 'title'"
            ).fetchall()
            for (table_name,) in tables:
                query = sql.SQL("SELECT 1 FROM {} WHERE title = %s").format(sql.Identifier(table_name))
                if connection.execute(query, (title,)).fetchone():
                    found.append(table_name)
        return found

    # --- the variant's two services -------------------------------------------------------------

    def start(self, variant_deployment: VariantDeployment) -> RunningVariant:
        name = variant_deployment.variant.name
        server_service, migrate_service = variant_deployment.service, variant_deployment.migrate_service
        if server_service is None or migrate_service is None:
            raise SmokeFailure(f"docker-compose.yml has no {name} and {name}-migrate services")
        # The image's WORKDIR holds the folder its Dockerfile sits in (tools/test_deployment.py checks it).
        variant_folder = deployment.build_dockerfile_path(server_service).parent
        if not variant_folder.is_dir():
            raise SmokeFailure(f"{name}: the compose file builds {variant_folder}, which does not exist")
        image = NativeImage.build(variant_deployment, variant_folder, self.scratch_dir)
        environment, port = self.container_environment(variant_deployment, image, server_service)
        migrate_environment, _ = self.container_environment(variant_deployment, image, migrate_service)
        database_name = urllib.parse.urlsplit(environment["DATABASE_URL"]).path.lstrip("/")
        if database_name not in deployment.init_script_databases():
            raise SmokeFailure(f"{name}: the postgres service's init script does not create {database_name}")
        running = RunningVariant(
            variant_deployment, image.workdir, environment, database_name, port, self.scratch_dir / f"{name}.log"
        )

        self.create_database(database_name)
        migrate_command = deployment.command_argv(migrate_service["command"])
        log(f"{name}: migrate: {' '.join(migrate_command)}")
        migration = subprocess.run(
            migrate_command,
            cwd=image.workdir,
            env=migrate_environment,
            capture_output=True,
            text=True,
            timeout=MIGRATE_TIMEOUT_SECONDS,
        )
        if migration.returncode != 0:
            raise SmokeFailure(
                f"{name}-migrate exited with {migration.returncode}\n{migration.stdout}{migration.stderr}"
            )
        if not self.table_names(database_name):
            raise SmokeFailure(f"{name}-migrate exited with 0 but created no table in {database_name}")

        server_command = deployment.command_argv(server_service["command"])
        log(f"{name}: serve on port {port}: {' '.join(server_command)}")
        with running.log_path.open("wb") as server_log:
            running.process = subprocess.Popen(
                server_command,
                cwd=image.workdir,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=server_log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.running.append(running)
        log(f"{name}: server pid {running.process.pid}")
        self.wait_until_healthy(running)
        # In the compose network Prometheus asks for <service>:<port>: the server must accept that Host.
        in_network_host = f"{variant_deployment.service_name}:{variant_deployment.variant.port}"
        scrape = requests.get(f"{running.base_url}/metrics", headers={"Host": in_network_host}, timeout=10)
        if scrape.status_code != 200:
            raise SmokeFailure(f"{name}: GET /metrics with Host {in_network_host} answered {scrape.status_code}")
        return running

    def wait_until_healthy(self, running: RunningVariant) -> None:
        """Runs the image's HEALTHCHECK command, with the container's environment, until it passes."""
        healthcheck = running.deployment.dockerfile().last("HEALTHCHECK")
        if healthcheck is None:
            raise SmokeFailure(f"{running.name}: the image has no HEALTHCHECK")
        healthcheck_command = healthcheck.exec_form()
        deadline = time.monotonic() + HEALTHY_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if running.process.poll() is not None:
                exit_code = running.process.returncode
                raise SmokeFailure(
                    f"{running.name} exited with {exit_code} before it was healthy\n{tail(running.log_path)}"
                )
            check = subprocess.run(
                healthcheck_command, cwd=running.workdir, env=running.environment, capture_output=True, timeout=10
            )
            if check.returncode == 0:
                log(f"{running.name}: healthy")
                return
            time.sleep(0.5)
        raise SmokeFailure(
            f"{running.name}: the HEALTHCHECK did not pass within {HEALTHY_TIMEOUT_SECONDS} s\n{tail(running.log_path)}"
        )

    def run_contract_suite(self, running: RunningVariant) -> None:
        log(f"{running.name}: contract suite against {running.base_url}")
        started = time.monotonic()
        suite = subprocess.run(
            [
                # This env has the suite's requirements; the server's virtualenv has only the image's.
                sys.executable,
                "-m",
                "pytest",
                str(deployment.REPO_ROOT / "contract_tests"),
                "--base-url",
                running.base_url,
                "-q",
                "-p",
                "no:cacheprovider",
            ],
            cwd=deployment.REPO_ROOT,
            timeout=CONTRACT_TIMEOUT_SECONDS,
        )
        if suite.returncode != 0:
            raise SmokeFailure(
                f"{running.name}: the contract suite failed against the compose service\n{tail(running.log_path)}"
            )
        log(f"{running.name}: contract suite passed in {time.monotonic() - started:.0f} s")
        # A misspelt DATABASE_URL would leave the server on its SQLite default, and every test passing.
        title = f"compose-smoke {os.getpid()} {time.time_ns()}"
        requests.post(f"{running.base_url}/api/tasks", json={"title": title}, timeout=10).raise_for_status()
        holding_tables = self.tables_holding_title(running.database_name, title)
        if not holding_tables:
            raise SmokeFailure(f"{running.name}: a task created through the API is not in {running.database_name}")
        log(f"{running.name}: a task created through the API is in {running.database_name}.{holding_tables[0]}")

    def stop_all(self) -> list[str]:
        """SIGTERM to each server started here; the failures (a non-zero exit, or no exit) are returned."""
        failures = []
        for running in reversed(self.running):
            process = running.process
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            try:
                exit_code = process.wait(timeout=SHUTDOWN_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                # The session start_new_session gave it holds only this server and its workers.
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                failures.append(f"{running.name} (pid {process.pid}) ignored SIGTERM for {SHUTDOWN_TIMEOUT_SECONDS} s")
                continue
            if exit_code != 0:
                failures.append(f"{running.name} exited with {exit_code} after SIGTERM\n{tail(running.log_path)}")
            else:
                log(f"{running.name}: stopped (pid {process.pid}, exit 0)")
        self.running.clear()
        return failures


# --- Prometheus ---------------------------------------------------------------------------------


def local_prometheus_config(running_variants: list[RunningVariant]) -> dict:
    """The repo's prometheus.yml, with each DNS-discovered service replaced by its local server.

    The discovered name goes into ``__meta_dns_name``, as DNS discovery would set it, so the repo's
    own relabelling makes the ``variant`` label. Names with no running service are not targets,
    as under Compose.
    """
    with deployment.PROMETHEUS_CONFIG_PATH.open(encoding="utf-8") as config_file:
        config = yaml.safe_load(config_file)
    config["global"]["scrape_interval"] = "1s"
    config["global"]["evaluation_interval"] = "1s"
    running_by_name = {running.deployment.service_name: running for running in running_variants}
    discovered = set()
    for scrape_config in config["scrape_configs"]:
        static_configs = scrape_config.setdefault("static_configs", [])
        for sd_config in scrape_config.pop("dns_sd_configs", []):
            for name in sd_config["names"]:
                running = running_by_name.get(name)
                if running is None:
                    continue
                if sd_config.get("port") != running.deployment.variant.port:
                    raise SmokeFailure(f"prometheus.yml scrapes {name} on port {sd_config.get('port')}")
                static_configs.append({"targets": [f"127.0.0.1:{running.port}"], "labels": {"__meta_dns_name": name}})
                discovered.add(name)
        if not static_configs:
            scrape_config.pop("static_configs")
    missing = sorted(set(running_by_name) - discovered)
    if missing:
        raise SmokeFailure(f"prometheus.yml does not scrape {', '.join(missing)}")
    return config


def dashboard_expressions() -> list[tuple[str, str]]:
    """(panel title, PromQL) for every query of the dashboard, with Grafana's variables filled in."""
    dashboard = json.loads(deployment.DASHBOARD_PATH.read_text(encoding="utf-8"))
    expressions = []
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            expression = target["expr"].replace("$__rate_interval", DASHBOARD_RATE_WINDOW).replace("$variant", ".+")
            if "$" in expression:
                raise SmokeFailure(f"panel {panel['title']!r} uses a variable this check does not know: {expression}")
            expressions.append((panel["title"], expression))
    return expressions


def send_traffic(running_variants: list[RunningVariant]) -> None:
    """A bounded amount of every kind of request the dashboard shows: creates, status changes, 404s, deletes."""
    for round_number in range(TRAFFIC_ROUNDS):
        for running in running_variants:
            session_url = running.base_url
            created = requests.post(f"{session_url}/api/tasks", json={"title": f"dashboard {round_number}"}, timeout=10)
            created.raise_for_status()
            task_path = f"/api/tasks/{created.json()['id']}"
            for status in ("in_progress", "done"):
                requests.patch(f"{session_url}{task_path}", json={"status": status}, timeout=10).raise_for_status()
            requests.get(f"{session_url}/api/tasks/stats", timeout=10).raise_for_status()
            requests.get(f"{session_url}/api/tasks/{2**40 + round_number}", timeout=10)
            requests.delete(f"{session_url}{task_path}", timeout=10).raise_for_status()
        time.sleep(0.25)


class LocalPrometheus:
    def __init__(self, scratch_dir: Path, config: dict) -> None:
        self.scratch_dir = scratch_dir
        self.config_path = scratch_dir / "prometheus.yml"
        self.config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        self.port = variants.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = scratch_dir / "prometheus.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("prometheus")
        if binary is None:
            raise SmokeFailure("no prometheus binary: apt-get install prometheus (.ci/run does)")
        with self.log_path.open("wb") as prometheus_log:
            self.process = subprocess.Popen(
                [
                    binary,
                    f"--config.file={self.config_path}",
                    f"--storage.tsdb.path={self.scratch_dir / 'prometheus-data'}",
                    f"--web.listen-address=127.0.0.1:{self.port}",
                ],
                stdin=subprocess.DEVNULL,
                stdout=prometheus_log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        log(f"prometheus pid {self.process.pid} on {self.url}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=SHUTDOWN_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def api(self, path: str, **params: str) -> dict:
        response = requests.get(f"{self.url}/api/v1/{path}", params=params, timeout=10)
        response.raise_for_status()
        return response.json()["data"]

    def wait_until(self, description: str, condition, deadline: float):
        """Polls ``condition`` (which returns a falsy value while not met) until the deadline."""
        last_seen = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SmokeFailure(f"prometheus exited with {self.process.returncode}\n{tail(self.log_path)}")
            with contextlib.suppress(requests.RequestException):
                outcome, last_seen = condition()
                if outcome:
                    return
            time.sleep(1)
        raise SmokeFailure(f"prometheus: {description} (last seen: {last_seen})\n{tail(self.log_path)}")


def check_prometheus(scratch_dir: Path, running_variants: list[RunningVariant]) -> None:
    prometheus = LocalPrometheus(scratch_dir, local_prometheus_config(running_variants))
    expected_variants = {running.name for running in running_variants}
    deadline = time.monotonic() + PROMETHEUS_TIMEOUT_SECONDS
    prometheus.start()
    try:

        def all_targets_up():
            targets = prometheus.api("targets")["activeTargets"]
            health = {target["labels"].get("variant"): target["health"] for target in targets}
            return set(health) == expected_variants and all(value == "up" for value in health.values()), health

        prometheus.wait_until("every target up, each with its variant label", all_targets_up, deadline)
        log(f"prometheus: targets up: {', '.join(sorted(expected_variants))}")
        send_traffic(running_variants)
        for title, expression in dashboard_expressions():

            def returns_data_for_every_variant(expression=expression):
                result = prometheus.api("query", query=expression)["result"]
                with_data = {
                    series["metric"].get("variant") for series in result if math.isfinite(float(series["value"][1]))
                }
                return expected_variants <= with_data, sorted(filter(None, with_data))

            prometheus.wait_until(
                f"panel {title!r}: {expression} returns no number for some variant",
                returns_data_for_every_variant,
                deadline,
            )
            log(f"prometheus: panel {title!r}: data for every variant")
    finally:
        prometheus.stop()


def main() -> int:
    compose = deployment.load_compose()
    variant_deployments = deployment.deployments(compose)
    if not variant_deployments:
        raise SmokeFailure("no variant declared")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="compose-smoke-") as scratch:
        runner = VariantRunner(Path(scratch))
        failures: list[str] = []
        try:
            for variant_deployment in variant_deployments:
                runner.run_contract_suite(runner.start(variant_deployment))
            check_prometheus(Path(scratch), runner.running)
        except (SmokeFailure, subprocess.SubprocessError, requests.RequestException) as error:
            failures.append(str(error))
        finally:
            failures.extend(runner.stop_all())
            runner.drop_databases()
    if failures:
        print("compose-smoke: FAILED\n" + "\n\n".join(failures), file=sys.stderr)
        return 1
    names = ", ".join(each.variant.name for each in variant_deployments)
    log(f"passed for {names} in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
