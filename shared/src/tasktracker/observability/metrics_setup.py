"""Process setup for prometheus-client under a forking server (gunicorn), without importing it.

prometheus-client picks its storage when first imported, so a server's config calls
:func:`prepare_multiprocess_dir` before any worker imports ``tasktracker.observability.metrics``.
"""

from __future__ import annotations

import os
import shutil
import tempfile

MULTIPROCESS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def prepare_multiprocess_dir(variant: str) -> str:
    """A fresh, empty directory for this server's lifetime, exported to the workers.

    Fresh every start: files left by an earlier run would be added to this run's counts.
    """
    directory = tempfile.mkdtemp(prefix=f"prometheus-{variant}-")
    os.environ[MULTIPROCESS_DIR_VARIABLE] = directory
    return directory


def mark_worker_dead(pid: int) -> None:
    """A worker exited: drop its live gauges (its counters stay, so totals stay right)."""
    if os.environ.get(MULTIPROCESS_DIR_VARIABLE):
        from prometheus_client import multiprocess

        # prometheus_client's multiprocess module has no annotations.
        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]


def remove_multiprocess_dir() -> None:
    directory = os.environ.get(MULTIPROCESS_DIR_VARIABLE)
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
