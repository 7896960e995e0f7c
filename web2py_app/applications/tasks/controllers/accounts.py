# region: auth
# /api/users… and /api/tokens…: sign-up, the current user, tokens. routes.py maps the paths here.
# ruff: noqa: F821 (web2py runs this file with request, response, session, DAL, HTTP… as globals)
from resources import request_document, resource, respond

from tasktracker.accounts import token_document, user_document
from tasktracker.http import CURRENT_USER_PATH, TOKEN_RESPONSE_HEADERS


def _user_document(user):
    return user_document(user.id, user.username, user.created_at)


@resource("/api/users")
def users():
    def POST():
        # With sign-up closed, the body is not even read (spec 7.1).
        account_service.check_signup_open()
        user = account_service.sign_up(request_document())
        return respond(_user_document(user), 201, Location=CURRENT_USER_PATH)

    return locals()


@resource("/api/users/me")
@auth.requires_token()
def me():
    def GET():
        return respond(_user_document(auth.user))

    return locals()


@resource("/api/tokens")
def tokens():
    def POST():
        issued = account_service.issue_token(request_document())
        return respond(token_document(issued.token, issued.expires_at), 201, **TOKEN_RESPONSE_HEADERS)

    return locals()


@resource("/api/tokens/current")
@auth.requires_token()
def current_token():
    def DELETE():
        account_service.revoke(auth.authenticated)
        raise HTTP(204)

    return locals()


# endregion
