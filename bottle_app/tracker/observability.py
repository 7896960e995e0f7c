"""Request id, access log and metrics: tasktracker's WSGI middleware around the Bottle app.

Not a plugin: Bottle applies plugins to route callbacks, so a plugin never sees a request that
matched no route (Bottle's own 404 and 405), and the status of Bottle's own 500 is only known
after every plugin and hook has run. Around the whole app, every request is seen exactly once.
"""

from tasktracker.http import route_template_for_path, route_template_for_rule


# region: metrics
def route_label(environ, path: str) -> str:
    """The matched route's rule as the spec's template; Bottle sets no route when routing failed."""
    route = environ.get("bottle.route")
    return route_template_for_rule(route.rule) if route is not None else route_template_for_path(path)


# endregion
