"""The ``/api`` routes: HTTP in, service call, HTTP out. The rules live in tasktracker.

Callbacks that take ``tasks`` or ``accounts`` get that service from ``AuthPlugin``, inside the
request's transaction; a route declared with ``auth=True`` is authenticated before its callback
runs. Dictionaries the callbacks return are written out by Bottle's JSON plugin.
"""

from bottle import Bottle, HTTPResponse, request

from tasktracker.accounts import token_document, user_document
from tasktracker.http import (
    CURRENT_USER_PATH,
    TOKEN_RESPONSE_HEADERS,
    api_info,
    decode_json_body,
    etag_for,
    if_none_match_hits,
    parse_task_id,
    read_capped_body,
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
    # Bottle's content_length is -1 when the request announces none (a chunked body).
    announced = request.content_length if request.content_length >= 0 else None
    return decode_json_body(request.content_type, read_capped_body(request.environ["wsgi.input"], announced))


def list_tasks(tasks):
    return page_to_dict(tasks.list_tasks(parse_list_query(request.query_string)))


# endregion


# region: auth
def sign_up(accounts):
    # Spec 7.1: with sign-up off, 403 before the body is read.
    accounts.check_signup_open()
    user = accounts.sign_up(request_document())
    return HTTPResponse(user_document(user.id, user.username, user.created_at), status=201, Location=CURRENT_USER_PATH)


def current_user(authenticated):
    user = authenticated.user
    return user_document(user.id, user.username, user.created_at)


def issue_token(accounts):
    issued = accounts.issue_token(request_document())
    return HTTPResponse(token_document(issued.token, issued.expires_at), status=201, headers=TOKEN_RESPONSE_HEADERS)


def revoke_token(authenticated, accounts):
    accounts.revoke(authenticated)
    return HTTPResponse(status=204)


# endregion


# region: routing
def index():
    return api_info(request.app.config["tracker.settings"])


def create_task(tasks):
    task = tasks.create_task(request_document())
    location = request.app.get_url("task", task_id=task.id)
    return HTTPResponse(task_to_dict(task), status=201, Location=location, ETag=etag_for(task.version))


def task_stats(tasks):
    return stats_to_dict(tasks.stats())


def get_task(task_id, tasks):
    task = tasks.get_task(parse_task_id(task_id))
    etag = etag_for(task.version)
    if if_none_match_hits(request.get_header("If-None-Match"), task.version):
        return HTTPResponse(status=304, ETag=etag)
    return HTTPResponse(task_to_dict(task), ETag=etag)


def update_task(task_id, tasks):
    document = request_document()
    task = tasks.update_task(parse_task_id(task_id), document, request.get_header("If-Match"))
    return HTTPResponse(task_to_dict(task), ETag=etag_for(task.version))


def delete_task(task_id, tasks):
    tasks.delete_task(parse_task_id(task_id), request.get_header("If-Match"))
    return HTTPResponse(status=204)


def create_api_app() -> Bottle:
    """The routes under /api, as a sub-app for the root app to merge.

    ``auth=True`` is route config, read by ``AuthPlugin``: the bearer routes of spec 4.
    """
    api = Bottle()
    api.get("/api", callback=index)
    api.post("/api/users", callback=sign_up)
    api.get(CURRENT_USER_PATH, callback=current_user, auth=True)
    api.post("/api/tokens", callback=issue_token)
    api.delete("/api/tokens/current", callback=revoke_token, auth=True)
    api.get("/api/tasks", callback=list_tasks, auth=True)
    api.post("/api/tasks", callback=create_task, auth=True)
    api.get("/api/tasks/stats", callback=task_stats, auth=True)
    # Named for the URL builder: create_task's Location.
    api.get(TASK_RULE, callback=get_task, name="task", auth=True)
    api.patch(TASK_RULE, callback=update_task, auth=True)
    api.delete(TASK_RULE, callback=delete_task, auth=True)
    return api


# endregion
