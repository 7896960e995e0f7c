"""``/api/users`` and ``/api/tokens``: sign-up, the current user, and its tokens (spec 7).

Sign-up and token requests are public; ``me`` and ``current`` are bearer routes, whose
predicate (``allow_only``, ``@bearer_required``) refuses an anonymous request once dispatch has
found them.
"""

from tg import RestController, TGController, expose, request
from tg.request_local import Response

from tasktracker.accounts import token_document, user_document
from tasktracker.http import CURRENT_USER_PATH, JSON_CONTENT_TYPE, TOKEN_RESPONSE_HEADERS, json_bytes
from tracker.controllers.tasks import request_document
from tracker.lib.auth import bearer_required, current_user
from tracker.lib.responses import PathLocationResponse
from tracker.model import account_service


# region: routing, auth
class CurrentUserController(RestController):
    allow_only = bearer_required

    @expose("json")
    def get_all(self):
        user = current_user()
        return user_document(user.id, user.user_name, user.created)


class UsersController(RestController):
    me = CurrentUserController()

    @expose()
    def post(self):
        service = account_service()
        # With sign-up closed, 403 before the body is read (spec 7.1).
        service.check_signup_open()
        user = service.sign_up(request_document())
        document = user_document(user.id, user.username, user.created_at)
        created = PathLocationResponse(json_bytes(document), status=201, content_type=JSON_CONTENT_TYPE)
        created.headers["Location"] = CURRENT_USER_PATH
        return created


class TokensController(TGController):
    """Object dispatch rather than a RestController: crank's RestController fails (IndexError) on
    a DELETE whose last path segment names a sub-controller, ``/api/tokens/current``. The path
    check lets only POST reach ``index`` and only DELETE reach ``current``."""

    @expose()
    def index(self):
        issued = account_service().issue_token(request_document())
        document = token_document(issued.token, issued.expires_at)
        issued_response = Response(json_bytes(document), status=201, content_type=JSON_CONTENT_TYPE)
        issued_response.headers.update(TOKEN_RESPONSE_HEADERS)
        return issued_response

    @expose()
    @bearer_required
    def current(self):
        account_service().revoke(request.identity["authenticated"])
        # TurboGears answers a method that returns nothing with 204 No Content.
        return None


# endregion
