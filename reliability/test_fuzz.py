"""Schemathesis from docs/openapi.yaml against one running variant: every check, every phase.

The run is what a new user of the document would type (``schemathesis run docs/openapi.yaml
--url ... --checks all``), seeded, with a bounded number of examples per operation and the
phases ``examples, coverage, fuzzing, stateful``. The stateful phase follows the document's
links (create → get, patch and delete with the returned ETag as ``If-Match``) and the ones
schemathesis infers.

It runs as a signed-in user (spec 2.0): ``schemathesis.toml``, written beside the run, gives
every request that user's bearer token, and ``revokeToken`` a second token of theirs, so that
revoking it does not end the run's own.

The bar is zero findings. ``schemathesis-baseline.json`` holds the failures that are the tool's
own mistake, each with its reason; anything else fails this test with schemathesis' report.

    RELIABILITY_FUZZ_EXAMPLES=200 RELIABILITY_FUZZ_SECONDS=600 pytest reliability -k fuzz --variant flask

``RELIABILITY_FUZZ_EXAMPLES`` raises the examples per operation (CI: 25); with
``RELIABILITY_FUZZ_SECONDS``, the fuzzing and stateful phases repeat until that time is spent.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from expectations import sign_up, take_token
from harness import ApiClient, MetricsReader

REPO_ROOT = Path(__file__).resolve().parent.parent
OPENAPI = REPO_ROOT / "docs" / "openapi.yaml"
BASELINE = Path(__file__).resolve().parent / "schemathesis-baseline.json"
EXAMPLES = int(os.environ.get("RELIABILITY_FUZZ_EXAMPLES", "25"))
SECONDS = os.environ.get("RELIABILITY_FUZZ_SECONDS")
SEED = int(os.environ.get("RELIABILITY_FUZZ_SEED", "20261204"))
PHASES = "examples,coverage,fuzzing,stateful"
# Read by schemathesis from the run's folder; the tokens come from the environment.
CONFIG = """\
headers = { Authorization = "Bearer ${FUZZ_TOKEN}" }

[[operations]]
include-operation-id = "revokeToken"
headers = { Authorization = "Bearer ${FUZZ_SPARE_TOKEN}" }
"""


def requests_counted(client: ApiClient) -> int:
    """Every request the server has counted in ``http_requests_total``, over every series."""
    scrape = MetricsReader(client).scrape()
    return round(
        sum(scrape.value("http_requests_total", **labels) for labels in scrape.label_sets("http_requests_total"))
    )


def schemathesis_command(base_url: str, report_path: Path) -> list[str]:
    command = [
        str(Path(sys.executable).with_name("schemathesis")), "run", str(OPENAPI), "--url", base_url,
        "--checks", "all", "--phases", PHASES, "--seed", str(SEED), "--max-examples", str(EXAMPLES),
        "--workers", "1", "--request-timeout", "10", "--generation-database", "none",
        "--baseline", str(BASELINE), "--report", "json", "--report-json-path", str(report_path), "--no-color",
    ]  # fmt: skip
    if SECONDS:
        command += ["--max-time", SECONDS]
    return command


def test_schemathesis_finds_nothing_the_baseline_does_not_explain(launch, figures, tmp_path):
    assert BASELINE.is_file(), "schemathesis would write a new baseline from this run's failures"
    server = launch("fuzz")
    client = ApiClient(server.base_url)
    account = sign_up(server.base_url, "fuzz")
    spare = take_token(client, account.username, account.password)
    (tmp_path / "schemathesis.toml").write_text(CONFIG, encoding="utf-8")
    environment = {**os.environ, "FUZZ_TOKEN": account.token, "FUZZ_SPARE_TOKEN": spare}
    counted_before = requests_counted(client)
    report_path = tmp_path / "schemathesis.json"
    started = time.monotonic()
    completed = subprocess.run(
        schemathesis_command(server.base_url, report_path),
        cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=float(SECONDS or 0) + 600,
    )  # fmt: skip
    seconds = time.monotonic() - started
    # The scrape that counts is not part of the run.
    requests = requests_counted(client) - counted_before - 1
    assert report_path.is_file(), (
        f"schemathesis wrote no report (exit {completed.returncode}):\n"
        f"{completed.stdout[-3000:]}{completed.stderr[-3000:]}"
    )
    report = json.loads(report_path.read_text(encoding="utf-8"))
    findings = report["failures"]  # groups of failures; unique_failures counts them one by one
    figures["fuzz"] = {
        "requests": requests,
        "test_cases": report["test_cases"]["generated"],
        "findings": report["test_cases"]["unique_failures"],
        "known": report["baseline"]["known"],
        "errors": len(report["errors"]),
        "examples": EXAMPLES,
        "seed": SEED,
        "seconds": round(seconds, 1),
        "phases": {name: phase["status"] for name, phase in report["phases"].items()},
    }
    assert completed.returncode == 0 and not findings and not report["errors"], (
        f"schemathesis exit code {completed.returncode}; {figures['fuzz']['findings']} findings, "
        f"{len(report['errors'])} errors:\n" + completed.stdout[-6000:] + completed.stderr[-2000:]
    )
    # Every phase ran (the examples phase has nothing to run: the document carries no examples).
    assert {name for name, status in figures["fuzz"]["phases"].items() if status == "success"} >= {
        "coverage", "fuzzing", "stateful",
    }, figures["fuzz"]["phases"]  # fmt: skip
