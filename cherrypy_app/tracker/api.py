"""The /api subtree: one exposed class per route, one method per HTTP method (MethodDispatcher).

The methods translate HTTP to service calls and back; tools.json_out encodes what they return.
"""

import cherrypy

from tasktracker.domain import ListQuery
from tasktracker.http import (
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
from tracker.plugins import task_service


# region: request-parsing
def request_document() -> object:
    """The JSON body, read here by the spec's rules: CherryPy's own body processing is off, and
    Cheroot's own limit too (see app.py); a chunked body announces no length."""
    body = read_capped_body(cherrypy.request.rfile, cherrypy.request.body.length)
    return decode_json_body(cherrypy.request.headers.get("Content-Type"), body)


def list_query() -> ListQuery:
    return parse_list_query(cherrypy.request.query_string)


# endregion


# region: routing
@cherrypy.expose
class Task:
    """/api/tasks/{id}, for the segment that TaskCollection._cp_dispatch took off the path."""

    def __init__(self, id_segment: str) -> None:
        self.id_segment = id_segment

    def GET(self):
        task = task_service().get_task(parse_task_id(self.id_segment))
        cherrypy.response.headers["ETag"] = etag_for(task.version)
        if if_none_match_hits(cherrypy.request.headers.get("If-None-Match"), task.version):
            cherrypy.response.status = 304
            # tools.json_out named the content type before the handler ran; a 304 has none (spec 4.5).
            cherrypy.response.headers.pop("Content-Type", None)
            return None
        return task_to_dict(task)

    def PATCH(self):
        document = request_document()
        task_id = parse_task_id(self.id_segment)
        task = task_service().update_task(task_id, document, cherrypy.request.headers.get("If-Match"))
        cherrypy.response.headers["ETag"] = etag_for(task.version)
        return task_to_dict(task)

    def DELETE(self):
        task_service().delete_task(parse_task_id(self.id_segment), cherrypy.request.headers.get("If-Match"))
        cherrypy.response.status = 204
        # As for the 304: no content, so no Content-Type (spec 4.7).
        cherrypy.response.headers.pop("Content-Type", None)


@cherrypy.expose
class TaskStats:
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

    def GET(self):
        return page_to_dict(task_service().list_tasks(list_query()))

    def POST(self):
        task = task_service().create_task(request_document())
        cherrypy.response.status = 201
        # base="": the path alone, as the spec's Location is. Not relative="server", which cuts an
        # absolute URL at its third slash and so trusts the Host header (Host: a/b gives /b/api/…).
        cherrypy.response.headers["Location"] = cherrypy.url(f"/api/tasks/{task.id}", base="")
        cherrypy.response.headers["ETag"] = etag_for(task.version)
        return task_to_dict(task)


@cherrypy.expose
class Api:
    tasks = TaskCollection()

    def GET(self):
        return api_info(settings)


# endregion
