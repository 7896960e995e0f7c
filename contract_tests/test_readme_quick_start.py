"""The top README's quick start is true (rule 5): its curl lines, run by bash against this server.

The lines are read from README.md's "Quick start" section as they are written there: sign up,
take a token, create a task (spec 7), then read it back. Only the address changes (the README
says 127.0.0.1:8002, the Flask variant's port) and the username, so that a second run against
one server does not meet its own 409.
"""

from __future__ import annotations

import re
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
README_ADDRESS = "http://127.0.0.1:8002"


def quick_start_commands() -> str:
    """Every ```sh block of the quick start after the first (which starts the server and the tests)."""
    section = README.read_text(encoding="utf-8").split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)
    assert len(blocks) >= 2, "the quick start has its tox block and then the curl lines"
    return "\n".join(blocks[1:])


def test_the_quick_start_signs_up_takes_a_token_and_creates_a_task(base_url):
    if shutil.which("curl") is None:
        pytest.skip("no curl on this machine")
    commands = quick_start_commands()
    for step in ("/api/users", "/api/tokens", "-X POST http://127.0.0.1:8002/api/tasks"):
        assert step in commands, f"the quick start no longer shows {step}"
    username = f"ada-{secrets.token_hex(4)}"
    script = "set -euo pipefail\n" + commands.replace(README_ADDRESS, base_url).replace('"ada"', f'"{username}"')
    completed = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, f"the quick start failed:\n{completed.stdout}\n{completed.stderr}"
    output = completed.stdout
    assert f'"username": "{username}"' in output or f'"username":"{username}"' in output, output
    assert '"title": "Read the spec"' in output or '"title":"Read the spec"' in output, output
    assert "http_requests_total" in output, output
