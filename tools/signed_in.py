"""A user of a running server, for the tools that send it traffic (spec 2.0: /api/tasks… needs a token).

    session = signed_in_session("http://127.0.0.1:8002")        # a new user, signed up, token taken
    session.post(".../api/tasks", json={"title": "mine"})        # carries Authorization: Bearer …

compose-smoke, scale-smoke, the comparison's warm-up, the benchmark and the fault suite use it;
the contract suite has its own fixtures (contract_tests/harness.py).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import requests

TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class SignedIn:
    username: str
    password: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def sign_in(base_url: str, label: str = "tool", session: requests.Session | None = None) -> SignedIn:
    """Sign up a fresh user (``<label>-<random>``) and take a token for it."""
    http = session or requests
    username = f"{label}-{secrets.token_hex(6)}"[:32].lower()
    password = secrets.token_urlsafe(18)
    credentials = {"username": username, "password": password}
    signed_up = http.post(f"{base_url}/api/users", json=credentials, timeout=TIMEOUT_SECONDS)
    if signed_up.status_code != 201:
        raise RuntimeError(f"sign-up at {base_url} answered {signed_up.status_code}: {signed_up.text[:300]}")
    issued = http.post(f"{base_url}/api/tokens", json=credentials, timeout=TIMEOUT_SECONDS)
    if issued.status_code != 201:
        raise RuntimeError(f"token request at {base_url} answered {issued.status_code}: {issued.text[:300]}")
    return SignedIn(username, password, issued.json()["token"])


def signed_in_session(base_url: str, label: str = "tool") -> requests.Session:
    """A ``requests.Session`` whose every request carries a new user's bearer token."""
    session = requests.Session()
    session.headers.update(sign_in(base_url, label, session).headers)
    return session
