"""Passwords (argon2id), session tokens and CSRF tokens: the app's cryptography in one place.

- Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106 low-memory profile);
  a hash made with older parameters is replaced at the next sign-in.
- A session cookie holds a random 256-bit token; the database holds only HMAC(secret, token),
  so a copy of the session table cannot be replayed.
- A CSRF token is HMAC(secret, "csrf" + the session token), or of a pre-session nonce on the
  sign-in form: it is bound to the browser's session and needs no storage.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

SESSION_COOKIE = "cscm_session"
PRESESSION_COOKIE = "cscm_presession"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
MIN_PASSWORD_LENGTH = 12

_hasher = PasswordHasher()
# Verified against when the username is unknown, so the answer takes as long either way.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches; with no hash, spend the same time and say no."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def password_problem(password: str, username: str) -> str | None:
    """Why a new password is refused, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Password must be at least {MIN_PASSWORD_LENGTH} characters"
    if username and username.lower() in password.lower():
        return "Password must not contain the username"
    return None


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_id(secret: bytes, token: str) -> str:
    """The key a session is stored under: a keyed hash of the cookie's token."""
    return hmac.new(secret, b"session:" + token.encode(), hashlib.sha256).hexdigest()


def csrf_token(secret: bytes, seed: str) -> str:
    return hmac.new(secret, b"csrf:" + seed.encode(), hashlib.sha256).hexdigest()


def csrf_valid(secret: bytes, seed: str | None, given: str | None) -> bool:
    if not seed or not given:
        return False
    return hmac.compare_digest(csrf_token(secret, seed), given)
