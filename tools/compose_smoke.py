"""docker-compose.yml, run without Docker: every variant service as Compose would start it, then Prometheus.

For each variant, on the local PostgreSQL: build its image natively with its services' build args
(a virtualenv with what the Dockerfile's build stage pip-installs, and a copy of the folder the
image's WORKDIR holds, as ``.dockerignore`` lets it through); run its ``<name>-migrate`` service's
command, then its server (the image's CMD, unless the service sets a command), in that copy with
that virtualenv first on PATH and the image's ``ENV`` plus the service's ``environment``, only the
listen address, the port when taken, and the database's host and name changed for this machine;
wait for the image's HEALTHCHECK. Then the edge, deploy/nginx as the ``edge`` service runs it
(``tools/edge.py``), in front of them all: each variant is put through the contract suite on its
port of the edge (``--base-url``), as a client of the deployment meets it, and a task it creates
must land in its service's database.

Then a real Prometheus (Debian's binary, on loopback) runs the repo's prometheus.yml with its DNS
targets replaced by the local servers: every target must be up, and every PromQL expression of the
Grafana dashboard must return data for every variant. At the end every server gets SIGTERM and
must exit 0, and its database is dropped.

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
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import requests
import yaml
from edge import Edge, EdgeError
from psycopg import sql
from signed_in import signed_in_session

import deployment
import variants
from deployment import VariantDeployment

ADMIN_DATABASE_URL = os.environ.get("SMOKE_ADMIN_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
# Marks the databases this script makes, so that one left by an interrupted run may be dropped.
DATABASE_PREFIX = "compose_smoke_"
BUILD_TIMEOUT_SECONDS = 300
MIGRATE_TIMEOUT_SECONDS = 120
READY_TIMEOUT_SECONDS = 90
CONTRACT_TIMEOUT_SECONDS = 900
SHUTDOWN_TIMEOUT_SECONDS = 15
# Bounded load for the dashboard's rates: this many rounds of a task's life cycle per variant.
TRAFFIC_ROUNDS = 20
DASHBOARD_RATE_WINDOW = "1m"


class SmokeFailure(Exception):
    """The compose file does not start a variant, or Prometheus cannot see it, as it should."""


def log(message: str) -> None:
    print(f"compose-smoke: {message}", flush=True)


def tail(path: Path, line_count: int = 30) -> str:
    lines = path.read_bytes().decode("utf-8", errors="replace").splitlines()[-line_count:]
    return f"--- {path.name} (last {len(lines)} lines) ---\n" + "\n".join(lines)


def spawn(argv: list[str], log_path: Path, **options) -> subprocess.Popen:
    """In a session of its own, so that a process that ignores SIGTERM can be killed with its workers."""
    with log_path.open("wb") as log_file:
        return subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True, **options
        )


def stop(process: subprocess.Popen) -> int | None:
    """SIGTERM, then the exit code; None if the process ignored SIGTERM and had to be killed."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=SHUTDOWN_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return None


def wait_for(awaited: str, condition, process: subprocess.Popen, log_path: Path) -> None:
    """Polls ``condition``, which returns whether it holds and what it saw, while the process runs."""
    deadline, last_seen = time.monotonic() + READY_TIMEOUT_SECONDS, None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SmokeFailure(f"{awaited}: the process exited with {process.returncode}\n{tail(log_path)}")
        with contextlib.suppress(requests.RequestException):
            holds, last_seen = condition()
            if holds:
                return
        time.sleep(0.5)
    raise SmokeFailure(f"{awaited}: not within {READY_TIMEOUT_SECONDS} s (last seen: {last_seen})\n{tail(log_path)}")


def local_database_url(compose_url: str) -> str:
    """The service's DATABASE_URL on the local server: its host replaced, its database name prefixed."""
    parts, server = urlsplit(compose_url), urlsplit(ADMIN_DATABASE_URL).netloc.rpartition("@")[2]
    if parts.scheme not in ("postgresql", "postgres") or not parts.path.strip("/"):
        raise SmokeFailure(f"DATABASE_URL {compose_url!r} does not name a PostgreSQL database")
    credentials = parts.netloc.rpartition("@")[0]
    netloc = f"{credentials}@{server}" if credentials else server
    return parts._replace(netloc=netloc, path=f"/{DATABASE_PREFIX}{parts.path.strip('/')}").geturl()


def database_statement(statement: str, database_name: str) -> None:
    with psycopg.connect(ADMIN_DATABASE_URL, autocommit=True) as admin:
        admin.execute(sql.SQL(statement).format(sql.Identifier(database_name)))


def tables_with_titles(database_url: str, title: str | None = None) -> list[str]:
    """The tables with a ``title`` column (holding this title, if given), whatever the ORM named them."""
    with psycopg.connect(database_url) as connection:
        tables = connection.execute(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'title'"
        ).fetchall()
        holding = sql.SQL("SELECT 1 FROM {} WHERE title = %s")
        return [
            table
            for (table,) in tables
            if title is None or connection.execute(holding.format(sql.Identifier(table)), (title,)).fetchone()
        ]


@dataclass
class RunningVariant:
    variant: variants.Variant
    port: int
    database_url: str
    process: subprocess.Popen
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class ComposeRun:
    """Starts the variant services one by one, in a scratch directory; then stops what it started."""

    def __init__(self, scratch_dir: Path) -> None:
        self.scratch_dir = scratch_dir
        self.running: list[RunningVariant] = []
        self.databases: list[str] = []

    def build_natively(self, deployed: VariantDeployment) -> Path:
        """The image's WORKDIR, with its virtualenv beside it in ``venv``."""
        name, image, ignored = deployed.variant.name, deployed.image, deployment.dockerignore()
        folder = image.workdir_source()
        if folder is None or not folder.is_dir():
            raise SmokeFailure(f"{name}: the image's WORKDIR is not a copy of a folder of this repository")

        def dockerignored(directory: str, names: list[str]) -> list[str]:
            relative = Path(directory).relative_to(deployment.REPO_ROOT).as_posix()
            # A pattern ending in / matches only folders, which pathspec tells by their trailing /.
            paths = {each: f"{relative}/{each}" + ("/" if Path(directory, each).is_dir() else "") for each in names}
            return [each for each, path in paths.items() if ignored.match_file(path)]

        root = self.scratch_dir / name
        shutil.copytree(folder, root / "app", ignore=dockerignored)
        try:
            deployment.build_virtualenv(
                image, root / "venv", lambda line: log(f"{name}: {line}"), timeout=BUILD_TIMEOUT_SECONDS
            )
        except ValueError as error:
            raise SmokeFailure(f"{name}: {error}") from error
        return root / "app"

    def start(self, deployed: VariantDeployment) -> RunningVariant:
        """Builds the variant's image natively, runs its migrate service, then starts its server."""
        name, server, migrate = deployed.variant.name, deployed.server, deployed.migrate
        if server is None or migrate is None:
            raise SmokeFailure(f"docker-compose.yml has no {name} and {name}-migrate services")
        image, workdir = deployed.image, self.build_natively(deployed)

        def container_environment(service: dict) -> dict[str, str]:
            """The image's ENV and the service's environment, with what must change to run here."""
            local = {each: os.environ[each] for each in ("HOME", "LANG", "LC_ALL") if each in os.environ}
            environment = {**local, **image.parser.envs, **service.get("environment", {})}
            # The image's PATH starts with its virtualenv; here, the one built natively.
            environment["PATH"] = f"{workdir.parent / 'venv' / 'bin'}{os.pathsep}{os.environ['PATH']}"
            # The image listens on every interface; on a shared machine, loopback is enough.
            environment["HOST"] = "127.0.0.1"
            environment["DATABASE_URL"] = local_database_url(environment.get("DATABASE_URL", ""))
            return environment

        environment = container_environment(server)
        port = int(environment["PORT"])
        try:
            socket.create_server(("127.0.0.1", port)).close()
        except OSError:
            port = variants.free_port()
            log(f"{name}: port {environment['PORT']} is taken here, using {port}")
        environment["PORT"] = str(port)
        database_name = urlsplit(environment["DATABASE_URL"]).path.strip("/")
        database_statement("DROP DATABASE IF EXISTS {} WITH (FORCE)", database_name)
        database_statement("CREATE DATABASE {}", database_name)
        self.databases.append(database_name)

        log(f"{name}: migrate: {' '.join(migrate['command'])}")
        migration = subprocess.run(
            migrate["command"],
            cwd=workdir,
            env=container_environment(migrate),
            capture_output=True,
            text=True,
            timeout=MIGRATE_TIMEOUT_SECONDS,
        )
        if migration.returncode != 0:
            raise SmokeFailure(
                f"{name}-migrate exited with {migration.returncode}\n{migration.stdout}{migration.stderr}"
            )
        if not tables_with_titles(environment["DATABASE_URL"]):
            raise SmokeFailure(f"{name}-migrate exited with 0 but created no task table in {database_name}")

        # As Compose runs it: the service's command if it has one, else the image's CMD.
        command = server.get("command") or image.exec_form("CMD")
        log(f"{name}: serve on port {port}: {' '.join(command)}")
        log_path = self.scratch_dir / f"{name}.log"
        process = spawn(command, log_path, cwd=workdir, env=environment)
        running = RunningVariant(deployed.variant, port, environment["DATABASE_URL"], process, log_path)
        self.running.append(running)
        healthcheck = image.exec_form("HEALTHCHECK")
        if healthcheck is None:
            raise SmokeFailure(f"{name}: the image has no HEALTHCHECK")

        def healthy():
            check = subprocess.run(healthcheck, cwd=workdir, env=environment, capture_output=True, timeout=10)
            return check.returncode == 0, check.stderr.decode(errors="replace")[-300:]

        wait_for(f"{name}: the image's HEALTHCHECK passing", healthy, process, log_path)
        log(f"{name}: healthy (pid {process.pid})")
        # In the compose network Prometheus asks for <service>:<port>: the server must accept that Host.
        in_network_host = f"{name}:{deployed.variant.port}"
        scrape = requests.get(f"{running.base_url}/metrics", headers={"Host": in_network_host}, timeout=10)
        if scrape.status_code != 200:
            raise SmokeFailure(f"{name}: GET /metrics with Host {in_network_host} answered {scrape.status_code}")
        return running

    def stop_all(self) -> list[str]:
        """SIGTERM to each server started here, then each database dropped; the servers that did not exit 0."""
        failures = []
        for running in reversed(self.running):
            name, exit_code = running.variant.name, stop(running.process)
            if exit_code is None:
                failures.append(f"{name} (pid {running.process.pid}) ignored SIGTERM for {SHUTDOWN_TIMEOUT_SECONDS} s")
            elif exit_code != 0:
                failures.append(f"{name} exited with {exit_code} after SIGTERM\n{tail(running.log_path)}")
            else:
                log(f"{name}: stopped (pid {running.process.pid}, exit 0)")
        for database_name in self.databases:
            database_statement("DROP DATABASE IF EXISTS {} WITH (FORCE)", database_name)
        return failures


def run_contract_suite(running: RunningVariant, base_url: str) -> None:
    """The contract suite against ``base_url``: the edge's port for the variant, as a client meets it."""
    name, started = running.variant.name, time.monotonic()
    log(f"{name}: contract suite against the edge, {base_url} (the server is on {running.base_url})")
    # This env has the suite's requirements; the server's virtualenv has only the image's.
    # Without the timing-parity case (spec 7.2): it measures the hasher, not the deployment.
    suite = [sys.executable, "-m", "pytest", "contract_tests", "-q", "-p", "no:cacheprovider", "-m", "not slow"]
    outcome = subprocess.run(
        [*suite, "--base-url", base_url, "--behind-edge"], cwd=deployment.REPO_ROOT, timeout=CONTRACT_TIMEOUT_SECONDS
    )
    if outcome.returncode != 0:
        raise SmokeFailure(f"{name}: the contract suite failed through the edge\n{tail(running.log_path)}")
    log(f"{name}: contract suite passed in {time.monotonic() - started:.0f} s")
    # A misspelt DATABASE_URL would leave the server on its SQLite default, and every test passing.
    title = f"compose-smoke {os.getpid()} {time.time_ns()}"
    user = signed_in_session(base_url, "compose-smoke")
    user.post(f"{base_url}/api/tasks", json={"title": title}, timeout=10).raise_for_status()
    holding_tables = tables_with_titles(running.database_url, title)
    if not holding_tables:
        raise SmokeFailure(f"{name}: a task created through the API is not in the database of its DATABASE_URL")
    database_name = urlsplit(running.database_url).path.strip("/")
    log(f"{name}: a task created through the API is in {database_name}.{holding_tables[0]}")


# --- Prometheus ---------------------------------------------------------------------------------


def local_prometheus_config(running_variants: list[RunningVariant]) -> dict:
    """The repo's prometheus.yml, with each DNS-discovered service replaced by its local server.

    The discovered name goes into ``__meta_dns_name``, as DNS discovery would set it, so the repo's
    own relabelling makes the ``variant`` label. Names with no running service are not targets,
    as under Compose.
    """
    config = yaml.safe_load(deployment.PROMETHEUS_CONFIG_PATH.read_text(encoding="utf-8"))
    config["global"].update(scrape_interval="1s", evaluation_interval="1s")
    ports = {running.variant.name: running.port for running in running_variants}
    for scrape_config in config["scrape_configs"]:
        names = [name for sd_config in scrape_config.pop("dns_sd_configs", []) for name in sd_config["names"]]
        scrape_config.setdefault("static_configs", []).extend(
            {"targets": [f"127.0.0.1:{ports[name]}"], "labels": {"__meta_dns_name": name}}
            for name in names
            if name in ports
        )
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
    users = {running.variant.name: signed_in_session(running.base_url, "dashboard") for running in running_variants}
    for round_number in range(TRAFFIC_ROUNDS):
        for running in running_variants:
            user = users[running.variant.name]
            tasks_url = f"{running.base_url}/api/tasks"
            created = user.post(tasks_url, json={"title": f"dashboard {round_number}"}, timeout=10)
            created.raise_for_status()
            task_url = f"{tasks_url}/{created.json()['id']}"
            for status in ("in_progress", "done"):
                user.patch(task_url, json={"status": status}, timeout=10).raise_for_status()
            user.get(f"{tasks_url}/stats", timeout=10).raise_for_status()
            user.get(f"{tasks_url}/{2**40 + round_number}", timeout=10)
            user.delete(task_url, timeout=10).raise_for_status()
        time.sleep(0.25)


def check_prometheus(scratch_dir: Path, running_variants: list[RunningVariant]) -> None:
    binary = shutil.which("prometheus")
    if binary is None:
        raise SmokeFailure("no prometheus binary: apt-get install prometheus (.ci/run does)")
    config_path, log_path, port = scratch_dir / "prometheus.yml", scratch_dir / "prometheus.log", variants.free_port()
    config_path.write_text(yaml.safe_dump(local_prometheus_config(running_variants), sort_keys=False), encoding="utf-8")
    storage = f"--storage.tsdb.path={scratch_dir / 'prometheus-data'}"
    process = spawn(
        [binary, f"--config.file={config_path}", storage, f"--web.listen-address=127.0.0.1:{port}"], log_path
    )
    log(f"prometheus pid {process.pid} on port {port}")
    expected_variants = {running.variant.name for running in running_variants}

    def api(path: str, **params: str) -> dict:
        response = requests.get(f"http://127.0.0.1:{port}/api/v1/{path}", params=params, timeout=10)
        response.raise_for_status()
        return response.json()["data"]

    def all_targets_up():
        health = {target["labels"].get("variant"): target["health"] for target in api("targets")["activeTargets"]}
        return set(health) == expected_variants and set(health.values()) == {"up"}, health

    try:
        wait_for("prometheus: every target up, each with its variant label", all_targets_up, process, log_path)
        log(f"prometheus: targets up: {', '.join(sorted(expected_variants))}")
        send_traffic(running_variants)
        for title, expression in dashboard_expressions():

            def returns_data_for_every_variant(expression=expression):
                result = api("query", query=expression)["result"]
                with_data = {each["metric"].get("variant") for each in result if math.isfinite(float(each["value"][1]))}
                return expected_variants <= with_data, sorted(filter(None, with_data))

            awaited = f"prometheus: panel {title!r} ({expression}) returning a number for every variant"
            wait_for(awaited, returns_data_for_every_variant, process, log_path)
            log(f"prometheus: panel {title!r}: data for every variant")
    finally:
        stop(process)


def main() -> int:
    variant_deployments = deployment.deployments(deployment.load_compose())
    if not variant_deployments:
        raise SmokeFailure("no variant declared")
    started, failures = time.monotonic(), []
    with tempfile.TemporaryDirectory(prefix="compose-smoke-") as scratch:
        run = ComposeRun(Path(scratch))
        try:
            for deployed in variant_deployments:
                run.start(deployed)
            upstreams = {running.variant.name: running.port for running in run.running}
            with Edge(Path(scratch) / "edge", upstreams) as front:
                log(f"edge: nginx (pid {front.process.pid}) in front of {', '.join(upstreams)}")
                for running in run.running:
                    run_contract_suite(running, front.base_url(running.variant.name))
            check_prometheus(Path(scratch), run.running)
        except (SmokeFailure, EdgeError, subprocess.SubprocessError, requests.RequestException) as error:
            failures.append(str(error))
        finally:
            failures.extend(run.stop_all())
    if failures:
        print("compose-smoke: FAILED\n" + "\n\n".join(failures), file=sys.stderr)
        return 1
    names = ", ".join(each.variant.name for each in variant_deployments)
    log(f"passed for {names} in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
