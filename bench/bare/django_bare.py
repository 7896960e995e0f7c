"""Django's smallest JSON app: settings in code, one URL, one view, no middleware."""

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import JsonResponse
from django.urls import path

settings.configure(
    DEBUG=False, ROOT_URLCONF=__name__, ALLOWED_HOSTS=["127.0.0.1", "localhost"], SECRET_KEY="bench", MIDDLEWARE=[]
)


def ok(request):
    return JsonResponse({"ok": True})


urlpatterns = [path("", ok)]
app = get_wsgi_application()
