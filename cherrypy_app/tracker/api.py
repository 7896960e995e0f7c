"""The /api subtree: one exposed class per route, one method per HTTP method (MethodDispatcher).

The methods translate HTTP to service calls and back; tools.json_out encodes what they return.
"""

import cherrypy

from tasktracker.accounts import token_document, user_document
from tasktracker.domain import ListQuery
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
from tracker import settings
from tracker.plugins import account_service, task_service


# region: request-parsing
def request_document() -> object:
    """The JSON body, read here by the spec's rules: CherryPy's own body processing is off, and
    Cheroot's own limit too (see app.py); a chunked body announces no length."""
    body = read_capped_body(cherrypy.request.rfile, cherrypy.request.body.length)
    return decode_json_body(cherrypy.request.headers.get("Content-Type"), body)


def list_query() -> ListQuery:
    return parse_list_query(cherrypy.request.query_string)


# endregion


# region: auth
# tools.auth_bearer (tools.py), switched on in a method's own config: MethodDispatcher applies that
# only once it has found the method, so a 404 or a 405 is answered before any token is read, and
# the path's other methods (a sign-up, a token request) stay public.
bearer_token_required = cherrypy.config(**{"tools.auth_bearer.on": True})
# endregion


# region: routing
@cherrypy.expose
class Task:
    """/api/tasks/{id}, for the segment that TaskCollection._cp_dispatch took off the path."""

    def __init__(self, id_segment: str) -> None:
        self.id_segment = id_segment

    @bearer_token_required
    def GET(self):
        task = task_service().get_task(parse_task_id(self.id_segment))
        cherrypy.response.headers["ETag"] = etag_for(task.version)
        if if_none_match_hits(cherrypy.request.headers.get("If-None-Match"), task.version):
            cherrypy.response.status = 304
            # tools.json_out named the content type before the handler ran; a 304 has none (spec 4.5).
            cherrypy.response.headers.pop("Content-Type", None)
            return None
        return task_to_dict(task)

    @bearer_token_required
    def PATCH(self):
        document = request_document()
        task_id = parse_task_id(self.id_segment)
        task = task_service().update_task(task_id, document, cherrypy.request.headers.get("If-Match"))
        cherrypy.response.headers["ETag"] = etag_for(task.version)
        return task_to_dict(task)

    @bearer_token_required
    def DELETE(self):
        task_service().delete_task(parse_task_id(self.id_segment), cherrypy.request.headers.get("If-Match"))
        cherrypy.response.status = 204
        # As for the 304: no content, so no Content-Type (spec 4.7).
        cherrypy.response.headers.pop("Content-Type", None)


@cherrypy.expose
class TaskStats:
    @bearer_token_required
    def GET(self):
        return stats_to_dict(task_service().stats())


@cherrypy.expose
class TaskCollection:
    stats = TaskStats()

    def _cp_dispatch(self, vpath):
        # Called for a segment that is not an attribute ("stats" is, and wins). Whether the segment
        # is an id is the {id} route's decision, a 404 from its methods (spec 4.8): nothing may
        # fail here, before the request's tools and error handling are set up.
        if len(vpath) == 1:
            return Task(vpath.pop())
        return None

    @bearer_token_required
    def GET(self):
        return page_to_dict(task_service().list_tasks(list_query()))

    @bearer_token_required
    def POST(self):
        task = task_service().create_task(request_document())
        cherrypy.response.status = 201
        # base="": the path alone, as the spec's Location is. Not relative="server", which cuts an
        # absolute URL at its third slash and so trusts the Host header (Host: a/b gives /b/api/…).
        cherrypy.response.headers["Location"] = cherrypy.url(f"/api/tasks/{task.id}", base="")
        cherrypy.response.headers["ETag"] = etag_for(task.version)
        return task_to_dict(task)


# endregion


# region: routing, auth
@cherrypy.expose
class CurrentUser:
    """/api/users/me: the user of the request's token (spec 7.3)."""

    @bearer_token_required
    def GET(self):
        user = cherrypy.request.authenticated.user
        return user_document(user.id, user.username, user.created_at)


@cherrypy.expose
class Users:
    me = CurrentUser()

    def POST(self):
        accounts = account_service()
        # With ALLOW_SIGNUP=false, a 403 whatever the body: before it is read (spec 7.1).
        accounts.check_signup_open()
        user = accounts.sign_up(request_document())
        cherrypy.response.status = 201
        cherrypy.response.headers["Location"] = CURRENT_USER_PATH
        return user_document(user.id, user.username, user.created_at)


@cherrypy.expose
class CurrentToken:
    """/api/tokens/current: the token that authenticated the request."""

    @bearer_token_required
    def DELETE(self):
        account_service().revoke(cherrypy.request.authenticated)
        cherrypy.response.status = 204
        # As for a task's DELETE: no content, so no Content-Type (spec 7.2).
        cherrypy.response.headers.pop("Content-Type", None)


@cherrypy.expose
class Tokens:
    current = CurrentToken()

    def POST(self):
        issued = account_service().issue_token(request_document())
        cherrypy.response.status = 201
        cherrypy.response.headers.update(TOKEN_RESPONSE_HEADERS)
        return token_document(issued.token, issued.expires_at)


# endregion


# region: routing
@cherrypy.expose
class Api:
    users = Users()
    tokens = Tokens()
    tasks = TaskCollection()

    def GET(self):
        return api_info(settings)


# endregion
