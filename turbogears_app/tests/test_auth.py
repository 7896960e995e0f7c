"""sa_auth and repoze.who from inside: what the contract suite cannot see from outside."""

import logging

from sqlalchemy import create_engine, func, select

from tasktracker.sqla.models import LoginFailureRecord
from tracker.config.app_cfg import base_config
from tracker.model import DBSession, User


# region: tests
def test_a_signed_up_password_is_stored_as_argon2id_at_owasp_minimum(anonymous_app):
    anonymous_app.post_json("/api/users", {"username": "grace", "password": "compiler of cobol"}, status=201)
    # Read back through sa_auth's user class, which maps tasktracker's users table.
    user = DBSession.query(User).filter_by(user_name="grace").one()
    assert user.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    DBSession.remove()


def test_sa_auth_reads_the_user_through_its_user_class(app):
    authmetadata = base_config.get_blueprint_value("sa_auth.authmetadata")
    user = authmetadata.get_user({}, "ada")
    assert isinstance(user, User) and user.user_name == "ada"
    DBSession.remove()


def test_a_failed_token_request_is_committed_although_it_is_answered_401(anonymous_app, credentials, database_url):
    anonymous_app.post_json("/api/tokens", {**credentials, "password": "not the password"}, status=401)
    with create_engine(database_url).connect() as connection:
        assert connection.scalar(select(func.count()).select_from(LoginFailureRecord)) == 1


def test_a_bearer_route_without_a_token_is_challenged_by_repoze_who(anonymous_app):
    response = anonymous_app.get("/api/tasks/not-an-id", status=401)
    assert response.content_type == "application/problem+json"
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="task-tracker"'
    # TurboGears' denial handler would have flashed its reason in a cookie.
    assert "Set-Cookie" not in response.headers


def test_a_wrong_password_is_no_challenge(anonymous_app, credentials):
    response = anonymous_app.post_json("/api/tokens", {**credentials, "password": "not the password"}, status=401)
    assert response.json["code"] == "invalid_credentials" and "WWW-Authenticate" not in response.headers


def test_a_token_is_never_in_the_log_even_at_debug(app, token, caplog):
    caplog.set_level(logging.DEBUG)
    app.get("/api/tasks", status=200)
    app.get("/api/tasks", headers={"Authorization": f"Bearer {token}x"}, status=401)
    assert token not in caplog.text


def test_no_cookie_is_set_or_read(app, anonymous_app):
    assert "Set-Cookie" not in app.get("/api/users/me", status=200).headers
    anonymous_app.get("/api/users/me", headers={"Cookie": "authtkt=anything; webflash=x"}, status=401)


# endregion
