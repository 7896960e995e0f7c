"""The dispatcher: CherryPy's MethodDispatcher, held to the spec's exact paths (section 4)."""

from urllib.parse import unquote

import cherrypy
from cherrypy._cpdispatch import MethodDispatcher

from tasktracker.errors import NotFound
from tasktracker.http import method_not_allowed, route_template_for_path


def requested_path() -> str:
    """The path as the client sent it, percent-decoded.

    CherryPy merges "//" into "/" before an application sees the path (in request.path_info,
    and even in the PATH_INFO it passes on), so exact matching starts from Cheroot's REQUEST_URI.
    The application is mounted at the root, so this is also the path within it.
    """
    request_uri = cherrypy.serving.request.wsgi_environ["REQUEST_URI"]
    return unquote(request_uri.partition("?")[0])


def raising(problem):
    def handler():
        raise problem

    return handler


# region: routing
class SpecDispatcher(MethodDispatcher):
    """Walks the object tree like MethodDispatcher, but only a whole path names a resource.

    CherryPy's walk skips empty segments (a trailing or repeated slash) and hands leftover ones
    to the method as arguments; here those paths are 404s. Its misses, a bare NotFound and a 405
    whose Allow header is alphabetical, become the spec's problems.
    """

    def __call__(self, path_info):
        path = requested_path()
        super().__call__(path)
        request = cherrypy.serving.request
        if isinstance(request.handler, cherrypy.NotFound):
            request.handler = raising(NotFound())
        elif isinstance(request.handler, cherrypy.HTTPError):
            request.handler = raising(method_not_allowed(route_template_for_path(path)))
        else:
            # CherryPy would pass the query parameters to the method as keyword arguments; the
            # spec's rules read the raw query string (tasktracker.validation), so methods take none.
            request.handler = request.handler.callable

    def find_handler(self, path):
        resource, leftover_segments = super().find_handler(path)
        # @cherrypy.expose marks the class itself, so /api/__class__ would find a "resource".
        if leftover_segments or "" in path.split("/")[1:] or isinstance(resource, type):
            return None, []
        return resource, leftover_segments


# endregion
