"""The spec's routes (section 4). Django's error handlers answer what no route does."""

from django.urls import include, path

from config import views

# region: routing
urlpatterns = [
    path("api", views.ApiInfoView.as_view(), name="api-info"),
    path("api/", include("accounts.urls")),
    path("api/", include("tasks.urls")),
    path("health/live", views.LiveView.as_view(), name="health-live"),
    path("health/ready", views.ReadyView.as_view(), name="health-ready"),
    path("metrics", views.MetricsView.as_view(), name="metrics"),
]
# endregion

# region: errors
# Used when DEBUG is off: Django's own 404 (no route matched) and 500 pages, as problem+json.
handler400 = "tasks.errors.bad_request"
handler404 = "tasks.errors.page_not_found"
handler500 = "tasks.errors.server_error"
# endregion
