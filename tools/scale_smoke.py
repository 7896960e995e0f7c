"""deploy/k8s run without a cluster: each overlay's Job and two replicas, behind a real load balancer.

For each variant, on the local PostgreSQL, from the objects ``kubectl kustomize`` builds for its
overlay:

1. the image, built natively as compose-smoke builds it (the overlay's image is compose's);
2. the migrate Job's command, in a Pod's copy of the image's folder, with the Job's environment:
   the ConfigMap, a Secret made here (``DATABASE_URL`` names a fresh database), ``env`` expanded as
   the kubelet expands it;
3. the Deployment's replicas, each a Pod of its own: its own copy of the folder, its own address on
   the loopback network (127.0.0.11, 127.0.0.12 … stand for Pod IPs, so the Downward API's
   ``status.podIP`` has a value to give), the image's CMD, and the startup and readiness probes
   polled as the kubelet polls them;
4. HAProxy in front, standing for the Service and the Ingress: round robin, the readiness path as
   its health check at the probe's period and threshold, the Ingress's host name as the Host header.

Then, through the balancer:

- the contract suite (``--base-url … --behind-balancer``: the tests that count exact changes in
  one server's /metrics are skipped, and the per-replica counts are checked here instead);
- state that must be shared: a task created on one replica is read, and changed with its ETag,
  on the other; a stale ETag is refused by either;
- every replica scraped by a real Prometheus with the ServiceMonitor's settings: one ``up`` series
  per replica, each with its own ``instance`` label, and requests counted on each;
- a write burst from several clients, with one replica killed (SIGKILL, its whole process group)
  in the middle of it: every write answered 2xx is in the database afterwards, HAProxy's health
  check marks the dead replica down, and after that every request succeeds.

Finally every replica left gets SIGTERM and must exit 0, and the database is dropped.

    tox -e scale-smoke                  # every variant
    tox -e scale-smoke -- flask django  # some
"""

from __future__ import annotations

import contextlib
import math
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import compose_smoke
import k8s_manifests
import psycopg
import requests
import yaml
from compose_smoke import SmokeFailure, database_statement, spawn, stop, tail
from k8s_manifests import Overlay
from psycopg import sql
from signed_in import SignedIn, sign_in

import deployment
import variants

ADMIN_DATABASE_URL = compose_smoke.ADMIN_DATABASE_URL
DATABASE_PREFIX = "scale_smoke_"
# Stand-ins for Pod IPs: Linux answers on every 127.0.0.0/8 address.
POD_NETWORK = "127.0.0."
FIRST_POD_HOST = 11
MIGRATE_TIMEOUT_SECONDS = 120
CONTRACT_TIMEOUT_SECONDS = 900
# The write burst: this many clients, each writing until told to stop; the kill comes this late.
BURST_CLIENTS = 8
BURST_SECONDS = 6.0
KILL_AFTER_SECONDS = 2.0
PER_REPLICA_REQUESTS = 20


def log(message: str) -> None:
    print(f"scale-smoke: {message}", flush=True)


@dataclass
class Pod:
    """One replica: its address, its folder, its server process."""

    name: str
    address: str
    port: int
    process: subprocess.Popen
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://{self.address}:{self.port}"


@dataclass
class Balancer:
    process: subprocess.Popen
    port: int
    socket_path: Path
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def server_states(self) -> dict[str, str]:
        """HAProxy's runtime API: each backend server's status (UP, DOWN …), by name."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(5)
            connection.connect(str(self.socket_path))
            connection.sendall(b"show stat\n")
            received = b""
            while chunk := connection.recv(65536):
                received += chunk
        lines = received.decode().lstrip("# ").splitlines()
        header = lines[0].split(",")
        rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:] if line]
        return {row["svname"]: row["status"] for row in rows if row["svname"] not in ("FRONTEND", "BACKEND")}


@dataclass
class Deployed:
    """A variant's overlay, run: its database, its Pods, its balancer."""

    overlay: Overlay
    database_url: str
    pods: list[Pod] = field(default_factory=list)
    balancer: Balancer | None = None


def poll(awaited: str, condition, timeout: float, process: subprocess.Popen, log_path: Path, interval: float = 0.25):
    """Polls ``condition`` (it returns whether it holds and what it saw) while ``process`` runs."""
    deadline, seen = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SmokeFailure(f"{awaited}: the process exited with {process.returncode}\n{tail(log_path)}")
        with contextlib.suppress(requests.RequestException, OSError):
            holds, seen = condition()
            if holds:
                return seen
        time.sleep(interval)
    raise SmokeFailure(f"{awaited}: not within {timeout:.0f} s (last seen: {seen})\n{tail(log_path)}")


def probe_budget(probe: dict) -> float:
    """How long the kubelet would wait on this probe before giving up: period × failure threshold."""
    return probe.get("periodSeconds", 10) * probe.get("failureThreshold", 3) + probe.get("initialDelaySeconds", 0)


class ScaleRun:
    def __init__(self, scratch_dir: Path) -> None:
        self.scratch_dir = scratch_dir
        self.builder = compose_smoke.ComposeRun(scratch_dir / "images")
        self.builder.scratch_dir.mkdir()
        self.deployed: list[Deployed] = []

    @staticmethod
    def container_environment(
        image: deployment.Image, overlay: Overlay, workload: dict, secret: dict, address: str, workdir: Path
    ) -> dict[str, str]:
        """The image's ENV, then the container's (the kubelet's order), with the Pod's virtualenv on PATH."""
        local = {each: os.environ[each] for each in ("HOME", "LANG", "LC_ALL") if each in os.environ}
        environment = {**local, **image.parser.envs, **overlay.environment(workload, secret, address)}
        environment["PATH"] = f"{workdir.parent / 'venv' / 'bin'}{os.pathsep}{os.environ['PATH']}"
        return environment

    def pod_folder(self, image_folder: Path, pod_name: str) -> Path:
        """A Pod's own copy of the image's folder, beside the image's virtualenv (its writable volumes are its own)."""
        folder = image_folder.parent / pod_name
        shutil.copytree(image_folder, folder, symlinks=True)
        return folder

    def start(self, overlay: Overlay) -> Deployed:
        name = overlay.variant.name
        compose_deployment = next(
            each for each in deployment.deployments(deployment.load_compose()) if each.variant.name == name
        )
        server_container = Overlay.container(overlay.deployment)
        if server_container["image"].rpartition(":")[0] != compose_deployment.server["image"]:
            raise SmokeFailure(f"{name}: the overlay's image is not the one docker-compose.yml builds")
        image_folder = self.builder.build_natively(compose_deployment)

        database_name = f"{DATABASE_PREFIX}{name}"
        database_statement("DROP DATABASE IF EXISTS {} WITH (FORCE)", database_name)
        database_statement("CREATE DATABASE {}", database_name)
        admin = urlsplit(ADMIN_DATABASE_URL)
        database_url = urlunsplit((admin.scheme, admin.netloc, f"/{database_name}", "", ""))
        deployed = Deployed(overlay, database_url)
        self.deployed.append(deployed)
        secret = {"DATABASE_URL": database_url, "SECRET_KEY": secrets.token_urlsafe(40)}

        # The Job's Pod, at an address of its own.
        job_address = f"{POD_NETWORK}{FIRST_POD_HOST - 1}"
        job_folder = self.pod_folder(image_folder, "migrate-job")
        command = Overlay.container(overlay.job)["command"]
        log(f"{name}: Job {overlay.job['metadata']['name']}: {' '.join(command)}")
        migration = subprocess.run(
            command,
            cwd=job_folder,
            env=self.container_environment(
                compose_deployment.image, overlay, overlay.job, secret, job_address, job_folder
            ),
            capture_output=True,
            text=True,
            timeout=MIGRATE_TIMEOUT_SECONDS,
        )
        if migration.returncode != 0:
            raise SmokeFailure(
                f"{name}: the migrate Job failed ({migration.returncode})\n{migration.stdout}{migration.stderr}"
            )

        port = int(server_container["ports"][0]["containerPort"])
        cmd = compose_deployment.image.exec_form("CMD")
        for index in range(overlay.deployment["spec"]["replicas"]):
            pod_name = f"{overlay.deployment['metadata']['name']}-{index}"
            address = f"{POD_NETWORK}{FIRST_POD_HOST + index}"
            folder = self.pod_folder(image_folder, pod_name)
            environment = self.container_environment(
                compose_deployment.image, overlay, overlay.deployment, secret, address, folder
            )
            # In its Pod, 0.0.0.0 is only the Pod's own address; on this shared machine, that address,
            # and another port if something here already listens on that one.
            environment["HOST"] = address
            pod_port = port
            try:
                socket.create_server((address, port)).close()
            except OSError:
                pod_port = variants.free_port()
                environment["PORT"] = str(pod_port)
                log(f"{name}: port {port} is taken here, using {pod_port}")
            log_path = self.scratch_dir / f"{pod_name}.log"
            process = spawn(cmd, log_path, cwd=folder, env=environment)
            deployed.pods.append(Pod(pod_name, address, pod_port, process, log_path))
            log(f"{name}: Pod {pod_name} on {address}:{pod_port} (pid {process.pid})")
        for pod in deployed.pods:
            for probe_name in ("startupProbe", "readinessProbe"):
                probe = server_container[probe_name]
                url = f"{pod.base_url}{probe['httpGet']['path']}"

                def passes(url=url, probe=probe):
                    answer = requests.get(url, timeout=probe.get("timeoutSeconds", 1))
                    return 200 <= answer.status_code < 400, answer.status_code

                poll(f"{pod.name}: {probe_name} {url}", passes, probe_budget(probe), pod.process, pod.log_path)
            log(f"{name}: Pod {pod.name} ready")
        deployed.balancer = self.start_balancer(deployed)
        return deployed

    def start_balancer(self, deployed: Deployed) -> Balancer:
        overlay, name = deployed.overlay, deployed.overlay.variant.name
        binary = shutil.which("haproxy")
        if binary is None:
            raise SmokeFailure("no haproxy binary: apt-get install haproxy (.ci/run does)")
        readiness = Overlay.container(overlay.deployment)["readinessProbe"]
        host = overlay.one("Ingress")["spec"]["rules"][0]["host"]
        port, socket_path = variants.free_port(), self.scratch_dir / f"haproxy-{name}.sock"
        servers = "\n".join(f"    server {pod.name} {pod.address}:{pod.port} check" for pod in deployed.pods)
        # The readiness probe's settings are the health check's: a replica that the kubelet would
        # take out of the Service's endpoints, HAProxy takes out of rotation, as fast.
        period, rise = readiness.get("periodSeconds", 10), readiness.get("successThreshold", 1)
        config = f"""global
    stats socket {socket_path} mode 600 level admin
    log stdout format raw local0 notice

defaults
    mode http
    log global
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    # A request whose connection was refused never reached a server: send it to another one.
    retries 2
    option redispatch
    retry-on conn-failure

frontend ingress
    bind 127.0.0.1:{port}
    # The Ingress routes by host name; here the one host is this variant's.
    http-request set-header Host {host}
    default_backend service

backend service
    balance roundrobin
    option httpchk
    http-check send meth GET uri {readiness["httpGet"]["path"]} ver HTTP/1.1 hdr Host {host}
    http-check expect status 200
    default-server inter {period}s fall {readiness.get("failureThreshold", 3)} rise {rise}
{servers}
"""
        config_path = self.scratch_dir / f"haproxy-{name}.cfg"
        config_path.write_text(config, encoding="utf-8")
        checked = subprocess.run([binary, "-c", "-f", str(config_path)], capture_output=True, text=True)
        if checked.returncode != 0:
            raise SmokeFailure(f"{name}: haproxy rejects its configuration\n{checked.stdout}{checked.stderr}")
        log_path = self.scratch_dir / f"haproxy-{name}.log"
        balancer = Balancer(spawn([binary, "-db", "-f", str(config_path)], log_path), port, socket_path, log_path)
        log(f"{name}: haproxy on port {port} (pid {balancer.process.pid}) in front of {len(deployed.pods)} Pods")

        def every_server_up():
            states = balancer.server_states()
            return bool(states) and set(states.values()) == {"UP"}, states

        poll(f"{name}: haproxy sees every Pod up", every_server_up, 30, balancer.process, log_path)
        return balancer

    def stop(self, deployed: Deployed) -> list[str]:
        """SIGTERM to the balancer and every Pod still running (each must exit 0); the database dropped."""
        failures = []
        if deployed.balancer is not None:
            stop(deployed.balancer.process)
        for pod in deployed.pods:
            if pod.process.returncode == -signal.SIGKILL:
                continue
            exit_code = stop(pod.process)
            if exit_code != 0:
                failures.append(f"{pod.name} exited with {exit_code} after SIGTERM\n{tail(pod.log_path)}")
            else:
                log(f"{pod.name}: stopped (exit 0)")
        database_statement("DROP DATABASE IF EXISTS {} WITH (FORCE)", urlsplit(deployed.database_url).path.strip("/"))
        self.deployed.remove(deployed)
        return failures

    def stop_all(self) -> list[str]:
        return [failure for deployed in reversed(list(self.deployed)) for failure in self.stop(deployed)]


# --- the checks -----------------------------------------------------------------------------


def run_contract_suite(deployed: Deployed) -> None:
    name, started = deployed.overlay.variant.name, time.monotonic()
    log(f"{name}: contract suite through the balancer, {deployed.balancer.base_url}")
    # Without the timing-parity case (spec 7.2): it measures the hasher, not the deployment.
    suite = [sys.executable, "-m", "pytest", "contract_tests", "-q", "-p", "no:cacheprovider", "-m", "not slow"]
    outcome = subprocess.run(
        [*suite, "--base-url", deployed.balancer.base_url, "--behind-balancer"],
        cwd=deployment.REPO_ROOT,
        timeout=CONTRACT_TIMEOUT_SECONDS,
    )
    if outcome.returncode != 0:
        logs = "\n".join(tail(pod.log_path, 15) for pod in deployed.pods)
        raise SmokeFailure(f"{name}: the contract suite failed through the balancer\n{logs}")
    log(f"{name}: contract suite passed through the balancer in {time.monotonic() - started:.0f} s")


def check_accounts_are_shared(deployed: Deployed) -> SignedIn:
    """Spec 7: a token taken on one replica works on the other, a revocation on one holds on the
    other at once, and the lock-out counts failures from both (they are rows in the database)."""
    name, (first, second) = deployed.overlay.variant.name, deployed.pods[:2]
    user = sign_in(first.base_url, "scale")
    me = requests.get(f"{second.base_url}/api/users/me", headers=user.headers, timeout=10)
    if me.status_code != 200 or me.json().get("username") != user.username:
        raise SmokeFailure(f"{name}: a token taken on one replica gave {me.status_code} on the other")
    spare = sign_in_again(first.base_url, user)
    revoked = requests.delete(f"{first.base_url}/api/tokens/current", headers=spare.headers, timeout=10)
    after = requests.get(f"{second.base_url}/api/users/me", headers=spare.headers, timeout=10)
    if (revoked.status_code, after.status_code) != (204, 401):
        raise SmokeFailure(
            f"{name}: revoked on one replica ({revoked.status_code}), the other answered {after.status_code}"
        )
    wrong = {"username": f"nobody-{secrets.token_hex(4)}", "password": "not the password"}
    answers = [
        requests.post(f"{pod.base_url}/api/tokens", json=wrong, timeout=30).status_code
        for pod in (first, second, first, second, first, second)
    ]
    if answers != [401] * 5 + [429]:
        raise SmokeFailure(f"{name}: five failures spread over two replicas, then one more, gave {answers}")
    log(f"{name}: tokens, revocation and the lock-out hold across replicas")
    return user


def sign_in_again(base_url: str, user: SignedIn) -> SignedIn:
    """A second token for the same user."""
    credentials = {"username": user.username, "password": user.password}
    issued = requests.post(f"{base_url}/api/tokens", json=credentials, timeout=30)
    issued.raise_for_status()
    return SignedIn(user.username, user.password, issued.json()["token"])


def check_state_is_shared(deployed: Deployed, user: SignedIn) -> None:
    """What one replica writes, the other reads and guards: ETags and versions live in the database."""
    name, (first, second) = deployed.overlay.variant.name, deployed.pods[:2]
    created = requests.post(
        f"{first.base_url}/api/tasks", json={"title": "made on one replica"}, headers=user.headers, timeout=10
    )
    created.raise_for_status()
    task_path = f"/api/tasks/{created.json()['id']}"
    read = requests.get(f"{second.base_url}{task_path}", headers=user.headers, timeout=10)
    if read.status_code != 200 or read.headers.get("ETag") != created.headers.get("ETag"):
        raise SmokeFailure(f"{name}: the other replica reads {read.status_code} {read.headers.get('ETag')}")
    changed = requests.patch(
        f"{second.base_url}{task_path}",
        json={"status": "in_progress"},
        headers={"If-Match": read.headers["ETag"], **user.headers},
        timeout=10,
    )
    stale = requests.patch(
        f"{first.base_url}{task_path}",
        json={"status": "done"},
        headers={"If-Match": read.headers["ETag"], **user.headers},
        timeout=10,
    )
    if (changed.status_code, stale.status_code) != (200, 412):
        raise SmokeFailure(
            f"{name}: If-Match across replicas gave {changed.status_code} then {stale.status_code}, not 200, 412"
        )
    log(f"{name}: a task made on one replica is read and guarded by its ETag on the other")


def replica_count(pod: Pod, route: str) -> float:
    from prometheus_client.parser import text_string_to_metric_families

    scrape = requests.get(f"{pod.base_url}/metrics", timeout=10)
    scrape.raise_for_status()
    return sum(
        sample.value
        for family in text_string_to_metric_families(scrape.text)
        for sample in family.samples
        if sample.name == "http_requests_total" and sample.labels.get("route") == route
    )


def check_requests_are_spread_and_counted(deployed: Deployed, user: SignedIn) -> None:
    """Round robin reaches every replica, and each counts exactly the requests it served."""
    name, route = deployed.overlay.variant.name, "/api/tasks/stats"
    before = [replica_count(pod, route) for pod in deployed.pods]
    for _ in range(PER_REPLICA_REQUESTS * len(deployed.pods)):
        requests.get(
            f"{deployed.balancer.base_url}/api/tasks/stats", headers=user.headers, timeout=10
        ).raise_for_status()
    expected = PER_REPLICA_REQUESTS * len(deployed.pods)
    deadline = time.monotonic() + 5
    while True:
        served = [replica_count(pod, route) - was for pod, was in zip(deployed.pods, before, strict=True)]
        if sum(served) >= expected or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    if sum(served) != expected or min(served) == 0:
        raise SmokeFailure(f"{name}: {expected} requests through the balancer were counted as {served} per replica")
    log(f"{name}: {expected} requests through the balancer, counted per replica as {served}")


def check_prometheus(deployed: Deployed) -> None:
    """A real Prometheus, configured as the Operator would from the ServiceMonitor, sees each replica."""
    name, overlay = deployed.overlay.variant.name, deployed.overlay
    binary = shutil.which("prometheus")
    if binary is None:
        raise SmokeFailure("no prometheus binary: apt-get install prometheus (.ci/run does)")
    endpoint = overlay.one("ServiceMonitor")["spec"]["endpoints"][0]
    pod_labels = overlay.deployment["spec"]["template"]["metadata"]["labels"]
    # The labels Kubernetes service discovery gives a Pod target, as __meta_kubernetes_pod_label_<name>.
    discovered = {
        "__meta_kubernetes_pod_label_" + "".join(c if c.isalnum() else "_" for c in key): value
        for key, value in pod_labels.items()
    }
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "scrape_configs": [
            {
                "job_name": f"serviceMonitor/{overlay.one('ServiceMonitor')['metadata']['name']}",
                "metrics_path": endpoint["path"],
                "honor_labels": endpoint.get("honorLabels", False),
                "static_configs": [
                    {"targets": [f"{pod.address}:{pod.port}" for pod in deployed.pods], "labels": discovered}
                ],
                "relabel_configs": [
                    {"source_labels": each["sourceLabels"], "target_label": each["targetLabel"]}
                    for each in endpoint.get("relabelings", [])
                ],
            }
        ],
    }
    scratch = Path(tempfile.mkdtemp(prefix=f"prometheus-{name}-", dir=deployed.pods[0].log_path.parent))
    config_path, log_path, port = scratch / "prometheus.yml", scratch / "prometheus.log", variants.free_port()
    config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    process = spawn(
        [
            binary,
            f"--config.file={config_path}",
            f"--storage.tsdb.path={scratch / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        log_path,
    )

    def query(expression: str) -> list[dict]:
        answer = requests.get(f"http://127.0.0.1:{port}/api/v1/query", params={"query": expression}, timeout=10)
        answer.raise_for_status()
        return answer.json()["data"]["result"]

    expected = {f"{pod.address}:{pod.port}" for pod in deployed.pods}
    try:

        def each_replica_up():
            up = {each["metric"].get("instance"): each["value"][1] for each in query(f'up{{variant="{name}"}}')}
            return set(up) == expected and set(up.values()) == {"1"}, up

        poll(f"prometheus: one up series per {name} replica", each_replica_up, 60, process, log_path)

        def counted_per_replica():
            result = query(f'sum by (instance) (http_requests_total{{variant="{name}"}})')
            counted = {each["metric"]["instance"]: float(each["value"][1]) for each in result}
            return set(counted) == expected and all(math.isfinite(v) and v > 0 for v in counted.values()), counted

        counted = poll(f"prometheus: {name} requests counted per instance", counted_per_replica, 30, process, log_path)
        log(f"{name}: prometheus sees {len(expected)} replicas, requests by instance {counted}")
    finally:
        stop(process)


def check_a_killed_replica_loses_nothing(deployed: Deployed, user: SignedIn) -> None:
    """SIGKILL to one replica during a write burst: every acknowledged write survives, the balancer
    takes the replica out, and then every request succeeds."""
    name, balancer, victim = deployed.overlay.variant.name, deployed.balancer, deployed.pods[-1]
    acknowledged: list[tuple[int, str]] = []  # (id, title) of every write answered 2xx
    failed: list[str] = []
    lock, stopping = threading.Lock(), threading.Event()

    def new_session() -> requests.Session:
        session = requests.Session()
        session.headers.update(user.headers)
        return session

    def write(client_number: int) -> None:
        session, sequence = new_session(), 0
        while not stopping.is_set():
            sequence += 1
            title = f"burst {client_number}-{sequence}-{secrets.token_hex(4)}"
            try:
                answer = session.post(f"{balancer.base_url}/api/tasks", json={"title": title}, timeout=10)
            except requests.RequestException as error:
                with lock:
                    failed.append(type(error).__name__)
                session = new_session()
                continue
            with lock:
                if 200 <= answer.status_code < 300:
                    acknowledged.append((answer.json()["id"], title))
                else:
                    failed.append(str(answer.status_code))

    clients = [threading.Thread(target=write, args=(number,)) for number in range(BURST_CLIENTS)]
    for client in clients:
        client.start()
    time.sleep(KILL_AFTER_SECONDS)
    os.killpg(victim.process.pid, signal.SIGKILL)
    victim.process.wait()
    killed_at = time.monotonic()
    log(f"{name}: killed Pod {victim.name} (pid {victim.process.pid}) with SIGKILL mid-burst")

    def taken_out():
        states = balancer.server_states()
        return states.get(victim.name, "").startswith("DOWN"), states

    readiness = Overlay.container(deployed.overlay.deployment)["readinessProbe"]
    poll(
        f"{name}: haproxy marks {victim.name} down",
        taken_out,
        probe_budget(readiness) + 5,
        balancer.process,
        balancer.log_path,
    )
    marked_down_after = time.monotonic() - killed_at
    time.sleep(max(0.0, BURST_SECONDS - KILL_AFTER_SECONDS - marked_down_after))
    with lock:
        failed_before_down = len(failed)
    # With the dead replica out of rotation, every request must succeed.
    time.sleep(1.0)
    stopping.set()
    for client in clients:
        client.join(timeout=30)
    failed_after_down = failed[failed_before_down:]
    if failed_after_down:
        raise SmokeFailure(
            f"{name}: {len(failed_after_down)} writes failed after {victim.name} was taken out: {failed_after_down[:5]}"
        )

    # Read from the database itself: the replica that answered may be the dead one.
    titles_in_database = set()
    with psycopg.connect(deployed.database_url) as connection:
        for table in compose_smoke.tables_with_titles(deployed.database_url):
            rows = connection.execute(sql.SQL("SELECT title FROM {}").format(sql.Identifier(table))).fetchall()
            titles_in_database.update(title for (title,) in rows)
    lost = [title for _, title in acknowledged if title not in titles_in_database]
    if lost or not acknowledged:
        raise SmokeFailure(f"{name}: of {len(acknowledged)} acknowledged writes, {len(lost)} are lost: {lost[:5]}")
    log(
        f"{name}: {len(acknowledged)} writes acknowledged, all in the database; {len(failed)} not acknowledged "
        f"({', '.join(sorted(set(failed))) or 'none'}); "
        f"{victim.name} marked down {marked_down_after:.1f} s after the kill"
    )


def main(names: list[str]) -> int:
    chosen = [each for each in k8s_manifests.overlays() if not names or each.variant.name in names]
    if not chosen:
        raise SmokeFailure(f"no overlay named {names}")
    started, failures = time.monotonic(), []
    with tempfile.TemporaryDirectory(prefix="scale-smoke-") as scratch:
        run = ScaleRun(Path(scratch))
        try:
            for overlay in chosen:
                deployed = run.start(overlay)
                run_contract_suite(deployed)
                user = check_accounts_are_shared(deployed)
                check_state_is_shared(deployed, user)
                check_requests_are_spread_and_counted(deployed, user)
                check_prometheus(deployed)
                check_a_killed_replica_loses_nothing(deployed, user)
                failures.extend(run.stop(deployed))
        except (
            SmokeFailure,
            k8s_manifests.ManifestError,
            subprocess.SubprocessError,
            requests.RequestException,
        ) as error:
            failures.append(str(error))
        finally:
            failures.extend(run.stop_all())
    if failures:
        print("scale-smoke: FAILED\n" + "\n\n".join(failures), file=sys.stderr)
        return 1
    log(f"passed for {', '.join(each.variant.name for each in chosen)} in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
