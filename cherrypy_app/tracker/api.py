"""The /api subtree: one exposed class per route, one method per HTTP method (MethodDispatcher).

The methods translate HTTP to service calls and back; tools.json_out encodes what they return.
"""

import cherrypy

from tasktracker.http import (
    MAX_BODY_BYTES,
    api_info,
    check_content_length,
    decode_json_body,
    etag_for,
    if_none_match_hits,
    parse_task_id,
)
from tasktracker.observability.metrics import TASK_EVENTS
from tasktracker.serialization import page_to_dict, stats_to_dict, task_to_dict
from tasktracker.service import TaskService
from tasktracker.sqla import SqlAlchemyTaskRepository
from tasktracker.validation import parse_list_query
from tracker import FRAMEWORK, VARIANT


# region: persistence
def task_service() -> TaskService:
    # request.db is the session tools.db_session opened for this request.
    return TaskService(SqlAlchemyTaskRepository(cherrypy.request.db), events=TASK_EVENTS)


# endregion


# region: request-parsing
def request_document() -> object:
    """The JSON body, read here by the spec's rules: CherryPy's own body processing is off."""
    check_content_length(cherrypy.request.body.length)
    # One byte past the limit is enough to know a body is too large; a chunked one announces no
    # length, and Cheroot's own limit is off (see app.py).
    body = cherrypy.request.rfile.read(MAX_BODY_BYTES + 1)
    return decode_json_body(cherrypy.request.headers.get("Content-Type"), body)


# endregion


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


# region: routing
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
        # region: request-parsing
        query = parse_list_query(cherrypy.request.query_string)
        # endregion
        return page_to_dict(task_service().list_tasks(query))

    def POST(self):
        document = request_document()
        task = task_service().create_task(document)
        cherrypy.response.status = 201
        cherrypy.response.headers["Location"] = f"/api/tasks/{task.id}"
        cherrypy.response.headers["ETag"] = etag_for(task.version)
        return task_to_dict(task)


@cherrypy.expose
class Api:
    tasks = TaskCollection()

    def GET(self):
        return api_info(VARIANT, FRAMEWORK)


# endregion
