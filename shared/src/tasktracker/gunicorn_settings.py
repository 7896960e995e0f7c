"""The gunicorn settings of every variant that gunicorn serves (spec 6.4, 6.5), once.

A variant's ``gunicorn.conf.py`` (or the place its framework hands settings to gunicorn) takes
them from :func:`gunicorn_settings` for its own :class:`~tasktracker.config.Settings`.
"""

from __future__ import annotations

from typing import Any

from tasktracker.config import Settings
from tasktracker.observability import metrics_setup
from tasktracker.observability.logging import gunicorn_logging_config

# Within the spec's 10 s: requests in flight get 8 s to finish after SIGTERM.
GRACEFUL_TIMEOUT_SECONDS = 8


def child_exit(server: Any, worker: Any) -> None:
    metrics_setup.mark_worker_dead(worker.pid)


def on_exit(server: Any) -> None:
    metrics_setup.remove_multiprocess_dir()


def gunicorn_settings(settings: Settings) -> dict[str, Any]:
    """gunicorn's settings by name, for a config module's globals or a server adapter's options.

    Call it in gunicorn's master before the application is imported: it also prepares
    prometheus-client's multiprocess directory (workers are separate processes, and
    prometheus-client picks its storage when it is first imported).
    """
    metrics_setup.prepare_multiprocess_dir(settings.variant)
    return {
        "bind": f"{settings.host}:{settings.port}",
        "workers": settings.web_concurrency,
        "graceful_timeout": GRACEFUL_TIMEOUT_SECONDS,
        # gunicorn ≥ 25 opens one control socket per user by default; two servers would fight over it.
        "control_socket_disable": True,
        "logconfig_dict": gunicorn_logging_config(settings),
        "child_exit": child_exit,
        "on_exit": on_exit,
    }
