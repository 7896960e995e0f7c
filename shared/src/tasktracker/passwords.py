"""The shared password hasher: Argon2id at OWASP's minimum (m=19 MiB, t=2, p=1), on argon2-cffi.

For the variants whose framework has no hasher of its own, or one too weak (TurboGears'
quickstart hashes with a static salt and compares with ``==``; Bottle and CherryPy have none).
Django, Flask and web2py use their framework's machinery instead (spec 7). Needs the
``passwords`` extra.
"""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from tasktracker.accounts import UNUSABLE_PASSWORD_PREFIX

# OWASP Password Storage Cheat Sheet, Argon2id's minimum configuration: 19 MiB, 2 passes, 1 lane.
MEMORY_COST_KIB = 19 * 1024
TIME_COST = 2
PARALLELISM = 1


class Argon2Hasher:
    """``hash``, ``verify`` (never raises for a bad password or a foreign hash) and ``needs_rehash``."""

    def __init__(self) -> None:
        self._hasher = PasswordHasher(
            time_cost=TIME_COST, memory_cost=MEMORY_COST_KIB, parallelism=PARALLELISM, type=Type.ID
        )
        # Verified against when the username is unknown, so that it costs what a wrong password costs.
        self._dummy_hash = self._hasher.hash("an unknown user's password is never this")

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored_hash: str, password: str) -> bool:
        if stored_hash.startswith(UNUSABLE_PASSWORD_PREFIX):
            # Costs the same as any other verification.
            self.verify(self._dummy_hash, password)
            return False
        try:
            return self._hasher.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def verify_dummy(self, password: str) -> None:
        """The cost of one verification, for a username that does not exist."""
        self.verify(self._dummy_hash, password)

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.check_needs_rehash(stored_hash)
