"""The ``/api`` blueprint: HTTP in, service call, HTTP out. The rules live in tasktracker."""

from flask import Blueprint, Response, current_app, request, url_for
from flask_login import login_required

from tasktracker.http import (
    JSON_CONTENT_TYPE,
    api_info,
    decode_json_body,
    etag_for,
    if_none_match_hits,
    json_bytes,
    parse_task_id,
)
from tasktracker.serialization import page_to_dict, stats_to_dict, task_to_dict
from tasktracker.validation import parse_list_query
from tracker.db import task_service

# region: routing
bp = Blueprint("api", __name__, url_prefix="/api")


def json_response(document: object, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json_bytes(document), status=status, headers=headers, content_type=JSON_CONTENT_TYPE)


def no_content_response() -> Response:
    response = Response(status=204)
    # Response names its default mimetype on every answer; a 204 has no content (spec 4.7).
    # Werkzeug drops it from a 304 by itself.
    del response.headers["Content-Type"]
    return response


# endregion


# region: request-parsing
def request_document() -> object:
    # get_data() enforces MAX_CONTENT_LENGTH; the rest of the decoding rules are the spec's.
    return decode_json_body(request.headers.get("Content-Type"), request.get_data(cache=False))


# endregion


# region: routing
@bp.get("")
def index() -> Response:
    return json_response(api_info(current_app.config["SETTINGS"]))


# login_required: the bearer token is checked after routing (404, 405 first) and before the view
# reads the body (tracker.auth).
@bp.get("/tasks")
@login_required
def list_tasks() -> Response:
    query = parse_list_query(request.environ.get("QUERY_STRING", ""))
    return json_response(page_to_dict(task_service().list_tasks(query)))


@bp.post("/tasks")
@login_required
def create_task() -> Response:
    document = request_document()
    task = task_service().create_task(document)
    location = url_for("api.get_task", task_id=task.id)
    return json_response(task_to_dict(task), 201, {"Location": location, "ETag": etag_for(task.version)})


@bp.get("/tasks/stats")
@login_required
def task_stats() -> Response:
    return json_response(stats_to_dict(task_service().stats()))


@bp.get("/tasks/<task_id:task_id>")
@login_required
def get_task(task_id: str) -> Response:
    task = task_service().get_task(parse_task_id(task_id))
    etag = etag_for(task.version)
    if if_none_match_hits(request.headers.get("If-None-Match"), task.version):
        return Response(status=304, headers={"ETag": etag})
    return json_response(task_to_dict(task), headers={"ETag": etag})


@bp.patch("/tasks/<task_id:task_id>")
@login_required
def update_task(task_id: str) -> Response:
    document = request_document()
    task = task_service().update_task(parse_task_id(task_id), document, request.headers.get("If-Match"))
    return json_response(task_to_dict(task), headers={"ETag": etag_for(task.version)})


@bp.delete("/tasks/<task_id:task_id>")
@login_required
def delete_task(task_id: str) -> Response:
    task_service().delete_task(parse_task_id(task_id), request.headers.get("If-Match"))
    return no_content_response()


# endregion
