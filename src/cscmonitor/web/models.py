"""The web app's own tables: accounts, sessions and failed sign-ins (migration 0002).

They live in the records database but not on the records' declarative base: the records'
audit listener snapshots every column of every change, and a password hash or a session's
last-seen time has no place in the audit log. The web app writes its own audit rows
(`web.trail`) for sign-ins, account changes, uploads, exports and views of child-level data.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from cscmonitor.records.models import NAMING


class WebBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class User(WebBase):
    __tablename__ = "web_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    # A code from `permissions.Role`, stored as text so a new role needs no migration.
    role: Mapped[str] = mapped_column(String(30))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Demo accounts sign in only in development.
    demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_signin_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    sessions: Mapped[list[WebSession]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )


class WebSession(WebBase):
    """A signed-in browser. `id` is a keyed hash of the cookie's token, never the token."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime)
    # A one-time message for the next page (Post/Redirect/Get).
    flash: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship(back_populates="sessions")


class SigninFailure(WebBase):
    """A failed sign-in, counted by username and by address to slow guessing."""

    __tablename__ = "web_signin_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
