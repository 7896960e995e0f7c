"""The PasteDeploy server factory: ``use = call:tracker.config.server:make_server``.

gunicorn's own PasteDeploy runner (``egg:gunicorn#main``) takes the ini's values as they are;
this factory lets the spec's HOST, PORT and WEB_CONCURRENCY win over them, and prepares what a
forking server needs before ``gearbox serve`` loads the application in the master process.
"""

from gunicorn.app.pasterapp import serve as gunicorn_paste_serve

from tasktracker.observability import metrics_setup
from tasktracker.observability.logging import gunicorn_logging_config
from tracker.config.settings import VARIANT, deployment_settings


# region: metrics
def child_exit(server, worker):
    metrics_setup.mark_worker_dead(worker.pid)


def on_exit(server):
    metrics_setup.remove_multiprocess_dir()


# endregion


# region: serving
def make_server(global_conf, **server_conf):
    settings = deployment_settings({**global_conf, **server_conf})
    # region: metrics
    # Workers are separate processes: prometheus-client shares counts through files, and picks
    # that storage when first imported, which happens when gearbox loads the application next.
    metrics_setup.prepare_multiprocess_dir(VARIANT)
    # endregion
    # region: logging
    gunicorn_settings = {
        **server_conf,
        "host": settings.host,
        "port": str(settings.port),
        "workers": str(settings.web_concurrency),
        "logconfig_dict": gunicorn_logging_config(VARIANT, settings.log_level, settings.log_format),
        "child_exit": child_exit,
        "on_exit": on_exit,
    }
    # endregion

    def serve(app):
        gunicorn_paste_serve(app, global_conf, **gunicorn_settings)

    return serve


# endregion
