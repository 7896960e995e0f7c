"""deploy/nginx, the edge of docker-compose.yml, run natively: for compose-smoke and the fault suite.

The configuration is the repo's own, with only what this machine needs changed: each server
block listens on loopback on a port given here, for a variant whose upstream address is given
here (a local server's port, where Compose has ``<name>:<port>``), without Compose's resolver, and
with the paths nginx writes to (pid, error log, temporary bodies) in a scratch folder.

    with Edge(scratch, {"flask": 8102}) as edge:   # flask's local server listens on 8102
        edge.base_url("flask")                    # http://127.0.0.1:<the edge's port for flask>
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import variants

REPO_ROOT = Path(__file__).resolve().parent.parent
NGINX_DIR = REPO_ROOT / "deploy" / "nginx"
CONFIG_PATH = NGINX_DIR / "nginx.conf"
LOCATIONS_PATH = NGINX_DIR / "edge-locations.conf"
# A server block: its listen port, then the variant it passes to.
SERVER_BLOCK = re.compile(r"listen (\d+);\s*set \$variant ([a-z0-9]+):(\d+);")
START_TIMEOUT_SECONDS = 10


class EdgeError(Exception):
    pass


def declared_variants(config_text: str | None = None) -> dict[str, int]:
    """The variants nginx.conf serves, and the port each listens on (its variant's own port)."""
    text = config_text if config_text is not None else CONFIG_PATH.read_text(encoding="utf-8")
    return {name: int(listen) for listen, name, _ in SERVER_BLOCK.findall(text)}


def local_config(upstreams: dict[str, int], listen_ports: dict[str, int], scratch: Path) -> str:
    """nginx.conf for this machine: only the server blocks of ``upstreams``, on ``listen_ports``."""
    text = CONFIG_PATH.read_text(encoding="utf-8")

    def server_block(match: re.Match) -> str:
        name = match[2]
        if name not in upstreams:
            # Not running here: its block stays, listening on a port of its own, for nothing.
            return f"listen 127.0.0.1:{listen_ports[name]};\n        set $variant 127.0.0.1:9;"
        return f"listen 127.0.0.1:{listen_ports[name]};\n        set $variant 127.0.0.1:{upstreams[name]};"

    text, blocks = SERVER_BLOCK.subn(server_block, text)
    if blocks != len(listen_ports):
        raise EdgeError(f"{CONFIG_PATH}: found {blocks} server blocks, expected {len(listen_ports)}")
    text, resolvers = re.subn(r"^\s*resolver [^;]*;\n", "", text, flags=re.MULTILINE)
    if resolvers != 1:
        raise EdgeError(f"{CONFIG_PATH}: expected one resolver line, found {resolvers}")
    paths = "\n".join(
        f"    {directive} {scratch / folder};"
        for directive, folder in (
            ("client_body_temp_path", "body"),
            ("proxy_temp_path", "proxy"),
            ("fastcgi_temp_path", "fastcgi"),
            ("uwsgi_temp_path", "uwsgi"),
            ("scgi_temp_path", "scgi"),
        )
    )
    return text.replace("http {\n", f"http {{\n{paths}\n", 1)


class Edge:
    """nginx with the repo's configuration, in front of local servers; stopped on leaving."""

    def __init__(self, scratch: Path, upstreams: dict[str, int]) -> None:
        self.scratch = scratch
        self.upstreams = upstreams
        self.ports = {name: variants.free_port() for name in declared_variants()}
        unknown = set(upstreams) - set(self.ports)
        if unknown:
            raise EdgeError(f"{CONFIG_PATH} has no server block for {', '.join(sorted(unknown))}")
        self.process: subprocess.Popen | None = None
        self.log_path = scratch / "nginx-error.log"

    def base_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def __enter__(self) -> Edge:
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(binary).exists():
            raise EdgeError("no nginx: apt-get install nginx-light (.ci/run does)")
        self.scratch.mkdir(parents=True, exist_ok=True)
        config_path = self.scratch / "nginx.conf"
        config_path.write_text(local_config(self.upstreams, self.ports, self.scratch), encoding="utf-8")
        shutil.copy(LOCATIONS_PATH, self.scratch / LOCATIONS_PATH.name)
        directives = f"daemon off; pid {self.scratch / 'nginx.pid'}; error_log {self.log_path} warn;"
        if os.geteuid() == 0:
            # Workers would otherwise run as nobody, who may not write the scratch folder's bodies.
            directives += " user root;"
        command = [binary, "-p", str(self.scratch), "-c", str(config_path), "-e", str(self.log_path), "-g", directives]
        checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30)
        if checked.returncode != 0:
            raise EdgeError(f"nginx -t refused the edge's configuration:\n{checked.stderr}")
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        for name in self.upstreams:
            while True:
                try:
                    socket.create_connection(("127.0.0.1", self.ports[name]), timeout=1).close()
                    break
                except OSError:
                    if self.process.poll() is not None or time.monotonic() > deadline:
                        self.__exit__(None, None, None)
                        raise EdgeError(f"nginx did not listen for {name}\n{self.log_tail()}") from None
                    time.sleep(0.05)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        # SIGQUIT is nginx's graceful shutdown; SIGTERM its fast one.
        self.process.send_signal(signal.SIGQUIT)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log_tail(self, lines: int = 20) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
