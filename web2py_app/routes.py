# URL rewriting (web2py's pattern-based routes_in): the spec's paths onto the tasks application.
# Patterns match the whole path; the last one sends everything else to a 404, so that web2py's
# default /<app>/<controller>/<function> URLs are not reachable from outside.
routes_in = (
    ("/api", "/tasks/api/index"),
    ("/api/tasks", "/tasks/api/tasks"),
    ("/api/tasks/stats", "/tasks/api/stats"),
    ("/api/tasks/(?P<id>[^/]+)", "/tasks/api/task/$id"),
    ("/health/live", "/tasks/health/live"),
    ("/health/ready", "/tasks/health/ready"),
    ("/metrics", "/tasks/health/metrics"),
    ("/$anything", "/tasks/errors/not_found"),
)
