"""The ``/api`` routes: HTTP in, service call, HTTP out. The rules live in tasktracker.

Callbacks that take ``service`` get one from ``SQLAlchemyPlugin``, inside the request's
transaction; dictionaries they return are written out by Bottle's JSON plugin.
"""

from bottle import Bottle, HTTPResponse, request

from tasktracker.http import api_info, decode_json_body, etag_for, if_none_match_hits, parse_task_id, read_capped_body
from tasktracker.serialization import page_to_dict, stats_to_dict, task_to_dict
from tasktracker.validation import parse_list_query

# region: routing
# Any one segment except "stats": Bottle tries every route of the request's method, so without
# the lookahead PATCH /api/tasks/stats would reach update_task instead of being a 405.
TASK_RULE = "/api/tasks/<task_id:re:(?!stats$)[^/]+>"
# endregion


# region: request-parsing
def request_document() -> object:
    """The JSON body, read from wsgi.input with a hard cap.

    Not ``request.json`` (it applies its own rules) nor ``request.body``: Bottle reads the whole
    stream before anyone can look at its size (spooling past MEMFILE_MAX to a temporary file),
    and it decodes a chunked body a second time after the server already did, failing with 400.
    """
    # Bottle's content_length is -1 when the request announces none (a chunked body).
    announced = request.content_length if request.content_length >= 0 else None
    return decode_json_body(request.content_type, read_capped_body(request.environ["wsgi.input"], announced))


def list_tasks(service):
    return page_to_dict(service.list_tasks(parse_list_query(request.query_string)))


# endregion


# region: routing
def index():
    return api_info(request.app.config["tracker.settings"])


def create_task(service):
    task = service.create_task(request_document())
    location = request.app.get_url("task", task_id=task.id)
    return HTTPResponse(task_to_dict(task), status=201, Location=location, ETag=etag_for(task.version))


def task_stats(service):
    return stats_to_dict(service.stats())


def get_task(task_id, service):
    task = service.get_task(parse_task_id(task_id))
    etag = etag_for(task.version)
    if if_none_match_hits(request.get_header("If-None-Match"), task.version):
        return HTTPResponse(status=304, ETag=etag)
    return HTTPResponse(task_to_dict(task), ETag=etag)


def update_task(task_id, service):
    document = request_document()
    task = service.update_task(parse_task_id(task_id), document, request.get_header("If-Match"))
    return HTTPResponse(task_to_dict(task), ETag=etag_for(task.version))


def delete_task(task_id, service):
    service.delete_task(parse_task_id(task_id), request.get_header("If-Match"))
    return HTTPResponse(status=204)


def create_api_app() -> Bottle:
    """The routes under /api, as a sub-app for the root app to merge."""
    api = Bottle()
    api.get("/api", callback=index)
    api.get("/api/tasks", callback=list_tasks)
    api.post("/api/tasks", callback=create_task)
    api.get("/api/tasks/stats", callback=task_stats)
    # Named for the URL builder: create_task's Location.
    api.get(TASK_RULE, callback=get_task, name="task")
    api.patch(TASK_RULE, callback=update_task)
    api.delete(TASK_RULE, callback=delete_task)
    return api


# endregion
