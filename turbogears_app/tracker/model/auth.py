"""The user of TurboGears' ``sa_auth``, mapped onto tasktracker's ``users`` table.

The quickstart's ``model/auth.py`` declares ``User`` (with ``Group`` and ``Permission``) and its
own ``tg_user`` table; here the table is tasktracker's, created by its Alembic migrations, and
the one the tasks' ``owner_id`` points at. The names are TurboGears' own: ``user_name`` is what
sa_auth's identity calls the user (``repoze.who.userid``), ``created`` the quickstart's column.
There are no groups or permissions: the spec has none.
"""

from sqlalchemy.orm import DeclarativeBase

from tasktracker.sqla.models import UserRecord


# region: auth
class AuthBase(DeclarativeBase):
    pass


class User(AuthBase):
    """``sa_auth.user_class``. The password is tasktracker's Argon2id hash, checked by its
    AccountService, never by the model: the quickstart's ``validate_password`` compares a
    static-salt SHA-256 with ``==``."""

    __table__ = UserRecord.__table__
    user_name = __table__.c.username
    created = __table__.c.created_at

    def __repr__(self):
        return f"<User: id={self.id!r} user_name={self.user_name!r}>"


# endregion
