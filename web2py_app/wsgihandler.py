"""The WSGI application gunicorn serves: web2py's ``wsgibase`` inside the observation middleware.

This is the file web2py calls a handler (``handlers/wsgihandler.py`` in a web2py checkout).
"""

import logging
import os
from logging.config import dictConfig

from tasktracker.errors import PROBLEM_CONTENT_TYPE, InternalError, NotFound, handle_failure
from tasktracker.http import json_bytes, problem_for_routing_status
from tasktracker.observability.logging import ERROR_LOGGER, current_request_id, logging_config
from tasktracker.observability.metrics import publish_app_info
from tasktracker.observability.wsgi import RequestObservationMiddleware

# region: app-config
# web2py finds its applications parent (applications/, routes.py, VERSION) here, and writes
# its working folders (deposit/, logs/, each app's databases/ …) under it.
os.environ.setdefault("web2py_path", os.path.dirname(os.path.abspath(__file__)))
# endregion

from applications.tasks.modules.authentication import authorization_kept_from_web2py
from applications.tasks.modules.configuration import settings
from applications.tasks.modules.unit_of_work import COMMIT_FAILURE

# region: logging
# Configured before gluon is imported: gluon.main then finds the root logger set up and adds
# no handler of its own (it would try logging.conf, then logging.basicConfig()).
dictConfig(logging_config(settings))
# endregion

from gluon.settings import global_settings  # noqa: E402

# region: app-config
# Served by a handler: gluon.main then skips Rocket and the Tk log window.
global_settings.web2py_runtime_handler = True
# endregion

import gluon.main  # noqa: E402

# region: errors
error_logger = logging.getLogger(ERROR_LOGGER)


def web2py_error_as_problem(environ, status, headers):
    """A problem for an error page web2py wrote itself, outside any action of ours.

    Its 4xx are paths it cannot route ("invalid request"). Its 5xx are tickets: a failure outside
    any action, whose traceback is in the ticket file under applications/tasks/errors/ and whose
    log line names the ticket.
    """
    if status < 500:
        # Its 400 "invalid request" is a path it cannot route as well.
        return problem_for_routing_status(status, environ.get("PATH_INFO", "")) or NotFound()
    error_logger.error("web2py answered %s: %s", status, dict(headers).get("web2py_error", "no ticket"))
    return InternalError()


def problem_pages(wsgi_app):
    """web2py's own HTML error pages (tickets, unroutable paths) answered as problem+json, and a
    commit that failed at the end of the request (the unit of work left the failure in the
    environ) answered with its problem instead of the answer whose change was lost.

    A WSGI middleware rather than a model: models run only once web2py has chosen an action, so
    they would miss the error pages web2py writes itself; routes_onerror cannot help either, as
    it would also replace the actions' own problem responses.
    """

    def middleware(environ, start_response):
        answer = {}

        def capture(status, headers, exc_info=None):
            answer.update(status=status, headers=headers)
            return lambda data: None

        body = wsgi_app(environ, capture)
        status = int(answer["status"].split()[0])
        headers = answer["headers"]
        if status in (204, 304):
            # HTTP.to names text/html on every answer; these two have no content (spec 4.5, 4.7).
            headers = [(name, value) for name, value in headers if name.lower() != "content-type"]
        if COMMIT_FAILURE in environ:
            problem = handle_failure(environ[COMMIT_FAILURE])
        # The actions answer JSON; web2py's own error pages are HTML.
        elif status < 400 or not dict(headers).get("Content-Type", "").startswith("text/html"):
            start_response(answer["status"], headers)
            return body
        else:
            problem = web2py_error_as_problem(environ, status, headers)
        document = json_bytes(problem.to_dict(current_request_id()))
        start_response(
            f"{problem.status} {problem.title}",
            [("Content-Type", PROBLEM_CONTENT_TYPE), ("Content-Length", str(len(document))), *problem.headers.items()],
        )
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [document]

    return middleware


# endregion


# region: serving
publish_app_info(settings)
# The request id, access line and metrics, finished when the server closes the body; the route
# is labelled by the path as requested, read before routes.py rewrites PATH_INFO in place. The
# Authorization header never reaches web2py's request (nor so its tickets).
application = RequestObservationMiddleware(authorization_kept_from_web2py(problem_pages(gluon.main.wsgibase)))
# endregion
