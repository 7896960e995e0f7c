"""Users and bearer clients for the variant's own tests, made without a password hash: hashing is
slow, and only the tests of the hasher need one."""

import pytest
from accounts.models import ApiToken
from django.contrib.auth import get_user_model
from django.test import Client

from tasktracker.accounts import new_token, token_digest, token_expiry, unusable_password
from tasktracker.domain import utc_now


def bearer_client(username: str) -> Client:
    """Django's test client for a new user, sending that user's token with every request."""
    user = get_user_model().objects.create(username=username, password=unusable_password(), date_joined=utc_now())
    token, now = new_token(), utc_now()
    ApiToken.objects.create(digest=token_digest(token), user=user, created_at=now, expires_at=token_expiry(now, 1))
    client = Client(headers={"Authorization": f"Bearer {token}"})
    client.token = token
    return client


@pytest.fixture
def api_client(db) -> Client:
    return bearer_client("ada")
