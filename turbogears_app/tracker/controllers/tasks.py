"""``/api/tasks``: a RestController, which picks the method by HTTP verb and path shape.

HTTP in, service call, HTTP out; the rules live in tasktracker. The transaction manager commits
after a method returns and aborts when it raises.
"""

import tg
from tg import RestController, expose, request, response
from tg.request_local import Response

from tasktracker.http import (
    JSON_CONTENT_TYPE,
    decode_json_body,
    etag_for,
    if_none_match_hits,
    json_bytes,
    parse_task_id,
    read_capped_body,
)
from tasktracker.serialization import page_to_dict, stats_to_dict, task_to_dict
from tasktracker.validation import parse_list_query
from tracker.lib.auth import bearer_required, current_user
from tracker.lib.responses import PathLocationResponse
from tracker.model import task_service


# region: request-parsing
def request_document():
    body = read_capped_body(request.body_file, request.content_length)
    return decode_json_body(request.headers.get("Content-Type"), body)


def list_query():
    # The raw query string: ExactPathsWrapper keeps TurboGears from decoding it first.
    return parse_list_query(request.query_string)


# endregion


# region: auth
def user_tasks():
    """The task service over the tasks of sa_auth's user, the one the request's token names."""
    return task_service(current_user().id)


# endregion


# region: routing
class TasksController(RestController):
    allow_only = bearer_required

    @expose("json")
    def get_all(self):
        return page_to_dict(user_tasks().list_tasks(list_query()))

    @expose()
    def post(self):
        task = user_tasks().create_task(request_document())
        created = PathLocationResponse(json_bytes(task_to_dict(task)), status=201, content_type=JSON_CONTENT_TYPE)
        created.headers["Location"] = tg.url([self.mount_point, str(task.id)])
        created.headers["ETag"] = etag_for(task.version)
        return created

    @expose("json")
    def stats(self):
        return stats_to_dict(user_tasks().stats())

    @expose("json")
    def get_one(self, task_id):
        task = user_tasks().get_task(parse_task_id(task_id))
        etag = etag_for(task.version)
        if if_none_match_hits(request.headers.get("If-None-Match"), task.version):
            # A response of its own: the json renderer would put its Content-Type on tg.response.
            return Response(status=304, headers={"ETag": etag})
        response.headers["ETag"] = etag
        return task_to_dict(task)

    @expose("json")
    def patch(self, task_id):
        task = user_tasks().update_task(parse_task_id(task_id), request_document(), request.headers.get("If-Match"))
        response.headers["ETag"] = etag_for(task.version)
        return task_to_dict(task)

    @expose()
    def delete(self, task_id):
        user_tasks().delete_task(parse_task_id(task_id), request.headers.get("If-Match"))
        # TurboGears answers a method that returns nothing with 204 No Content.
        return None


# endregion
