"""The no-framework floor: the task API as one plain WSGI callable over the shared package.

A bench fixture, not a seventh variant. It uses what every SQLAlchemy variant uses (the service,
the unit of work, the repository, the HTTP rules, the serialisers, the observation middleware),
and none of a framework's routing, request objects, hooks or plugins. Whatever a variant costs
above this, its framework costs. It also shows what the frameworks save you from writing: the
dispatch table, the method checks, the error rendering and the transaction are all here by hand.

    cd bench && gunicorn --config floor_gunicorn.py floor:app             # as the gunicorn variants
    cd bench && BENCH_FLOOR_SERVER=cheroot python floor.py                 # as CherryPy

``BENCH_OBSERVABILITY=0`` leaves out the access log and the metrics, to measure what they cost.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from logging.config import dictConfig
from typing import Any

from floor_settings import settings
from sqlalchemy.orm import sessionmaker

from tasktracker.account_service import AccountService
from tasktracker.accounts import token_document, user_document
from tasktracker.errors import REASON_PHRASES, NotFound, PayloadTooLarge, ProblemError, handle_failure
from tasktracker.http import (
    AUTHENTICATED_ROUTES,
    CURRENT_USER_PATH,
    LIVE_DOCUMENT,
    ROUTES,
    TOKEN_RESPONSE_HEADERS,
    api_info,
    decode_json_body,
    etag_for,
    if_none_match_hits,
    json_bytes,
    method_not_allowed,
    parse_task_id,
    read_capped_body,
    readiness,
    route_template_for_path,
)
from tasktracker.observability.logging import current_request_id, logging_config
from tasktracker.observability.metrics import AUTH_EVENTS, TASK_EVENTS, exposition, publish_app_info
from tasktracker.observability.wsgi import RequestObservationMiddleware, decoded_path
from tasktracker.passwords import Argon2Hasher
from tasktracker.serialization import page_to_dict, stats_to_dict, task_to_dict
from tasktracker.service import IgnoreEvents, TaskService
from tasktracker.sqla import SqlAlchemyUnitOfWork, create_engine_for
from tasktracker.validation import parse_list_query

OBSERVED = os.environ.get("BENCH_OBSERVABILITY", "1") != "0"
sessions = sessionmaker(bind=create_engine_for(settings.database_url))
hasher = Argon2Hasher()

Response = tuple[int, list[tuple[str, str]], bytes]
JSON = "application/json"


def respond(status: int, document: object = None, headers: list[tuple[str, str]] | None = None) -> Response:
    body = b"" if document is None else json_bytes(document)
    content_type = [("Content-Type", JSON)] if document is not None else []
    return status, [*content_type, *(headers or [])], body


def body_document(environ: dict[str, Any]) -> object:
    length = environ.get("CONTENT_LENGTH")
    announced = int(length) if length else None
    return decode_json_body(environ.get("CONTENT_TYPE"), read_capped_body(environ["wsgi.input"], announced))


def tasks_route(environ: dict[str, Any], method: str, service: TaskService, task_segment: str | None) -> Response:
    if task_segment is None:
        if method == "POST":
            task = service.create_task(body_document(environ))
            location = ("Location", f"/api/tasks/{task.id}")
            return respond(201, task_to_dict(task), [location, ("ETag", etag_for(task.version))])
        return respond(200, page_to_dict(service.list_tasks(parse_list_query(environ.get("QUERY_STRING", "")))))
    if method == "PATCH":
        # The body is decoded before the id is looked at, a segment that is no id included (spec 4.6).
        document = body_document(environ)
        task = service.update_task(parse_task_id(task_segment), document, environ.get("HTTP_IF_MATCH"))
        return respond(200, task_to_dict(task), [("ETag", etag_for(task.version))])
    task_id = parse_task_id(task_segment)
    if method == "DELETE":
        service.delete_task(task_id, environ.get("HTTP_IF_MATCH"))
        return respond(204)
    task = service.get_task(task_id)
    etag = ("ETag", etag_for(task.version))
    if if_none_match_hits(environ.get("HTTP_IF_NONE_MATCH"), task.version):
        return respond(304, headers=[etag])
    return respond(200, task_to_dict(task), [etag])


def user_response(user: Any, status: int = 200, headers: list[tuple[str, str]] | None = None) -> Response:
    return respond(status, user_document(user.id, user.username, user.created_at), headers)


def accounts_route(environ: dict[str, Any], template: str, accounts: AccountService) -> Response:
    """``POST /api/users`` and ``POST /api/tokens`` (spec 7.1, 7.2): no token needed."""
    if template == "/api/users":
        accounts.check_signup_open()
        return user_response(accounts.sign_up(body_document(environ)), 201, [("Location", CURRENT_USER_PATH)])
    issued = accounts.issue_token(body_document(environ))
    return respond(201, token_document(issued.token, issued.expires_at), list(TOKEN_RESPONSE_HEADERS.items()))


def dispatch(environ: dict[str, Any], method: str, template: str, path: str) -> Response:
    """The routes that need no database, then those that run in a unit of work of their own:
    the public account routes, then the ones that need a bearer token (spec 7.3)."""
    if template == "/api":
        return respond(200, api_info(settings))
    if template == "/health/live":
        return respond(200, LIVE_DOCUMENT)
    if template == "/metrics":
        body, content_type = exposition()
        return 200, [("Content-Type", content_type)], body
    unit_of_work = SqlAlchemyUnitOfWork(sessions)
    accounts = AccountService.over(unit_of_work, hasher, settings, AUTH_EVENTS)
    try:
        if template == "/health/ready":
            status, document = readiness(unit_of_work.ping())
            response = respond(status, document)
        elif template not in AUTHENTICATED_ROUTES:
            response = accounts_route(environ, template, accounts)
        else:
            authenticated = accounts.authenticate(environ.get("HTTP_AUTHORIZATION"))
            events = unit_of_work.collect(TASK_EVENTS) if OBSERVED else IgnoreEvents()
            service = TaskService(unit_of_work.tasks_of(authenticated.user.id), events=events)
            if template == "/api/users/me":
                response = user_response(authenticated.user)
            elif template == "/api/tokens/current":
                accounts.revoke(authenticated)
                response = respond(204)
            elif template == "/api/tasks/stats":
                response = respond(200, stats_to_dict(service.stats()))
            else:
                segment = path.rsplit("/", 1)[1] if template == "/api/tasks/{id}" else None
                response = tasks_route(environ, method, service, segment)
    except BaseException:
        unit_of_work.finish(succeeded=False)
        raise
    unit_of_work.finish(succeeded=response[0] < 400)
    return response


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    method, path = environ["REQUEST_METHOD"], decoded_path(environ.get("PATH_INFO", ""))
    template = route_template_for_path(path)
    try:
        if template not in ROUTES:
            raise NotFound()
        if method not in ROUTES[template]:
            raise method_not_allowed(template)
        status, headers, body = dispatch(environ, "GET" if method == "HEAD" else method, template, path)
    except Exception as exception:
        problem: ProblemError = handle_failure(exception)
        document = problem.to_dict(current_request_id() or "")
        headers = [("Content-Type", "application/problem+json"), *problem.headers.items()]
        status, body = problem.status, json_bytes(document)
        if isinstance(problem, PayloadTooLarge):
            headers.append(("Connection", "close"))
    headers.append(("Content-Length", str(len(body))))
    start_response(f"{status} {REASON.get(status, '')}".rstrip(), headers)
    return [b"" if method == "HEAD" else body]


REASON = {200: "OK", 201: "Created", 204: "No Content", 304: "Not Modified", **REASON_PHRASES}

if OBSERVED:
    dictConfig(logging_config(settings))
    publish_app_info(settings)
    app = RequestObservationMiddleware(application)
else:
    app = application


def serve_with_cheroot() -> None:
    """Cheroot with CherryPy's variant's thread count, stopped by SIGTERM like it."""
    import signal

    from cheroot.wsgi import Server

    server = Server((settings.host, settings.port), app, numthreads=settings.thread_pool)
    signal.signal(signal.SIGTERM, lambda *_: server.stop())
    server.safe_start()


if __name__ == "__main__":
    serve_with_cheroot()
