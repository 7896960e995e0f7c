"""Bearer tokens through django.contrib.auth: an authentication backend, and the mixin that runs it.

No AuthenticationMiddleware: it reads the user from the session, and the API has no sessions or
cookies (spec 7.3). A bearer view authenticates in its own dispatch instead, once the URL has
resolved and the method is known, so a 404 or 405 comes before the 401.
"""

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.hashers import check_password, make_password
from django.views.decorators.debug import sensitive_variables

from tasktracker.account_service import AccountService
from tasktracker.hashing import FrameworkHasher
from tasktracker.observability.metrics import AUTH_EVENTS

# region: auth
# Django's own pair, so PASSWORD_HASHERS decides (Argon2PasswordHasher first, config/settings.py).
# check_password takes the password first; FrameworkHasher passes the stored hash first.
PASSWORD_HASHER = FrameworkHasher(make_password, lambda stored_hash, password: check_password(password, stored_hash))


def account_service(request) -> AccountService:
    """The service over the request's unit of work (UnitOfWorkMiddleware opened it)."""
    return AccountService.over(request.unit_of_work, PASSWORD_HASHER, settings.TASKTRACKER, AUTH_EVENTS)


class BearerTokenBackend(BaseBackend):
    """``authenticate(request, authorization=<the header, or None>)`` → the token's auth.User.

    It raises rather than returning None: the service's Unauthenticated and InvalidToken carry the
    WWW-Authenticate challenge, and a database failure is a 503, never a 401. Django's
    authenticate() lets any exception but PermissionDenied through.
    """

    @sensitive_variables("authorization")
    def authenticate(self, request, authorization=None):
        if request is None:
            return None
        request.authenticated = account_service(request).authenticate(authorization)
        user = request.authenticated.user
        # The token's query read these three columns; the view needs nothing else of the user.
        return get_user_model()(id=user.id, username=user.username, date_joined=user.created_at)


class BearerTokenRequiredMixin:
    """Django's LoginRequiredMixin for bearer tokens, checked after the method (spec 7.3).

    LoginRequiredMixin checks before View.dispatch, which would answer a 401 where the spec
    wants the 405. Here a method the view lacks goes on to dispatch's http_method_not_allowed.
    """

    def dispatch(self, request, *args, **kwargs):
        method = request.method.lower()
        if method in self.http_method_names and hasattr(self, method):
            request.user = authenticate(request, authorization=request.headers.get("Authorization"))
        return super().dispatch(request, *args, **kwargs)


# endregion
