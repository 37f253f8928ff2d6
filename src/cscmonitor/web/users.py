"""Accounts, sessions and sign-in: the service the routers and `cscmonitor users` call.

Every function takes an open SQLAlchemy session (one transaction per unit of work, opened by
`unit`); account changes and sign-ins write audit rows through `trail`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from cscmonitor.records.audit import Actor
from cscmonitor.records.errors import RecordsError
from cscmonitor.records.models import utcnow
from cscmonitor.web import security, trail
from cscmonitor.web.config import WebSettings
from cscmonitor.web.models import SigninFailure, User, WebSession
from cscmonitor.web.permissions import Role

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,79}")
Clock = Callable[[], dt.datetime]
# A session's last-seen time is written at most this often, so reading pages costs no writes.
TOUCH_EVERY = dt.timedelta(seconds=60)


class AccountError(RecordsError):
    """Input for an account that breaks a rule; the message says which."""


@contextmanager
def unit(engine: Engine) -> Iterator[Session]:
    """One transaction on the web tables (and audit rows)."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session


def actor_of(user: User) -> Actor:
    """The user as the records' audit and workflow see them: name and party."""
    return Actor(f"{user.full_name} ({user.username})", Role(user.role).party)


def check_username(username: str) -> str:
    username = username.strip().lower()
    if not USERNAME.fullmatch(username):
        raise AccountError(
            "Username must be 2 to 80 lower-case letters, digits, dots, dashes or underscores, "
            "starting with a letter or digit"
        )
    return username


def check_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise AccountError(f"Role must be one of {', '.join(Role)}") from None


def create_user(
    session: Session,
    by: Actor,
    username: str,
    full_name: str,
    role: str,
    password: str,
    *,
    demo: bool = False,
) -> User:
    """A new active account; the password is checked against the policy and hashed."""
    username = check_username(username)
    checked_role = check_role(role)
    if not full_name.strip():
        raise AccountError("Enter the person's full name")
    problem = security.password_problem(password, username)
    if problem:
        raise AccountError(problem)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AccountError(f"An account with the username {username} already exists")
    user = User(
        username=username,
        full_name=full_name.strip(),
        role=str(checked_role),
        password_hash=security.hash_password(password),
        active=True,
        demo=demo,
        created_at=utcnow(),
    )
    session.add(user)
    session.flush()
    trail.record(
        session,
        by,
        trail.CREATE,
        "web_users",
        str(user.id),
        {"username": username, "role": str(checked_role), "demo": demo},
    )
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise AccountError(f"No account {user_id}")
    return user


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username.strip().lower()))


def update_user(
    session: Session,
    by: Actor,
    user: User,
    *,
    role: str | None = None,
    active: bool | None = None,
    password: str | None = None,
) -> User:
    """Change an account's role, whether it is active, or its password; ends its sessions
    when it loses access or its password changes."""
    before = {"role": user.role, "active": user.active}
    if role is not None:
        user.role = str(check_role(role))
    if active is not None:
        user.active = active
    if password is not None:
        problem = security.password_problem(password, user.username)
        if problem:
            raise AccountError(problem)
        user.password_hash = security.hash_password(password)
    if password is not None or active is False or (role is not None and role != before["role"]):
        session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    session.flush()
    after = {"role": user.role, "active": user.active, "password_changed": password is not None}
    trail.record(session, by, trail.UPDATE, "web_users", str(user.id), {"before": before} | after)
    return user


def count_admins(session: Session) -> int:
    query = select(func.count(User.id)).where(User.role == Role.ADMIN.value, User.active)
    return int(session.scalar(query) or 0)


class Refusal(StrEnum):
    """Why a sign-in failed; people see one message for all but the rate limit."""

    WRONG = "wrong"
    RATE_LIMITED = "rate_limited"


@dataclass(frozen=True)
class SignedIn:
    user: User
    token: str


class Accounts:
    """Sign-in, sessions and flash messages, with the settings and clock they depend on."""

    def __init__(self, settings: WebSettings, clock: Clock = utcnow) -> None:
        self.settings = settings
        self.clock = clock
        self.secret = settings.secret()

    def _window_start(self) -> dt.datetime:
        return self.clock() - dt.timedelta(minutes=self.settings.signin_window_minutes)

    def rate_limited(self, session: Session, username: str, address: str) -> bool:
        """Too many recent failures for this username, or for this address."""
        since = self._window_start()
        by_name = session.scalar(
            select(func.count(SigninFailure.id)).where(
                SigninFailure.username == username, SigninFailure.at >= since
            )
        )
        by_address = session.scalar(
            select(func.count(SigninFailure.id)).where(
                SigninFailure.address == address, SigninFailure.at >= since
            )
        )
        allowed = self.settings.signin_failures_allowed
        return int(by_name or 0) >= allowed or int(by_address or 0) >= 4 * allowed

    def sign_in(
        self, session: Session, username: str, password: str, address: str
    ) -> SignedIn | Refusal:
        """A new session for the right username and password, unless rate-limited."""
        name = username.strip().lower()[:80]
        address = address[:64]
        if self.rate_limited(session, name, address):
            trail.record(
                session,
                Actor(name or "(blank)"),
                trail.REFUSED,
                "web_users",
                name or "-",
                {"reason": "rate limited", "address": address},
            )
            return Refusal.RATE_LIMITED
        user = find_user(session, name) if name else None
        ok = security.verify_password(user.password_hash if user else None, password)
        usable = user is not None and user.active and (self.settings.development or not user.demo)
        if not ok or not usable or user is None:
            session.add(SigninFailure(username=name, address=address, at=self.clock()))
            trail.record(
                session,
                Actor(name or "(blank)"),
                trail.REFUSED,
                "web_users",
                name or "-",
                {"reason": "wrong username or password, or account not usable", "address": address},
            )
            return Refusal.WRONG
        if security.needs_rehash(user.password_hash):
            user.password_hash = security.hash_password(password)
        session.execute(delete(SigninFailure).where(SigninFailure.username == name))
        # Expired sessions of anyone go now: cheap, and keeps the table small.
        session.execute(delete(WebSession).where(WebSession.last_seen < self._idle_cutoff()))
        token = security.new_token()
        now = self.clock()
        session.add(
            WebSession(
                id=security.token_id(self.secret, token),
                user_id=user.id,
                created_at=now,
                last_seen=now,
            )
        )
        user.last_signin_at = now
        session.flush()
        trail.record(
            session, actor_of(user), trail.SIGN_IN, "web_users", str(user.id), {"address": address}
        )
        return SignedIn(user, token)

    def _idle_cutoff(self) -> dt.datetime:
        return self.clock() - dt.timedelta(minutes=self.settings.session_idle_minutes)

    def session_for(self, session: Session, token: str | None) -> WebSession | None:
        """The live session the cookie's token names; an expired one is ended."""
        if not token:
            return None
        held = session.get(WebSession, security.token_id(self.secret, token))
        if held is None:
            return None
        now = self.clock()
        too_old = held.created_at < now - dt.timedelta(hours=self.settings.session_max_hours)
        if held.last_seen < self._idle_cutoff() or too_old or not held.user.active:
            session.delete(held)
            return None
        if now - held.last_seen >= TOUCH_EVERY:
            held.last_seen = now
        return held

    def sign_out(self, session: Session, token: str | None) -> None:
        held = self.session_for(session, token)
        if held is not None:
            trail.record(
                session, actor_of(held.user), trail.SIGN_OUT, "web_users", str(held.user_id)
            )
            session.delete(held)

    def csrf_for(self, seed: str) -> str:
        return security.csrf_token(self.secret, seed)

    def csrf_ok(self, seed: str | None, given: str | None) -> bool:
        return security.csrf_valid(self.secret, seed, given)


def set_flash(session: Session, session_id: str, message: str) -> None:
    """Keep a one-time message for the session's next page."""
    held = session.get(WebSession, session_id)
    if held is not None:
        held.flash = message


def pop_flash(session: Session, web_session: WebSession) -> str | None:
    message = web_session.flash
    if message is not None:
        web_session.flash = None
    return message


# Demo accounts: one per role. Their passwords are printed by `make demo` and work only
# while CSCMONITOR_ENVIRONMENT is development (sign-in refuses demo accounts otherwise).
DEMO_USERS: tuple[tuple[Role, str, str, str], ...] = (
    (Role.ADMIN, "admin", "Demo Administrator", "demo-setup-2014"),
    (Role.TRUST_ANALYST, "analyst", "Demo Trust Analyst", "demo-figures-2014"),
    (Role.TRUST_MANAGER, "manager", "Demo Trust Manager", "demo-returns-2014"),
    (Role.COUNCIL_OFFICER, "council", "Demo Council Officer", "demo-contract-2014"),
    (Role.VIEWER, "viewer", "Demo Board Member", "demo-board-2014"),
)


def seed_demo_users(engine: Engine) -> list[tuple[str, str, str]]:
    """Create (or keep) one demo account per role; (role, username, password) for each."""
    seeded = []
    with unit(engine) as session:
        for role, username, full_name, password in DEMO_USERS:
            held = find_user(session, username)
            if held is None:
                create_user(
                    session,
                    Actor("cscmonitor demo"),
                    username,
                    full_name,
                    role,
                    password,
                    demo=True,
                )
            elif held.demo:
                held.password_hash = security.hash_password(password)
                held.role, held.active = str(role), True
            else:
                raise AccountError(f"{username} is a real account; not replaced by a demo one")
            seeded.append((str(role), username, password))
    return seeded
