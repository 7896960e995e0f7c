"""The account routes, under /api/ (config/urls.py)."""

from django.urls import path

from accounts import views

# region: routing
app_name = "accounts"

urlpatterns = [
    path("users", views.SignUpView.as_view(), name="sign-up"),
    path("users/me", views.CurrentUserView.as_view(), name="current-user"),
    path("tokens", views.TokenView.as_view(), name="tokens"),
    path("tokens/current", views.CurrentTokenView.as_view(), name="current-token"),
]
# endregion
