"""The spec's exact paths, held to before TurboGears' object dispatch picks the controller method.

Dispatch routes; this only refuses what dispatch would forgive and cannot be configured not to.
Object dispatch skips empty path segments (``/api/``, ``//api``) and reaches ``index`` by name
(``/api/index``); RestController calls any exposed method named by a path segment, whatever
the verb (``GET /api/tasks/post``), answers a verb it has no method for with 404, 400 or 204
instead of 405, and has no HEAD.
"""

from tg.appwrappers.base import ApplicationWrapper

from tasktracker.errors import NotFound
from tasktracker.http import ROUTES, UNMATCHED_ROUTE, method_not_allowed, parse_task_id, route_template_for_path
from tracker.controllers.tasks import request_document
from tracker.lib.auth import anonymous_refusal

# region: routing
TASK_ROUTE = "/api/tasks/{id}"


class ExactPathsWrapper(ApplicationWrapper):
    def __call__(self, controller, environ, context):
        request = context.request
        route = route_template_for_path(request.path_info)
        if route == UNMATCHED_ROUTE:
            raise NotFound()
        if request.method not in ROUTES[route]:
            raise method_not_allowed(route)
        if route == TASK_ROUTE:
            # Not an id is a 404 from this route (spec 4.8), and never a RestController method name.
            try:
                parse_task_id(request.path_info.rsplit("/", 1)[1])
            except NotFound:
                # Dispatch never reaches the controller's predicate: its 401 comes first here too (spec 7.3).
                if not environ.get("repoze.who.identity"):
                    return anonymous_refusal(environ)
                if request.method == "PATCH":
                    # A PATCH decodes its body before any 404 of the route (spec 4.6).
                    request_document()
                raise
        # The controllers read the raw query string, through tasktracker. TurboGears would decode
        # it into dispatch arguments first, answering an undecodable value with a bare 400, taking
        # ?task_id= over the path's id and ?_method=DELETE over the verb. TurboGears itself sets
        # args_params, to the arguments it calls the method with.
        request.args_params = {}
        if request.method != "HEAD":
            return self.next_handler(controller, environ, context)
        # RestController has no HEAD (it would look for a method named head). HEAD is GET without
        # the body (RFC 9110 9.3.2), and WebOb leaves the body out when it answers a HEAD.
        request.method = "GET"
        try:
            return self.next_handler(controller, environ, context)
        finally:
            request.method = "HEAD"


# endregion
