"""The suite's machinery: databases and server processes of a variant, and the ways to talk to one.

Nothing here knows the contract; the assertions live in ``expectations.py`` and the tests.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import psycopg
import requests
from prometheus_client.parser import text_string_to_metric_families
from psycopg import sql
from requests.structures import CaseInsensitiveDict

import variants

REPO_ROOT = Path(__file__).resolve().parent.parent

READY_TIMEOUT_SECONDS = 30
SHUTDOWN_TIMEOUT_SECONDS = 10
# Workers log and count after the response may already have reached the client.
SETTLE_TIMEOUT_SECONDS = 2
HTTP_TIMEOUT_SECONDS = 30
UNREACHABLE_DATABASE_PASSWORD = "contract-secret-password-7c1e"
# Nothing listens on port 9; the password is there to prove that it is never logged.
UNREACHABLE_DATABASE_URL = f"postgresql://postgres:{UNREACHABLE_DATABASE_PASSWORD}@127.0.0.1:9/unreachable"


class HarnessError(Exception):
    """The harness could not bring a server up or down as the contract requires."""


def new_request_id() -> str:
    return f"contract-{secrets.token_hex(8)}"


def is_postgres_url(database_url: str | None) -> bool:
    return bool(database_url) and database_url.split(":", 1)[0] in ("postgresql", "postgres")


class DatabaseProvisioner:
    """One fresh, empty database per server instance: a SQLite file, or a throwaway PostgreSQL database.

    ``admin_url`` is either None (SQLite) or a PostgreSQL URL of a role that may create databases.
    """

    def __init__(self, admin_url: str | None, scratch_dir: Path, variant_name: str) -> None:
        self.admin_url = admin_url if is_postgres_url(admin_url) else None
        self.scratch_dir = scratch_dir
        self.variant_name = variant_name
        self.created_databases: list[str] = []

    def fresh_database_url(self, label: str) -> str:
        if self.admin_url is None:
            return f"sqlite:///{self.scratch_dir / f'{label}.db'}"
        database_name = f"contract_{self.variant_name}_{secrets.token_hex(6)}"
        with psycopg.connect(self.admin_url, autocommit=True) as admin_connection:
            admin_connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database_name)))
        self.created_databases.append(database_name)
        admin_parts = urllib.parse.urlsplit(self.admin_url)
        return urllib.parse.urlunsplit((admin_parts.scheme, admin_parts.netloc, f"/{database_name}", "", ""))

    def drop_all(self) -> None:
        if not self.created_databases:
            return
        with psycopg.connect(self.admin_url, autocommit=True) as admin_connection:
            while self.created_databases:
                database_name = self.created_databases.pop()
                admin_connection.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database_name))
                )


class ServerLog:
    """What a server instance has written so far: its stdout as JSON records, and its raw output."""

    def __init__(self, stdout_path: Path, stderr_path: Path) -> None:
        self.stdout_path = stdout_path
        self.stderr_path = stderr_path

    def stdout_lines(self) -> list[str]:
        # The last line may still be half written; only complete lines count. Split on "\n" only:
        # a JSON line may legitimately hold characters that str.splitlines() also breaks at.
        text = self.stdout_path.read_bytes().decode("utf-8", errors="replace")
        return [line for line in text[: text.rfind("\n") + 1].split("\n") if line.strip()]

    def all_output(self) -> str:
        return "".join(
            path.read_bytes().decode("utf-8", errors="replace") for path in (self.stdout_path, self.stderr_path)
        )

    def records(self) -> list[dict]:
        parsed_records = []
        for line in self.stdout_lines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict):
                parsed_records.append(record)
        return parsed_records

    def lines_that_are_not_log_records(self) -> list[str]:
        """Every non-empty stdout line must be a JSON object with the keys of spec 6.2."""
        required_keys = {"ts", "level", "logger", "msg", "variant"}
        bad_lines = []
        for line in self.stdout_lines():
            try:
                record = json.loads(line)
            except ValueError:
                bad_lines.append(line)
                continue
            if not isinstance(record, dict) or not required_keys <= record.keys():
                bad_lines.append(line)
        return bad_lines

    def for_request(self, request_id: str, until: Callable[[list[dict]], bool] = bool) -> list[dict]:
        """The records carrying ``request_id``, once ``until`` holds for them (or the settle time is up)."""
        second_look_delay = 0.2
        deadline = time.monotonic() + SETTLE_TIMEOUT_SECONDS - second_look_delay
        while True:
            request_records = [record for record in self.records() if record.get("request_id") == request_id]
            if until(request_records) or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        # A second look, so that a line written twice is seen twice.
        time.sleep(second_look_delay)
        return [record for record in self.records() if record.get("request_id") == request_id]

    def tail(self, line_count: int = 40) -> str:
        parts = []
        for path in (self.stdout_path, self.stderr_path):
            lines = path.read_bytes().decode("utf-8", errors="replace").splitlines()[-line_count:]
            parts.append(f"--- {path.name} (last {len(lines)} lines) ---\n" + "\n".join(lines))
        return "\n".join(parts)


class ServerInstance:
    """One running copy of a variant, started by this suite and stopped by it with SIGTERM."""

    def __init__(
        self,
        variant: variants.Variant,
        scratch_dir: Path,
        label: str,
        database_url: str,
        env_changes: dict[str, str | None] | None = None,
    ) -> None:
        """``env_changes`` overrides the environment below; a None value removes the variable."""
        self.variant = variant
        self.label = label
        self.port = variants.free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "DATABASE_URL": database_url,
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "info",
            # Two workers, so that the metrics must really be aggregated across processes.
            "WEB_CONCURRENCY": "2",
        }
        for name, value in (env_changes or {}).items():
            if value is None:
                self.env.pop(name, None)
            else:
                self.env[name] = value
        self.log = ServerLog(scratch_dir / f"{label}.stdout.log", scratch_dir / f"{label}.stderr.log")
        self.process: subprocess.Popen | None = None
        self.sigterm_sent = False
        self.stopped = False

    def migrate(self) -> None:
        variants.run_migrations(self.variant, env=self.env)

    def start(self) -> None:
        with self.log.stdout_path.open("ab") as stdout_file, self.log.stderr_path.open("ab") as stderr_file:
            self.process = variants.start_server(
                self.variant.serve, self.variant.folder, self.env, stdout_file, stderr_file
            )

    def wait_until_answering(self, path: str) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        last_outcome = "no answer"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise HarnessError(
                    f"{self.label} server exited with code {self.process.returncode} before answering "
                    f"{path}\n{self.log.tail()}"
                )
            try:
                response = requests.get(self.base_url + path, timeout=2)
                if response.status_code == 200:
                    return
                last_outcome = f"status {response.status_code}"
            except requests.RequestException as error:
                last_outcome = type(error).__name__
            time.sleep(0.2)
        raise HarnessError(
            f"{self.label} server did not answer 200 on {path} within {READY_TIMEOUT_SECONDS} s "
            f"(last: {last_outcome})\n{self.log.tail()}"
        )

    def send_sigterm(self) -> None:
        """One SIGTERM per instance, as an orchestrator sends it: a second one, while the server is
        still draining, would test a different thing (CherryPy, for one, dies of it)."""
        if not self.sigterm_sent:
            self.sigterm_sent = True
            self.process.send_signal(signal.SIGTERM)

    def wait_for_exit(self) -> int:
        """The exit code; a server still running after the grace period is killed, and that is an error."""
        try:
            return self.process.wait(timeout=SHUTDOWN_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            # The last resort, on the process group this suite created with start_new_session.
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            raise HarnessError(
                f"{self.label} server was still running {SHUTDOWN_TIMEOUT_SECONDS} s after SIGTERM; "
                f"killed\n{self.log.tail()}"
            ) from None

    def stop(self) -> None:
        """SIGTERM, then insist on exit code 0 and on stdout made of JSON log records only; once."""
        if self.process is None or self.stopped:
            return
        self.stopped = True
        if self.process.poll() is None:
            self.send_sigterm()
        exit_code = self.wait_for_exit()
        if exit_code != 0:
            raise HarnessError(f"{self.label} server exited with code {exit_code}, not 0\n{self.log.tail()}")
        bad_lines = self.log.lines_that_are_not_log_records() if self.env.get("LOG_FORMAT", "json") == "json" else []
        if bad_lines:
            raise HarnessError(f"{self.label} server wrote stdout lines that are not JSON log records: {bad_lines[:5]}")


class ServerLauncher:
    """Starts instances of one variant, each on a fresh database unless told otherwise, and stops
    those still running at the end, checking each one's exit (the suites' ``launch_server``)."""

    def __init__(self, variant_name: str, databases: DatabaseProvisioner, scratch_dir: Callable[[str], Path]) -> None:
        self.variant_name = variant_name
        self.databases = databases
        self.scratch_dir = scratch_dir
        self.started: list[ServerInstance] = []

    def launch(
        self,
        label: str,
        *,
        database_url: str | None = None,
        migrate: bool = True,
        wait_for: str = "/health/ready",
        env_changes: dict[str, str | None] | None = None,
    ) -> ServerInstance:
        """A running instance, answering 200 on ``wait_for``; raises HarnessError if it does not."""
        server = ServerInstance(
            variants.load(self.variant_name),
            self.scratch_dir(label),
            label,
            database_url or self.databases.fresh_database_url(label),
            env_changes,
        )
        if migrate:
            server.migrate()
        server.start()
        self.started.append(server)
        server.wait_until_answering(wait_for)
        return server

    def stop_all(self) -> list[str]:
        """SIGTERM to every instance still running; what went wrong with any of them."""
        failures = []
        for server in self.started:
            try:
                server.stop()
            except HarnessError as error:
                failures.append(str(error))
        return failures


@dataclass
class RawResponse:
    """A response read with http.client, shaped like the parts of ``requests.Response`` the checks use."""

    status_code: int
    headers: CaseInsensitiveDict
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self):
        return json.loads(self.content)


class ApiClient:
    """HTTP to one server: ``requests`` for ordinary calls, ``http.client`` and sockets for exact bytes.

    With a ``token``, every request carries ``Authorization: Bearer <token>`` unless the call's own
    headers name ``Authorization``: with another value, or with None to send none at all.
    """

    def __init__(self, base_url: str, token: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        parts = urllib.parse.urlsplit(self.base_url)
        self.host = parts.hostname
        self.port = parts.port or 80
        self.token = token
        self._thread_state = threading.local()

    @property
    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def _headers(self, headers: dict[str, str | None] | None) -> dict[str, str]:
        """The default headers with the call's own on top; a None value removes a header."""
        merged = CaseInsensitiveDict(self.auth_headers)
        merged.update(headers or {})
        return {name: value for name, value in merged.items() if value is not None}

    @property
    def session(self) -> requests.Session:
        # A Session is not safe to share between threads, and the concurrency tests use threads.
        if not hasattr(self._thread_state, "session"):
            self._thread_state.session = requests.Session()
        return self._thread_state.session

    def request(
        self, method: str, path: str, headers: dict[str, str | None] | None = None, **kwargs
    ) -> requests.Response:
        return self.session.request(
            method,
            self.base_url + path,
            headers=self._headers(headers),
            allow_redirects=False,
            timeout=HTTP_TIMEOUT_SECONDS,
            **kwargs,
        )

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def head(self, path: str, **kwargs) -> requests.Response:
        return self.request("HEAD", path, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs) -> requests.Response:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def raw(
        self,
        method: str,
        path: str,
        body: bytes | Iterable[bytes] | None = None,
        headers: dict[str, str | None] | None = None,
        chunked: bool = False,
    ) -> RawResponse:
        """Exactly these headers (plus Host, Accept-Encoding, Content-Length and the client's
        Authorization) and these bytes."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=HTTP_TIMEOUT_SECONDS)
        try:
            # A server may answer (413) and close before it has read the whole body; its answer counts.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                connection.request(method, path, body=body, headers=self._headers(headers), encode_chunked=chunked)
            response = connection.getresponse()
            return RawResponse(response.status, CaseInsensitiveDict(response.getheaders()), response.read())
        finally:
            connection.close()

    def on_the_wire(self, method: str, path: str, headers: dict[str, str | None] | None = None) -> RawResponse:
        """The response exactly as sent, read to the end of the connection: proves that a body is absent."""
        header_lines = "".join(f"{name}: {value}\r\n" for name, value in self._headers(headers).items())
        request_head = (
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{header_lines}Connection: close\r\n\r\n"
        )
        with socket.create_connection((self.host, self.port), timeout=HTTP_TIMEOUT_SECONDS) as connection:
            connection.sendall(request_head.encode("latin-1"))
            received = b""
            while chunk := connection.recv(65536):
                received += chunk
        head, _, after_head = received.partition(b"\r\n\r\n")
        status_line, *header_lines_received = head.decode("latin-1").split("\r\n")
        response_headers = CaseInsensitiveDict()
        for line in header_lines_received:
            name, _, value = line.partition(":")
            response_headers[name.strip()] = value.strip()
        return RawResponse(int(status_line.split(" ")[1]), response_headers, after_head)


class MetricsScrape:
    """One reading of /metrics, indexed by sample name and labels."""

    def __init__(self, exposition_text: str) -> None:
        self.text = exposition_text
        self.family_types: dict[str, str] = {}
        self.samples: list[tuple[str, dict[str, str], float]] = []
        for family in text_string_to_metric_families(exposition_text):
            self.family_types[family.name] = family.type
            for sample in family.samples:
                self.samples.append((sample.name, dict(sample.labels), sample.value))

    def value(self, sample_name: str, **labels: str) -> float:
        """The sample with exactly these labels; a series that was never touched counts as 0."""
        matching_values = [
            value for name, sample_labels, value in self.samples if name == sample_name and sample_labels == labels
        ]
        return sum(matching_values)

    def label_sets(self, sample_name: str) -> list[dict[str, str]]:
        return [sample_labels for name, sample_labels, _ in self.samples if name == sample_name]


class MetricsReader:
    def __init__(self, client: ApiClient) -> None:
        self.client = client

    def scrape(self) -> MetricsScrape:
        response = self.client.get("/metrics")
        if response.status_code != 200:
            raise AssertionError(f"GET /metrics answered {response.status_code}: {response.text[:500]}")
        return MetricsScrape(response.text)

    def delta(self, before: MetricsScrape, sample_name: str, expected: float, **labels: str) -> float:
        """The change since ``before``, read again until it reaches ``expected`` or the settle time is up."""
        after = self.settled(before, sample_name, expected, **labels)
        return after.value(sample_name, **labels) - before.value(sample_name, **labels)

    def settled(self, before: MetricsScrape, sample_name: str, expected: float, **labels: str) -> MetricsScrape:
        """A scrape in which ``sample_name`` has moved by ``expected`` since ``before`` (or the last one
        read when the settle time is up): the other samples of the same requests are read from it too,
        since one observation writes them all."""
        deadline = time.monotonic() + SETTLE_TIMEOUT_SECONDS
        while True:
            after = self.scrape()
            change = after.value(sample_name, **labels) - before.value(sample_name, **labels)
            if change >= expected or time.monotonic() > deadline:
                return after
            time.sleep(0.05)
