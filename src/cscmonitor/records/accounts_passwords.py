"""Passwords: argon2id hashes and the policy a new password must meet.

- Hashed with argon2id (argon2-cffi's defaults, RFC 9106 low-memory profile); a hash made with
  older parameters is replaced at the next sign-in.
- A new password has at least 12 characters, enough different ones, and is not, once its
  trailing digits and symbols are set aside, a word on the bundled list of common passwords
  (`common_passwords.txt`, shipped with the package: nothing is downloaded).
"""

from __future__ import annotations

import functools
import re
import secrets
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_PASSWORD_LENGTH = 12
# "aaaaaaaaaaaa" and "abababababab" are long enough and guessed first.
MIN_DIFFERENT_CHARACTERS = 5
# A common word with digits or symbols around it is guessed first too ("Password123!").
_DECORATION = re.compile(r"^[\d\W_]+|[\d\W_]+$")

_hasher = PasswordHasher()
# Verified against when the username is unknown, so the answer takes as long either way.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


@functools.cache
def common_passwords() -> frozenset[str]:
    """The bundled list, lower case, without its comment lines."""
    text = resources.files("cscmonitor.records").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


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
    if len(set(password.lower())) < MIN_DIFFERENT_CHARACTERS:
        return f"Password must use at least {MIN_DIFFERENT_CHARACTERS} different characters"
    if username and username.lower() in password.lower():
        return "Password must not contain the username"
    lowered = password.lower()
    common = common_passwords()
    if lowered in common or _DECORATION.sub("", lowered) in common or _repeats(lowered) in common:
        return "Password is too common: choose one that is not on lists of common passwords"
    return None


def _repeats(text: str) -> str:
    """The shortest piece whose repeats make `text` ("monkeymonkey" -> "monkey")."""
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return text[:size]
    return text
