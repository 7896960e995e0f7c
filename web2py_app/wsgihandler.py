"""The WSGI application gunicorn serves: web2py's ``wsgibase`` inside the observability middleware.

This is the file web2py calls a handler (``handlers/wsgihandler.py`` in a web2py checkout).
"""

import logging
import os
from logging.config import dictConfig

from tasktracker.config import Settings
from tasktracker.errors import PROBLEM_CONTENT_TYPE, InternalError, NotFound
from tasktracker.http import json_bytes, route_template_for_path
from tasktracker.observability.logging import ERROR_LOGGER, REQUEST_ID_HEADER, logging_config
from tasktracker.observability.metrics import publish_app_info
from tasktracker.observability.observation import RequestObservation

# region: app-config
# web2py finds its applications parent (applications/, routes.py, VERSION) here, and writes
# its working folders (deposit/, logs/, each app's databases/ …) under it.
os.environ.setdefault("web2py_path", os.path.dirname(os.path.abspath(__file__)))

settings = Settings.from_env("web2py")
# region: logging
# Configured before gluon is imported: gluon.main then finds the root logger set up and adds
# no handler of its own (it would try logging.conf, then logging.basicConfig()).
dictConfig(logging_config("web2py", settings.log_level, settings.log_format))
# endregion

from gluon.settings import global_settings  # noqa: E402

# Served by a handler: gluon.main then skips Rocket and the Tk log window.
global_settings.web2py_runtime_handler = True

import gluon.main  # noqa: E402

# endregion

error_logger = logging.getLogger(ERROR_LOGGER)


# region: errors
def web2py_error_as_problem(status, headers):
    """A problem for an error page web2py wrote itself, outside any action of ours.

    Its 4xx are paths it cannot route ("invalid request"). Its 5xx are tickets: the traceback is
    in the ticket file under applications/tasks/errors/, the log line names the ticket.
    """
    if status < 500:
        return NotFound()
    error_logger.error("web2py answered %s: %s", status, dict(headers).get("web2py_error", "no ticket"))
    return InternalError()


# endregion


# region: logging, metrics
def observed(wsgi_app):
    """Request id, access log and metrics for every request, and problem+json for every error.

    A WSGI middleware rather than a model: models run only once web2py has chosen an action, so
    they would miss the error pages web2py writes itself; routes_onerror cannot help either, as
    it would also replace the actions' own problem responses.
    """

    def middleware(environ, start_response):
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "")
        # routes.py rewrites PATH_INFO in place and names no route: label by the path as received.
        route = route_template_for_path(path)
        observation = RequestObservation(method, path, environ.get("HTTP_X_REQUEST_ID"))
        answer = {}

        def capture(status, headers, exc_info=None):
            answer.update(status=status, headers=headers)
            return lambda data: None

        body = wsgi_app(environ, capture)
        status = int(answer["status"].split()[0])
        headers = answer["headers"]
        # The actions answer JSON; web2py's own error pages are HTML.
        if status >= 400 and dict(headers).get("Content-Type", "").startswith("text/html"):
            problem = web2py_error_as_problem(status, headers)
            document = json_bytes(problem.to_dict(observation.request_id))
            status = problem.status
            answer["status"] = f"{problem.status} {problem.title}"
            headers = [("Content-Type", PROBLEM_CONTENT_TYPE), ("Content-Length", str(len(document)))]
            body = [] if method == "HEAD" else [document]
        start_response(answer["status"], [*headers, (REQUEST_ID_HEADER, observation.request_id)])
        observation.finish(route, status)
        return body

    return middleware


# endregion


# region: serving
publish_app_info("web2py", "web2py-gluon")
application = observed(gluon.main.wsgibase)
# endregion
