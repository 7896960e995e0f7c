"""Accounts and bearer tokens (spec 7): Flask-Login's ``request_loader``, and the ``auth`` blueprint.

Like flaskr's ``auth.py``, this module holds both the views that make an account and what the
other views use to require one; Flask-Login replaces flaskr's ``g.user`` and ``login_required``.
"""

from functools import cached_property, partial
from typing import NoReturn

from flask import Blueprint, Flask, Request, Response, current_app, g
from flask_login import LoginManager, UserMixin, current_user, login_required
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.security import check_password_hash, generate_password_hash

from tasktracker.account_service import AccountService, Authenticated
from tasktracker.accounts import token_document, user_document
from tasktracker.errors import InvalidToken, Unauthenticated
from tasktracker.hashing import FrameworkHasher
from tasktracker.http import CURRENT_USER_PATH, TOKEN_RESPONSE_HEADERS
from tasktracker.observability.metrics import AUTH_EVENTS
from tracker.api import json_response, no_content_response, request_document
from tracker.db import get_unit_of_work

# region: auth
# Werkzeug's own scrypt, at OWASP's minimum (N=2^17, r=8, p=1); its default is N=2^15.
PASSWORD_HASHER = FrameworkHasher(partial(generate_password_hash, method="scrypt:131072:8:1"), check_password_hash)

login_manager = LoginManager()


class CookielessRequest(Request):
    """A request whose cookies are never read (spec 7.3): a cookie authenticates nothing.

    Flask's session and Flask-Login's remember-me cookie both read ``request.cookies``; a
    ``remember_token`` cookie would even make Flask-Login skip the ``request_loader``.
    """

    @cached_property
    def cookies(self) -> ImmutableMultiDict[str, str]:
        return ImmutableMultiDict()


class TokenUser(UserMixin):
    """Flask-Login's ``current_user``: the token's user, and the token (to revoke it)."""

    def __init__(self, authenticated: Authenticated) -> None:
        self.authenticated = authenticated
        self.id = authenticated.user.id


def account_service() -> AccountService:
    return AccountService.over(get_unit_of_work(), PASSWORD_HASHER, current_app.config["SETTINGS"], AUTH_EVENTS)


@login_manager.request_loader
def load_user_from_bearer_token(request: Request) -> TokenUser | None:
    """Runs when ``login_required`` first asks for ``current_user``: after routing (404, 405), before the view.

    A database failure is raised (a 503, never a 401); a refused header is kept for
    ``refuse_request``, since Flask-Login only learns that there is no user.
    """
    try:
        return TokenUser(account_service().authenticate(request.headers.get("Authorization")))
    except (Unauthenticated, InvalidToken) as refusal:
        g.authentication_refusal = refusal
        return None


@login_manager.unauthorized_handler
def refuse_request() -> NoReturn:
    """A 401 problem with its ``WWW-Authenticate`` challenge, instead of Flask-Login's redirect or bare 401."""
    raise g.pop("authentication_refusal", None) or Unauthenticated()


def init_app(app: Flask) -> None:
    app.request_class = CookielessRequest
    # Tokens only: no session to protect (with no SECRET_KEY, Flask's session is a null session
    # that is never saved), no remember-me cookie (login_user is never called), no templates.
    login_manager.session_protection = None
    login_manager.init_app(app, add_context_processor=False)


# endregion


# region: routing, auth
bp = Blueprint("auth", __name__, url_prefix="/api")


@bp.post("/users")
def sign_up() -> Response:
    accounts = account_service()
    # With ALLOW_SIGNUP=false the answer is 403 whatever the body is: checked before reading it.
    accounts.check_signup_open()
    user = accounts.sign_up(request_document())
    document = user_document(user.id, user.username, user.created_at)
    return json_response(document, 201, {"Location": CURRENT_USER_PATH})


@bp.get("/users/me")
@login_required
def current_user_document() -> Response:
    user = current_user.authenticated.user
    return json_response(user_document(user.id, user.username, user.created_at))


@bp.post("/tokens")
def issue_token() -> Response:
    issued = account_service().issue_token(request_document())
    return json_response(token_document(issued.token, issued.expires_at), 201, TOKEN_RESPONSE_HEADERS)


@bp.delete("/tokens/current")
@login_required
def revoke_token() -> Response:
    account_service().revoke(current_user.authenticated)
    return no_content_response()


# endregion
