"""The spec's route table, checked before TurboGears' object dispatch.

Object dispatch is lenient where the spec is exact: it skips empty path segments (``/api/``,
``//api``), reaches ``index`` by name (``/api/index``), and RestController calls a method named
by a path segment whatever the verb (``GET /api/tasks/post`` would create a task). It also
answers a verb it has no method for with 404 instead of 405. Only the spec's paths, with their
methods and canonical task ids, get through to dispatch.
"""

from tg.appwrappers.base import ApplicationWrapper

from tasktracker.errors import NotFound
from tasktracker.http import ROUTES, UNMATCHED_ROUTE, method_not_allowed, parse_task_id, route_template_for_path

TASK_ROUTE = "/api/tasks/{id}"


# region: routing
class ExactRoutesWrapper(ApplicationWrapper):
    def __call__(self, controller, environ, context):
        request = context.request
        route = route_template_for_path(request.path_info)
        if route == UNMATCHED_ROUTE:
            raise NotFound()
        if request.method not in ROUTES[route]:
            raise method_not_allowed(route)
        if route == TASK_ROUTE:
            # Not an id is a 404 from this route (spec 4.8), and must not reach RestController,
            # which would take a segment such as "post" or "get_all" for a method name.
            parse_task_id(request.path_info.rsplit("/", 1)[1])
        # The API reads its query string raw, through tasktracker, which reports an undecodable
        # value per parameter; TurboGears would decode it for dispatch arguments first and answer
        # a bare 400 (and honour ?_method=DELETE). The controllers take no dispatch arguments.
        request.__dict__["args_params"] = {}
        return self.next_handler(controller, environ, context)


# endregion
