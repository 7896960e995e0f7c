"""The response for a created task, whose Location header WebOb must not rewrite."""

from tg.request_local import Response


# region: routing
class PathLocationResponse(Response):
    """WebOb turns a Location path into an absolute URL built from the request's Host when it
    sends a response (RFC 2616 wanted one); the spec's ``Location`` is the path, as RFC 9110 allows.
    So this response is sent with its headers as they are. Only a 201 to POST uses it: no HEAD,
    no conditional response.
    """

    def __call__(self, environ, start_response):
        start_response(self.status, self.headerlist)
        return self.app_iter


# endregion
