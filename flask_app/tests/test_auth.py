"""Flask-Login and Werkzeug's hasher as this variant uses them: what the contract suite cannot see."""

import pytest
from sqlalchemy import select

from tasktracker.errors import Unavailable
from tasktracker.http import AUTHENTICATED_ROUTES, route_template_for_rule
from tasktracker.sqla.accounts import SqlAlchemyAccountRepository
from tasktracker.sqla.models import UserRecord

# region: tests
PASSWORD = "a long enough passphrase"


def stored_password_hash(app, username: str) -> str:
    with app.extensions["sessionmaker"]() as session:
        return session.scalars(select(UserRecord.password_hash).where(UserRecord.username == username)).one()


def test_a_password_is_stored_as_werkzeug_scrypt_at_owasp_strength(app, anonymous_client):
    credentials = {"username": "Reader ", "password": PASSWORD}
    assert anonymous_client.post("/api/users", json=credentials).status_code == 201
    password_hash = stored_password_hash(app, "reader")
    # Werkzeug writes method:N:r:p$salt$hash; spec 7.5 asks for N=2^17, r=8, p=1.
    assert password_hash.startswith("scrypt:131072:8:1$")
    # Werkzeug reads it back: the token's 201 needed check_password_hash to accept the password.
    issued = anonymous_client.post("/api/tokens", json=credentials)
    assert issued.status_code == 201
    me = anonymous_client.get("/api/users/me", headers={"Authorization": f"Bearer {issued.json['token']}"})
    assert me.json["username"] == "reader"


def test_login_required_guards_exactly_the_spec_bearer_routes(app, anonymous_client):
    for rule in app.url_map.iter_rules():
        template = route_template_for_rule(rule.rule)
        for method in sorted(rule.methods):
            response = anonymous_client.open(rule.rule.replace("<task_id:task_id>", "1"), method=method)
            assert (response.status_code == 401) == (template in AUTHENTICATED_ROUTES), (method, rule.rule)


def test_a_valid_token_wins_over_any_cookie(client):
    # Flask-Login reads a remember_token cookie instead of calling the request_loader; this
    # variant's requests have no cookies at all.
    # Werkzeug's test client sends its own cookie jar, not a Cookie header it is given.
    client.set_cookie("remember_token", "1|forged")
    client.set_cookie("session", "forged")
    response = client.get("/api/users/me")
    assert response.status_code == 200 and response.json["username"] == "owner"
    assert "Set-Cookie" not in response.headers and "Vary" not in response.headers


@pytest.mark.parametrize("authorization", [None, "Basic b3duZXI6eA==", "Bearer unknown"])
def test_a_refused_request_is_a_401_problem_and_sets_no_cookie(anonymous_client, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = anonymous_client.get("/api/tasks/stats", headers=headers)
    assert response.status_code == 401 and response.mimetype == "application/problem+json"
    assert response.json["code"] == ("unauthenticated" if authorization is None else "invalid_token")
    assert response.headers["WWW-Authenticate"].startswith('Bearer realm="task-tracker"')
    assert "Set-Cookie" not in response.headers


def test_a_database_failure_while_authenticating_is_a_503_not_a_401(client, monkeypatch):
    def unreachable(self, digest, now):
        raise Unavailable()

    monkeypatch.setattr(SqlAlchemyAccountRepository, "user_of_token", unreachable)
    response = client.get("/api/tasks")
    assert response.status_code == 503 and response.json["code"] == "unavailable"


# endregion
