# region: routing
# URL rewriting (web2py's pattern-based routes_in and routes_out): the spec's paths onto the tasks
# application and back. Patterns match the whole path; the last one sends everything else to a
# 404, so that web2py's default /<app>/<controller>/<function> URLs are not reachable from outside.
#
# web2py matches each pattern against "<client>:<scheme>://<host>:<method> <path>". A pattern
# that is only a path gets a prefix accepting methods made of letters alone, which would let
# M-SEARCH or PROPFIND2 skip these routes; ANY_REQUEST accepts every method.
ANY_REQUEST = r".*:https?://[^:/]+:[^ ]+ "

routes_in = (
    (ANY_REQUEST + "/api", "/tasks/api/index"),
    (ANY_REQUEST + "/api/users", "/tasks/accounts/users"),
    (ANY_REQUEST + "/api/users/me", "/tasks/accounts/me"),
    (ANY_REQUEST + "/api/tokens", "/tasks/accounts/tokens"),
    (ANY_REQUEST + "/api/tokens/current", "/tasks/accounts/current_token"),
    (ANY_REQUEST + "/api/tasks", "/tasks/api/tasks"),
    (ANY_REQUEST + "/api/tasks/stats", "/tasks/api/stats"),
    (ANY_REQUEST + "/api/tasks/(?P<id>[^/]+)", "/tasks/api/task/$id"),
    (ANY_REQUEST + "/health/live", "/tasks/health/live"),
    (ANY_REQUEST + "/health/ready", "/tasks/health/ready"),
    (ANY_REQUEST + "/metrics", "/tasks/health/metrics"),
    (ANY_REQUEST + "/$anything", "/tasks/errors/not_found"),
)

# URL("tasks", "api", "task", args=[id]) → /api/tasks/<id>: the Location of a created task.
routes_out = ((r"/tasks/api/task/(?P<id>\d+)", "/api/tasks/$id"),)
# endregion
