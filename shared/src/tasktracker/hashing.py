"""A PasswordHasher over a framework's own two functions: make a hash, check a password against one.

Django (``make_password``/``check_password``), Flask (``werkzeug.security``) and web2py
(``CRYPT``) hash with their framework's machinery (spec 7.5); this adapter gives each the same
behaviour around it, once: a hash that no hasher produced (``legacy``'s) never verifies, a hash
the framework cannot read is a wrong password rather than a 500, and an unknown username costs
one verification against a dummy hash, so that timing does not tell it from a wrong password.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

from tasktracker.accounts import UNUSABLE_PASSWORD_PREFIX

DUMMY_PASSWORD = "an unknown user's password is never this"


class FrameworkHasher:
    def __init__(self, make: Callable[[str], str], check: Callable[[str, str], bool]) -> None:
        """``make(password) -> hash``; ``check(stored_hash, password) -> bool``."""
        self._make = make
        self._check = check

    @cached_property
    def _dummy_hash(self) -> str:
        # Made on first use, at the framework's current strength, so that it costs what a real one does.
        return self._make(DUMMY_PASSWORD)

    def hash(self, password: str) -> str:
        return self._make(password)

    def verify(self, stored_hash: str, password: str) -> bool:
        if stored_hash.startswith(UNUSABLE_PASSWORD_PREFIX):
            self.verify_dummy(password)
            return False
        try:
            return bool(self._check(stored_hash, password))
        except ValueError:
            return False

    def verify_dummy(self, password: str) -> None:
        self._check(self._dummy_hash, password)
