"""Accounts over django.contrib.auth: the shared account contract against the Django ORM, the hash
Django stores, and what the contract suite cannot provoke from outside."""

import logging

import pytest
from accounts.models import LoginFailure
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, identify_hasher
from tasks.unit_of_work import DjangoUnitOfWork

from tasktracker.testing.account_repository_contract import AccountRepositoryContract

# The OWASP minimum for Argon2id (spec 7.5); Django's parameters are well above it.
OWASP_ARGON2ID = {"memory_cost": 19456, "time_cost": 2, "parallelism": 1}


# region: tests
class TestDjangoAccountRepository(AccountRepositoryContract):
    @pytest.fixture
    def account_repository(self, db):
        with DjangoUnitOfWork() as unit_of_work:
            yield unit_of_work.accounts


@pytest.mark.django_db
def test_a_password_is_stored_as_djangos_argon2id_hash(client):
    password = "correct horse battery staple"
    response = client.post("/api/users", {"username": "Ada", "password": password}, content_type="application/json")
    assert response.status_code == 201
    stored = get_user_model().objects.get(username="ada").password
    assert stored.startswith("argon2$argon2id$v=19$m=102400,t=2,p=8$")
    parameters = identify_hasher(stored).decode(stored)
    assert parameters["variety"] == "argon2id"
    assert all(parameters[name] >= minimum for name, minimum in OWASP_ARGON2ID.items())
    assert check_password(password, stored) and password not in stored


@pytest.mark.django_db(transaction=True)
def test_a_failed_token_request_is_committed_although_the_answer_is_a_401(client):
    response = client.post("/api/tokens", {"username": "nobody", "password": "wrong"}, content_type="application/json")
    assert response.status_code == 401 and response.json()["code"] == "invalid_credentials"
    # Committed, not only written: transaction=True runs without pytest-django's test transaction.
    assert LoginFailure.objects.count() == 1


@pytest.mark.django_db
def test_the_api_sets_no_cookie_and_a_session_cookie_authenticates_nothing(api_client, client):
    client.cookies["sessionid"] = "anything"
    assert client.get("/api/tasks").status_code == 401
    responses = [
        api_client.get("/api/users/me"),
        api_client.post("/api/tasks", {"title": "t"}, content_type="application/json"),
    ]
    assert [response.status_code for response in responses] == [200, 201]
    assert not any(response.cookies for response in responses)


@pytest.mark.django_db
def test_an_unexpected_failure_while_authenticating_logs_no_token(api_client, client, monkeypatch, caplog, settings):
    """Even with DEBUG on, a failure inside the backend is the 500 problem, never Django's debug
    page (which lists a request's headers), and the logged traceback names no token."""
    settings.DEBUG = True
    token = api_client.token

    def failing_lookup(self, digest, now):
        raise RuntimeError("the lookup failed")

    monkeypatch.setattr("accounts.repository.DjangoAccountRepository.user_of_token", failing_lookup)
    with caplog.at_level(logging.DEBUG):
        response = api_client.get("/api/tasks")
    assert response.status_code == 500 and response.headers["Content-Type"] == "application/problem+json"
    logged = "\n".join(logging.Formatter().format(record) for record in caplog.records)
    assert "the lookup failed" in logged and token not in logged and token not in response.content.decode()


# endregion
