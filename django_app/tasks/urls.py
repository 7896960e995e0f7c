"""The task routes, under /api/ (config/urls.py)."""

from django.urls import path

from tasks import views

# region: routing
app_name = "tasks"

urlpatterns = [
    path("tasks", views.TaskListView.as_view(), name="list"),
    # Before <str:task_id>, which would match "stats" too.
    path("tasks/stats", views.TaskStatsView.as_view(), name="stats"),
    # Any non-empty segment: the view answers 404 for one that is not an id (spec 4.8), so the
    # request is still counted under this route's template.
    path("tasks/<str:task_id>", views.TaskDetailView.as_view(), name="detail"),
]
# endregion
