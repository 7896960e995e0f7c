"""Bearer-token authentication for the actions: web2py's ``@auth.requires_login()``, for tokens."""

import functools
from contextvars import ContextVar

# region: auth
# The request's Authorization header, kept out of web2py: web2py copies the whole environ into
# request.env, and a ticket's snapshot of the request would hold a token (spec 6.2).
_authorization: ContextVar[str | None] = ContextVar("authorization", default=None)


def authorization_kept_from_web2py(wsgi_app):
    """A WSGI middleware: the Authorization header, taken out of the environ for BearerAuth."""

    def middleware(environ, start_response):
        kept = _authorization.set(environ.pop("HTTP_AUTHORIZATION", None))
        try:
            return wsgi_app(environ, start_response)
        finally:
            _authorization.reset(kept)

    return middleware


class BearerAuth:
    """The request's user, from its ``Authorization: Bearer`` header (spec 7.3).

    web2py's Auth knows a user by the session (``auth.user``, ``@auth.requires_login()``); this API
    keeps no session, so ``@auth.requires_token()`` asks the account service instead. It runs
    inside ``@resource``, once the route and method are known good (404, 405) and before the
    handler reads the body.
    """

    def __init__(self, account_service) -> None:
        self._account_service = account_service
        self.authenticated = None

    @property
    def user(self):
        return self.authenticated.user if self.authenticated else None

    def requires_token(self):
        def decorator(action):
            @functools.wraps(action)
            def authenticated_action():
                # Unauthenticated / InvalidToken (401), or Unavailable (503): @resource answers them.
                self.authenticated = self._account_service.authenticate(_authorization.get())
                return action()

            return authenticated_action

        return decorator


# endregion
