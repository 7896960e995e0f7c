"""gunicorn settings for the web2py variant, from the spec's environment variables."""

from tasktracker.config import Settings
from tasktracker.observability import metrics_setup
from tasktracker.observability.logging import gunicorn_logging_config

# region: serving
settings = Settings.from_env("web2py")

bind = f"{settings.host}:{settings.port}"
workers = settings.web_concurrency
# Within the spec's 10 s: in-flight requests get 8 s to finish after SIGTERM.
graceful_timeout = 8
# gunicorn ≥ 25 opens one control socket per user by default; two servers would fight over it.
control_socket_disable = True
# endregion
# region: logging
logconfig_dict = gunicorn_logging_config("web2py", settings.log_level, settings.log_format)
# endregion

# region: metrics
# Workers are separate processes: prometheus-client must share counts through files, and the
# directory must exist before a worker imports the application.
metrics_setup.prepare_multiprocess_dir("web2py")


def child_exit(server, worker):
    metrics_setup.mark_worker_dead(worker.pid)


def on_exit(server):
    metrics_setup.remove_multiprocess_dir()


# endregion
