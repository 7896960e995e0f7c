"""``/api/tasks``: a RestController, which picks the method by HTTP verb and path shape.

HTTP in, service call, HTTP out; the rules live in tasktracker. The transaction manager commits
after a method returns and aborts when it raises.
"""

from typing import ClassVar

from tg import RestController, expose, request, response
from tg.request_local import Response

from tasktracker.http import (
    JSON_CONTENT_TYPE,
    MAX_BODY_BYTES,
    check_content_length,
    decode_json_body,
    etag_for,
    if_none_match_hits,
    json_bytes,
    parse_task_id,
)
from tasktracker.observability.metrics import TASK_EVENTS
from tasktracker.serialization import page_to_dict, stats_to_dict, task_to_dict
from tasktracker.service import TaskService
from tasktracker.sqla import SqlAlchemyTaskRepository
from tasktracker.validation import parse_list_query
from tracker.lib.responses import PathLocationResponse
from tracker.model import DBSession


# region: persistence
def task_service():
    return TaskService(SqlAlchemyTaskRepository(DBSession), events=TASK_EVENTS)


# endregion


# region: request-parsing
def request_document():
    check_content_length(request.content_length)
    # One byte past the limit is enough for a 413, even from a chunked upload of any length.
    body = request.body_file.read(MAX_BODY_BYTES + 1)
    return decode_json_body(request.headers.get("Content-Type"), body)


# endregion


# region: routing
class TasksController(RestController):
    # RestController knows GET, POST, PUT, PATCH and DELETE; HEAD is dispatched like GET.
    _handler_lookup: ClassVar[dict] = {**RestController._handler_lookup, "head": RestController._handle_get}

    @expose("json")
    def get_all(self):
        # region: request-parsing
        query = parse_list_query(request.query_string)
        # endregion
        return page_to_dict(task_service().list_tasks(query))

    @expose()
    def post(self):
        task = task_service().create_task(request_document())
        created = PathLocationResponse(json_bytes(task_to_dict(task)), status=201, content_type=JSON_CONTENT_TYPE)
        created.headers["Location"] = f"/api/tasks/{task.id}"
        created.headers["ETag"] = etag_for(task.version)
        return created

    @expose("json")
    def stats(self):
        return stats_to_dict(task_service().stats())

    @expose("json")
    def get_one(self, task_id):
        task = task_service().get_task(parse_task_id(task_id))
        etag = etag_for(task.version)
        if if_none_match_hits(request.headers.get("If-None-Match"), task.version):
            # A response of its own: the json renderer would put its Content-Type on tg.response.
            return Response(status=304, headers={"ETag": etag})
        response.headers["ETag"] = etag
        return task_to_dict(task)

    @expose("json")
    def patch(self, task_id):
        task = task_service().update_task(parse_task_id(task_id), request_document(), request.headers.get("If-Match"))
        response.headers["ETag"] = etag_for(task.version)
        return task_to_dict(task)

    @expose()
    def delete(self, task_id):
        task_service().delete_task(parse_task_id(task_id), request.headers.get("If-Match"))
        # TurboGears answers a method that returns nothing with 204 No Content.
        return None


# endregion
