from django.apps import AppConfig
from django.conf import settings


# region: metrics
class TasksConfig(AppConfig):
    name = "tasks"

    def ready(self):
        # The app_info gauge (spec 6.3) is set once per process, when Django has loaded the apps:
        # in each gunicorn worker, which is where prometheus-client's multiprocess mode is on.
        from tasktracker.observability.metrics import publish_app_info

        publish_app_info(settings.TASKTRACKER)


# endregion
