# region: routing
# /api and /api/tasks…: HTTP in, service call, HTTP out. routes.py maps the spec's paths here.
# `@auth.requires_token()` (models/db.py): the tasks are the caller's, found by a bearer token.
# ruff: noqa: F821 (web2py runs this file with request, response, session, DAL, HTTP… as globals)
from configuration import settings
from resources import list_query, request_document, requested_task_id, resource, respond, task_url

from tasktracker.http import api_info, etag_for, if_none_match_hits
from tasktracker.serialization import page_to_dict, stats_to_dict, task_to_dict


@resource("/api")
def index():
    def GET():
        return respond(api_info(settings))

    return locals()


@resource("/api/tasks")
@auth.requires_token()
def tasks():
    def GET():
        return respond(page_to_dict(task_service().list_tasks(list_query())))

    def POST():
        task = task_service().create_task(request_document())
        return respond(task_to_dict(task), 201, Location=task_url(task.id), ETag=etag_for(task.version))

    return locals()


@resource("/api/tasks/stats")
@auth.requires_token()
def stats():
    def GET():
        return respond(stats_to_dict(task_service().stats()))

    return locals()


@resource("/api/tasks/{id}")
@auth.requires_token()
def task():
    def GET():
        task = task_service().get_task(requested_task_id())
        etag = etag_for(task.version)
        if if_none_match_hits(request.env.http_if_none_match, task.version):
            raise HTTP(304, ETag=etag)
        return respond(task_to_dict(task), ETag=etag)

    def PATCH():
        document = request_document()
        task = task_service().update_task(requested_task_id(), document, request.env.http_if_match)
        return respond(task_to_dict(task), ETag=etag_for(task.version))

    def DELETE():
        task_service().delete_task(requested_task_id(), request.env.http_if_match)
        raise HTTP(204)

    return locals()


# endregion
