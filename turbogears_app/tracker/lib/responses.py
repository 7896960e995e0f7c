"""The response for a created task, whose Location header WebOb must not rewrite."""

from tg.request_local import Response


class PathLocationResponse(Response):
    """WebOb turns a Location path into an absolute URL built from the request's Host when it
    sends a response (RFC 2616 wanted one); the spec's ``Location`` is the path, as RFC 9110 allows.
    """

    def _abs_headerlist(self, environ):
        return list(self.headerlist)
