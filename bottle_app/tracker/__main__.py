"""``python -m tracker``: serve the app with gunicorn, through Bottle's own server adapter.

gunicorn rather than waitress: on SIGTERM gunicorn lets the requests in flight finish and exits 0;
waitress has no graceful shutdown, and the signal kills it mid-request.
"""

import bottle

from tasktracker.config import Settings
from tasktracker.observability import metrics_setup
from tasktracker.observability.logging import gunicorn_logging_config


# region: metrics
def child_exit(server, worker):
    metrics_setup.mark_worker_dead(worker.pid)


def on_exit(server):
    metrics_setup.remove_multiprocess_dir()


# endregion


# region: serving
def main() -> None:
    settings = Settings.from_env("bottle")
    # region: metrics
    # gunicorn forks workers: prometheus-client shares their counts through files, and picks that
    # storage when it is first imported, so the directory is exported before the app is imported.
    metrics_setup.prepare_multiprocess_dir("bottle")
    # endregion
    from tracker.app import create_app
    from tracker.observability import RequestObservationMiddleware

    # The app is built here, in gunicorn's master, and inherited by each worker it forks: nothing
    # in create_app() may open a database connection.
    # region: logging
    bottle.run(
        RequestObservationMiddleware(create_app()),
        server="gunicorn",
        host=settings.host,
        port=settings.port,
        # Bottle's start-up banner is not JSON.
        quiet=True,
        # The rest are gunicorn settings, which the adapter passes through.
        workers=settings.web_concurrency,
        # Within the spec's 10 s: in-flight requests get 8 s to finish after SIGTERM.
        graceful_timeout=8,
        # gunicorn ≥ 25 opens one control socket per user by default; two servers would fight over it.
        control_socket_disable=True,
        logconfig_dict=gunicorn_logging_config("bottle", settings.log_level, settings.log_format),
        child_exit=child_exit,
        on_exit=on_exit,
    )
    # endregion


# endregion


if __name__ == "__main__":
    main()
