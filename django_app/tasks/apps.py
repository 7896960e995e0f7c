from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "tasks"

    def ready(self):
        from tasktracker.observability.metrics import publish_app_info

        publish_app_info("django", "Django")
