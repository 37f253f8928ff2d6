"""Web accounts, their sessions, failed sign-ins and two-person requests (migrations 0002, 0003).

They live in the records database but not on the records' declarative base: the records'
audit listener snapshots every column of every change, and a password hash or a session's
last-seen time has no place in the audit log. The account services (`accounts`,
`accounts_signin`, `accounts_approvals`) write their own audit rows with what matters.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from cscmonitor.records.models import NAMING


class AccountBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class User(AccountBase):
    __tablename__ = "web_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    # A code from `accounts.Role`, stored as text so a new role needs no migration.
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


class WebSession(AccountBase):
    """A signed-in browser. `id` is a keyed hash of the cookie's token, never the token."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime)
    # A one-time message for the next page (Post/Redirect/Get).
    flash: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship(back_populates="sessions")


class SigninFailure(AccountBase):
    """A failed sign-in, counted per username and source (address) to slow guessing."""

    __tablename__ = "web_signin_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)


class ApprovalRequest(AccountBase):
    """A powerful move waiting for a second person: a child-data role, a password reset of
    such an account, or accepting an upload into the warehouse."""

    __tablename__ = "approval_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    # A code from `accounts_approvals.Kind`: grant_role, reset_password, accept_upload.
    kind: Mapped[str] = mapped_column(String(20))
    # The account's id, or the upload's id.
    subject: Mapped[str] = mapped_column(String(80), index=True)
    # What is asked: the role, or a new password's hash (never shown, never audited).
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    # pending, approved, refused or withdrawn.
    state: Mapped[str] = mapped_column(String(12), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("web_users.id", ondelete="SET NULL")
    )
    requested_by: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("web_users.id", ondelete="SET NULL")
    )
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    reason: Mapped[str | None] = mapped_column(Text)
