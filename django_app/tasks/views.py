"""The task views: HTTP in, one service call, HTTP out. The rules live in tasktracker."""

from django.http import HttpResponse, HttpResponseNotModified
from django.urls import reverse

from tasks.api import JsonView, json_response, request_document
from tasks.repository import DjangoTaskRepository
from tasktracker.http import etag_for, if_none_match_hits, parse_task_id
from tasktracker.observability.metrics import TASK_EVENTS
from tasktracker.serialization import page_to_dict, stats_to_dict, task_to_dict
from tasktracker.service import TaskService
from tasktracker.validation import parse_list_query


# region: persistence
def task_service() -> TaskService:
    return TaskService(DjangoTaskRepository(), events=TASK_EVENTS)


# endregion


# region: routing
class TaskListView(JsonView):
    def get(self, request):
        # region: request-parsing
        # The raw query string, not request.GET: the spec decodes it itself, and reports bytes
        # that are not UTF-8 where Django would replace them silently.
        query = parse_list_query(request.META.get("QUERY_STRING", ""))
        # endregion
        return json_response(page_to_dict(task_service().list_tasks(query)))

    def post(self, request):
        task = task_service().create_task(request_document(request))
        headers = {"Location": reverse("tasks:detail", args=[task.id]), "ETag": etag_for(task.version)}
        return json_response(task_to_dict(task), status=201, headers=headers)


class TaskStatsView(JsonView):
    def get(self, request):
        return json_response(stats_to_dict(task_service().stats()))


class TaskDetailView(JsonView):
    def get(self, request, task_id):
        task = task_service().get_task(parse_task_id(task_id))
        etag = etag_for(task.version)
        if if_none_match_hits(request.headers.get("If-None-Match"), task.version):
            return HttpResponseNotModified(headers={"ETag": etag})
        return json_response(task_to_dict(task), headers={"ETag": etag})

    def patch(self, request, task_id):
        # The body is decoded before the id is looked at: a malformed body is a 400 even for a
        # task that does not exist (spec 4.6).
        document = request_document(request)
        task = task_service().update_task(parse_task_id(task_id), document, request.headers.get("If-Match"))
        return json_response(task_to_dict(task), headers={"ETag": etag_for(task.version)})

    def delete(self, request, task_id):
        task_service().delete_task(parse_task_id(task_id), request.headers.get("If-Match"))
        return HttpResponse(status=204)


# endregion
