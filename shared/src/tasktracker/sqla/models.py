"""ORM records: the database's shape of a task and of an account. The domain never sees them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class TaskRecord(Base):
    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    # Case-folded copies of title and description: search compares these, never the collation.
    title_key: Mapped[str] = mapped_column(Text)
    description_key: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    priority: Mapped[str] = mapped_column(String(16))
    due_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer)
    # Migration 0005 (spec 7.4): the user who created it. Indexed through the owner-first indexes below.
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))

    tags: Mapped[list[TaskTagRecord]] = relationship(
        back_populates="task", cascade="all, delete-orphan", lazy="selectin", order_by="TaskTagRecord.tag"
    )

    # Migration 0005 (after 0003's sort keys): one owner's page in either sort order is read from an
    # index; and (0003, PostgreSQL) trigram indexes for q's substring search.
    __table_args__ = (
        Index("ix_tasks_owner_created_at_id", "owner_id", "created_at", "id"),
        Index("ix_tasks_owner_updated_at_id", "owner_id", "updated_at", "id"),
        *(
            Index(name, column, postgresql_using="gin", postgresql_ops={column: "gin_trgm_ops"}).ddl_if(
                dialect="postgresql"
            )
            for column, name in (
                ("title_key", "ix_tasks_title_key_trgm"),
                ("description_key", "ix_tasks_description_key_trgm"),
            )
        ),
        # Migration 0004: on SQLite, an id is never given to a second task (spec 4.8).
        {"sqlite_autoincrement": True},
    )


class TaskTagRecord(Base):
    __tablename__ = "task_tags"

    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(32), primary_key=True)

    task: Mapped[TaskRecord] = relationship(back_populates="tags")


Index("ix_task_tags_tag", TaskTagRecord.tag)


# --- accounts (spec 7) -----------------------------


class UserRecord(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Normalised (trimmed, lower-cased) before it is stored: the unique index is the one judge of
    # concurrent sign-ups.
    username: Mapped[str] = mapped_column(String(32), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TokenRecord(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The token's SHA-256 in hex; the token itself is never stored.
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class LoginFailureRecord(Base):
    """One failed token request: by username, whether or not such a user exists."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Not the username itself but accounts.failure_key of it, its SHA-256: a token request's
    # username may be any length, and the digest's fixed size fits every index.
    username: Mapped[str] = mapped_column(Text)
    failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


Index("ix_login_failures_username_failed_at", LoginFailureRecord.username, LoginFailureRecord.failed_at)


# Declared with ddl_if(dialect="postgresql"), which alembic's comparison does not read.
POSTGRESQL_ONLY_INDEXES = frozenset({"ix_tasks_title_key_trgm", "ix_tasks_description_key_trgm"})


def include_in_comparison(dialect: str) -> Callable[..., bool]:
    """An alembic ``include_object`` that leaves out what this dialect never gets."""

    def include(item: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
        return not (type_ == "index" and name in POSTGRESQL_ONLY_INDEXES and dialect != "postgresql")

    return include
