"""repoze.who, as sa_auth sets it up, for the API's bearer tokens instead of a login form and a cookie.

sa_auth runs repoze.who's middleware around the application: before dispatch it identifies the
request (the ``Authorization`` header) and authenticates it (``ApplicationAuthMetadata`` in
``config/app_cfg.py``, through tasktracker's AccountService); after dispatch it asks the
challenge decider whether the response is a challenge, and the challenger answers it. Between
the two, the controllers' predicates (``bearer_required``) decide, once dispatch has found the
route: so a route's 404 and 405 come first, then the 401, then the route's own checks (spec 7.3).
"""

from repoze.who.api import Identity
from repoze.who.interfaces import IChallenger, IIdentifier
from tg import request
from tg.configuration.auth.setup import turbogears_challenge_decider
from tg.decorators import require
from tg.exceptions import HTTPUnauthorized
from tg.predicates import not_anonymous
from zope.interface import implementer

from tasktracker.errors import InvalidToken, Unauthenticated
from tasktracker.http import AUTHENTICATED_ROUTES, ROUTES, route_template_for_path
from tasktracker.observability.wsgi import decoded_path
from tracker.lib.problems import problem_response

# region: auth
# repoze.who's classification of a request to a bearer route, with one of the route's methods.
# The identifier, and so the authenticator's database lookup, run for these only: a public route
# stays anonymous whatever it is sent (its access line names no user), and a path or a method
# that is about to be a 404 or a 405 costs no lookup.
BEARER = "bearer"
PUBLIC = "public"
# What stopped the authenticator (an invalid token, or a database it could not reach), for the
# challenger or the predicate's refusal to answer with.
AUTHENTICATION_FAILURE = "tracker.authentication_failure"


def classify_request(environ):
    """sa_auth's ``classifier`` (repoze.who's request classifier), instead of its browser/dav one."""
    route = route_template_for_path(decoded_path(environ.get("PATH_INFO", "")))
    if route in AUTHENTICATED_ROUTES and environ["REQUEST_METHOD"] in ROUTES[route]:
        return BEARER
    return PUBLIC


@implementer(IIdentifier, IChallenger)
class BearerTokenPlugin:
    """The identifier and the challenger; sa_auth's ``form_plugin``, in the place of its login form.

    It never remembers or forgets anything: the API sets no cookie and reads none (spec 7.3).
    """

    def __init__(self):
        # repoze.who's plugin classifications: these interfaces serve bearer requests only.
        self.classifications = {IIdentifier: [BEARER], IChallenger: [BEARER]}

    def identify(self, environ):
        authorization = environ.get("HTTP_AUTHORIZATION")
        if authorization is None:
            # No credentials: anonymous, and the predicate's 401 is unauthenticated.
            return None
        # repoze.who's Identity hides its contents from repr, and so from its own debug lines.
        return Identity(authorization=authorization)

    def remember(self, environ, identity):
        return []

    def forget(self, environ, identity):
        return []

    def challenge(self, environ, status, app_headers, forget_headers):
        """The problem of a bearer route's 401, with its WWW-Authenticate; never a redirect to a login page."""
        return problem_response(environ.get(AUTHENTICATION_FAILURE) or Unauthenticated())


def challenge_decider(environ, status, headers):
    """Only a bearer route's 401 is a challenge: the 401 invalid_credentials of a token request
    is the route's answer, and carries no WWW-Authenticate (spec 7.2)."""
    return classify_request(environ) == BEARER and turbogears_challenge_decider(environ, status, headers)


def anonymous_refusal(environ):
    """The answer to an anonymous request on a bearer route: a 401 for repoze.who's challenger to
    answer, unless its token could not be checked at all (the database is unreachable: 503, never 401)."""
    failure = environ.get(AUTHENTICATION_FAILURE)
    if failure is not None and not isinstance(failure, InvalidToken):
        raise failure
    return HTTPUnauthorized()


def refuse_anonymous(reason):
    """``require``'s denial handler. TurboGears' own flashes the reason (a cookie) before its abort."""
    raise anonymous_refusal(request.environ)


def current_user():
    """sa_auth's user (``model.User``) of the request's token, as IdentityApplicationWrapper found it."""
    return request.identity["user"]


# The predicate of every bearer controller (``allow_only``), checked once dispatch has found its method.
bearer_required = require(not_anonymous(), denial_handler=refuse_anonymous)


# endregion
