"""The account tables: web2py's ``auth_user`` (from its Auth), the API's tokens and failed token requests."""

from gluon.authapi import AuthAPI
from pydal import Field
from pydal.validators import CRYPT

from tasktracker.hashing import FrameworkHasher

from .task_table import UTC_TIMESTAMP

# region: auth
# web2py's own password hash, at OWASP's minimum for PBKDF2-HMAC-SHA256 (spec 7.5): CRYPT's
# default, pbkdf2(1000,20,sha512), is far below it. Stored as pbkdf2(600000,32,sha256)$<salt>$<hash>.
PASSWORD_CRYPT = CRYPT(digest_alg="pbkdf2(600000,32,sha256)", salt=True)
# CRYPT hashes lazily; comparing its result with a stored hash re-hashes with that hash's own
# algorithm and salt, which is how web2py's Auth checks a password at login.
PASSWORD_HASHER = FrameworkHasher(
    make=lambda password: str(PASSWORD_CRYPT(password)[0]),
    check=lambda stored_hash, password: PASSWORD_CRYPT(password)[0] == stored_hash,
)


def define_account_tables(db, migrate=False):
    """``auth_user`` and its companions as web2py's Auth defines them, then the API's two tables.

    ``gluon.authapi.AuthAPI`` is the table-defining, session-free core of ``gluon.tools.Auth``,
    which cannot be imported with the pydal this variant runs (see the README). Its user has a
    username (``username=True``); the API adds when it signed up.
    """
    auth = AuthAPI(db, signature=False)
    auth.settings.extra_fields["auth_user"] = [Field("created_at", UTC_TIMESTAMP, notnull=True)]
    auth.define_tables(username=True, migrate=migrate)
    db.auth_user.password.requires = [PASSWORD_CRYPT]
    db.define_table(
        "api_token",
        # The token's SHA-256 in hex; the token itself is never stored (spec 7.2).
        Field("digest", "string", length=64, notnull=True, unique=True),
        Field("user_id", "reference auth_user", notnull=True),
        Field("created_at", UTC_TIMESTAMP, notnull=True),
        Field("expires_at", UTC_TIMESTAMP, notnull=True),
        Field("revoked", "boolean", notnull=True, default=False),
        migrate=migrate,
    )
    db.define_table(
        "login_failure",
        # Not the username itself but accounts.failure_key of it, its SHA-256: a token request's
        # username may be any length, and the digest's fixed size fits every index.
        Field("username", "string", length=64, notnull=True),
        Field("failed_at", UTC_TIMESTAMP, notnull=True),
        migrate=migrate,
    )
    return auth


# Auth's username is unique only by its form validator (IS_NOT_IN_DB), a read before the write;
# the spec wants the database to decide between concurrent sign-ups.
ACCOUNT_INDEXES = (
    "CREATE UNIQUE INDEX IF NOT EXISTS auth_user_username ON auth_user (username);",
    "CREATE INDEX IF NOT EXISTS api_token_user_id ON api_token (user_id);",
    "CREATE INDEX IF NOT EXISTS login_failure_username_failed_at ON login_failure (username, failed_at);",
)


def create_account_indexes(db):
    for statement in ACCOUNT_INDEXES:
        db.executesql(statement)


# endregion
