"""Sign-in, sessions and flash messages for web accounts.

Failed sign-ins slow down the one who fails, not the account's owner: failures are counted
per account AND source (the address the attempt came from). The first few are free; after
that each attempt from that source for that account waits a delay that doubles with every
further failure, up to a ceiling. So five wrong passwords typed elsewhere, or twenty guesses
at made-up names, never lock anyone out of their own account; a guesser gets a handful of
tries a day. A success clears its own source's count only.

A session cookie holds a random 256-bit token; the database holds only HMAC(secret, token),
so a copy of the session table cannot be replayed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, joinedload

from cscmonitor.records import audit
from cscmonitor.records.accounts import actor_of, find_user
from cscmonitor.records.accounts_models import SigninFailure, WebSession
from cscmonitor.records.accounts_passwords import hash_password, needs_rehash, verify_password
from cscmonitor.records.audit import Actor
from cscmonitor.records.models import utcnow

Clock = Callable[[], dt.datetime]
# A session's last-seen time is written at most this often, so reading pages costs no writes.
TOUCH_EVERY = dt.timedelta(seconds=60)
# Doubling stops here: 2**20 times any first delay is past any ceiling.
_MAX_DOUBLINGS = 20


@dataclass(frozen=True)
class SigninPolicy:
    """How sign-in and sessions behave; the web app builds it from its settings."""

    failures_allowed: int = 5  # free failures per account and source
    window: dt.timedelta = dt.timedelta(hours=24)  # how long a failure counts
    first_delay: dt.timedelta = dt.timedelta(seconds=30)
    longest_delay: dt.timedelta = dt.timedelta(minutes=15)
    session_idle: dt.timedelta = dt.timedelta(minutes=30)
    session_max: dt.timedelta = dt.timedelta(hours=12)
    demo_accounts: bool = False  # demo accounts sign in (development only)

    def delay(self, failures: int) -> dt.timedelta:
        """The wait after the last of `failures` failures (none while they are free)."""
        if failures < self.failures_allowed:
            return dt.timedelta()
        doublings = min(failures - self.failures_allowed, _MAX_DOUBLINGS)
        return min(self.longest_delay, self.first_delay * 2**doublings)


class Refusal(StrEnum):
    """A sign-in that failed: people see one message for every reason."""

    WRONG = "wrong"


@dataclass(frozen=True)
class Throttled:
    """Too many recent failures for this account from this source: try again after `wait`."""

    wait: dt.timedelta


@dataclass(frozen=True)
class SignedIn:
    user_id: int
    token: str


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_id(secret: bytes, token: str) -> str:
    """The key a session is stored under: a keyed hash of the cookie's token."""
    return hmac.new(secret, b"session:" + token.encode(), hashlib.sha256).hexdigest()


class Signin:
    """Sign-in and sessions, with the policy, the HMAC secret and the clock they depend on."""

    def __init__(self, policy: SigninPolicy, secret: bytes, clock: Clock = utcnow) -> None:
        self.policy = policy
        self.secret = secret
        self.clock = clock

    def wait(self, session: Session, username: str, address: str) -> dt.timedelta | None:
        """How long this source must still wait before trying this account again, or None."""
        failures, last = session.execute(
            select(func.count(SigninFailure.id), func.max(SigninFailure.at)).where(
                SigninFailure.username == username,
                SigninFailure.address == address,
                SigninFailure.at >= self.clock() - self.policy.window,
            )
        ).one()
        if not failures or last is None:
            return None
        remaining = last + self.policy.delay(int(failures)) - self.clock()
        return remaining if remaining > dt.timedelta() else None

    def sign_in(
        self, session: Session, username: str, password: str, address: str
    ) -> SignedIn | Refusal | Throttled:
        """A new session for the right username and password, unless this source must wait."""
        name = username.strip().lower()[:80]
        address = address[:64]
        who = Actor(name or "(blank)")
        wait = self.wait(session, name, address)
        if wait is not None:
            detail = {"reason": "too many failures", "address": address, "wait": str(wait)}
            audit.note(session, who, audit.REFUSED, "web_users", name or "-", detail)
            return Throttled(wait)
        user = find_user(session, name) if name else None
        ok = verify_password(user.password_hash if user else None, password)
        usable = user is not None and user.active and (self.policy.demo_accounts or not user.demo)
        if not ok or not usable or user is None:
            session.add(SigninFailure(username=name, address=address, at=self.clock()))
            detail = {"reason": "wrong username or password, or account not usable"}
            audit.note(
                session, who, audit.REFUSED, "web_users", name or "-", detail | {"address": address}
            )
            return Refusal.WRONG
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        session.execute(
            delete(SigninFailure).where(
                SigninFailure.username == name, SigninFailure.address == address
            )
        )
        # Expired sessions of anyone go now: cheap, and keeps the table small.
        session.execute(delete(WebSession).where(WebSession.last_seen < self._idle_cutoff()))
        token = new_token()
        now = self.clock()
        session.add(
            WebSession(
                id=token_id(self.secret, token), user_id=user.id, created_at=now, last_seen=now
            )
        )
        user.last_signin_at = now
        session.flush()
        audit.note(
            session, actor_of(user), audit.SIGN_IN, "web_users", str(user.id), {"address": address}
        )
        return SignedIn(user.id, token)

    def _idle_cutoff(self) -> dt.datetime:
        return self.clock() - self.policy.session_idle

    def session_for(self, session: Session, token: str | None) -> WebSession | None:
        """The live session the cookie's token names; an expired one is ended."""
        if not token:
            return None
        # The account with it, in the same query: every page asks for both.
        held = session.get(
            WebSession, token_id(self.secret, token), options=[joinedload(WebSession.user)]
        )
        if held is None:
            return None
        now = self.clock()
        too_old = held.created_at < now - self.policy.session_max
        if held.last_seen < self._idle_cutoff() or too_old or not held.user.active:
            session.delete(held)
            return None
        if now - held.last_seen >= TOUCH_EVERY:
            held.last_seen = now
        return held

    def sign_out(self, session: Session, token: str | None) -> None:
        held = self.session_for(session, token)
        if held is not None:
            audit.note(session, actor_of(held.user), audit.SIGN_OUT, "web_users", str(held.user_id))
            session.delete(held)


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
