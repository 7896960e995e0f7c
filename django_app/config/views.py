"""The project's own endpoints, outside the tasks app: service info, health probes, metrics."""

from django.conf import settings
from django.http import HttpResponse
from tasks.views import JsonView, json_response

from tasktracker.http import LIVE_DOCUMENT, api_info, readiness
from tasktracker.observability.metrics import exposition


# region: routing
class ApiInfoView(JsonView):
    def get(self, request):
        return json_response(api_info(settings.TASKTRACKER))


class LiveView(JsonView):
    def get(self, request):
        return json_response(LIVE_DOCUMENT)


class ReadyView(JsonView):
    def get(self, request):
        status, document = readiness(request.unit_of_work.ping())
        return json_response(document, status=status)


# endregion


# region: metrics
class MetricsView(JsonView):
    def get(self, request):
        body, content_type = exposition()
        return HttpResponse(body, content_type=content_type)


# endregion
