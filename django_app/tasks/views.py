"""The task views: HTTP in, one service call, HTTP out. The rules live in tasktracker."""

from accounts.authentication import BearerTokenRequiredMixin
from django.http import HttpResponse, HttpResponseNotModified
from django.urls import reverse
from django.views import View

from tasks.errors import problem_response
from tasks.parsing import list_query, request_document
from tasktracker.http import (
    JSON_CONTENT_TYPE,
    etag_for,
    if_none_match_hits,
    json_bytes,
    parse_task_id,
    problem_for_routing_status,
)
from tasktracker.observability.metrics import TASK_EVENTS
from tasktracker.serialization import page_to_dict, stats_to_dict, task_to_dict
from tasktracker.service import TaskService


# region: auth, persistence
def task_service(request) -> TaskService:
    """The service over the request's unit of work (UnitOfWorkMiddleware opened it), limited to
    the tasks of the user the bearer token authenticated (spec 7.4)."""
    tasks = request.unit_of_work.tasks_of(request.user.id)
    # The counters move only once the request's transaction has committed.
    return TaskService(tasks, events=request.unit_of_work.collect(TASK_EVENTS))


# endregion


# region: routing
def json_response(document: dict, status: int = 200, headers: dict | None = None) -> HttpResponse:
    # The shared json_bytes, not JsonResponse: the same compact UTF-8 bytes as every variant's.
    return HttpResponse(json_bytes(document), status=status, headers=headers, content_type=JSON_CONTENT_TYPE)


def no_content_response() -> HttpResponse:
    response = HttpResponse(status=204)
    # HttpResponse always names a content type; a 204 has no content to name (spec 4.7).
    del response.headers["Content-Type"]
    return response


class JsonView(View):
    """A view of the API: only the methods it defines, and the spec's 405 for any other."""

    # View answers OPTIONS itself unless it is left out here; HEAD runs the view's get().
    http_method_names = ["get", "head", "post", "patch", "delete"]

    def http_method_not_allowed(self, request, *args, **kwargs):
        # Django's HttpResponseNotAllowed, as a problem whose Allow lists the spec's methods.
        return problem_response(request, problem_for_routing_status(405, request.path))


class TaskListView(BearerTokenRequiredMixin, JsonView):
    def get(self, request):
        return json_response(page_to_dict(task_service(request).list_tasks(list_query(request))))

    def post(self, request):
        task = task_service(request).create_task(request_document(request))
        headers = {"Location": reverse("tasks:detail", args=[task.id]), "ETag": etag_for(task.version)}
        return json_response(task_to_dict(task), status=201, headers=headers)


class TaskStatsView(BearerTokenRequiredMixin, JsonView):
    def get(self, request):
        return json_response(stats_to_dict(task_service(request).stats()))


class TaskDetailView(BearerTokenRequiredMixin, JsonView):
    def get(self, request, task_id):
        task = task_service(request).get_task(parse_task_id(task_id))
        etag = etag_for(task.version)
        if if_none_match_hits(request.headers.get("If-None-Match"), task.version):
            return HttpResponseNotModified(headers={"ETag": etag})
        return json_response(task_to_dict(task), headers={"ETag": etag})

    def patch(self, request, task_id):
        # The body is decoded before the id is looked at: a malformed body is a 400 even for a
        # task that does not exist (spec 4.6).
        document = request_document(request)
        task = task_service(request).update_task(parse_task_id(task_id), document, request.headers.get("If-Match"))
        return json_response(task_to_dict(task), headers={"ETag": etag_for(task.version)})

    def delete(self, request, task_id):
        task_service(request).delete_task(parse_task_id(task_id), request.headers.get("If-Match"))
        return no_content_response()


# endregion
