"""The dispatcher: CherryPy's MethodDispatcher, held to the spec's exact paths (section 4)."""

from urllib.parse import unquote

import cherrypy

from tasktracker.errors import InternalError
from tasktracker.http import problem_for_routing_status


# region: routing
def requested_path() -> str:
    """The path as the client sent it, percent-decoded.

    CherryPy merges "//" into "/" before an application sees the path (in request.path_info,
    and even in the PATH_INFO it passes on), so exact matching starts from Cheroot's REQUEST_URI.
    The application is mounted at the root, so this is also the path within it.
    """
    request_uri = cherrypy.serving.request.wsgi_environ["REQUEST_URI"]
    return unquote(request_uri.partition("?")[0])


def answering_routing_error(error: cherrypy.HTTPError, path: str):
    """A handler that raises the spec's problem for the dispatcher's 404 or 405."""
    problem = problem_for_routing_status(error.code, path)

    def handler():
        # MethodDispatcher chooses no other status; one would be a bug, answered 500.
        raise problem or InternalError() from error

    return handler


class SpecDispatcher(cherrypy.dispatch.MethodDispatcher):
    """Walks the object tree like MethodDispatcher, but only a whole path names a resource.

    CherryPy's walk skips empty segments (a trailing or repeated slash) and hands leftover ones
    to the method as arguments; here those paths are 404s. Its misses, a bare NotFound and a 405
    whose Allow header is alphabetical, become the spec's problems, raised from the handler so
    that they reach request.error_response once the request's tools are set up. The Allow header
    it sets on every other answer is taken off.
    """

    def __call__(self, path_info):
        path = requested_path()
        super().__call__(path)
        request = cherrypy.serving.request
        if isinstance(request.handler, cherrypy.HTTPError):
            request.handler = answering_routing_error(request.handler, path)
        else:
            # CherryPy would pass the query parameters to the method as keyword arguments; the
            # spec's rules read the raw query string (tasktracker.validation), so methods take none.
            request.handler = request.handler.callable
            # MethodDispatcher lists the methods on every answer of a resource; only a 405 has
            # Allow (spec 4).
            cherrypy.serving.response.headers.pop("Allow", None)

    def find_handler(self, path):
        resource, leftover_segments = super().find_handler(path)
        # @cherrypy.expose marks the class itself, so /api/__class__ would find a "resource".
        if leftover_segments or "" in path.split("/")[1:] or isinstance(resource, type):
            return None, []
        return resource, leftover_segments


# endregion
