"""The ``/api`` routes: HTTP in, service call, HTTP out. The rules live in tasktracker.

Callbacks that take ``service`` get one from ``SQLAlchemyPlugin``, inside the request's
transaction; dictionaries they return are written out by Bottle's JSON plugin.
"""

from bottle import Bottle, HTTPResponse, request

from tasktracker.http import (
    MAX_BODY_BYTES,
    api_info,
    check_content_length,
    decode_json_body,
    etag_for,
    if_none_match_hits,
    parse_task_id,
)
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
    check_content_length(request.content_length if request.content_length >= 0 else None)
    body = request.environ["wsgi.input"].read(MAX_BODY_BYTES + 1)
    return decode_json_body(request.content_type, body)


# endregion


def index():
    return api_info("bottle", "bottle")


# region: request-parsing
def list_tasks(service):
    return page_to_dict(service.list_tasks(parse_list_query(request.query_string)))


# endregion


def create_task(service):
    task = service.create_task(request_document())
    return HTTPResponse(task_to_dict(task), status=201, Location=f"/api/tasks/{task.id}", ETag=etag_for(task.version))


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


# region: routing
def create_api_app(*plugins) -> Bottle:
    """The routes under /api, as a sub-app for the root app to merge."""
    api = Bottle()
    # A parent's plugins do not reach the routes it merges or mounts: each sub-app installs its own.
    for plugin in plugins:
        api.install(plugin)
    api.get("/api", callback=index)
    api.get("/api/tasks", callback=list_tasks)
    api.post("/api/tasks", callback=create_task)
    api.get("/api/tasks/stats", callback=task_stats)
    api.get(TASK_RULE, callback=get_task)
    api.patch(TASK_RULE, callback=update_task)
    api.delete(TASK_RULE, callback=delete_task)
    return api


# endregion
