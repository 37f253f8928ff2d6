"""The web app's security policy and tokens: the secret key's strength, CSRF tokens, cookies,
and whether accepting an upload needs a second person. Settings and the app call these;
passwords and sessions are the records' (`records.accounts_passwords`, `accounts_signin`).

- A CSRF token is HMAC(secret, "csrf" + the session token), or of a pre-session nonce on the
  sign-in form: it is bound to the browser's session and needs no storage.
- Outside development the secret key must be long and random-looking: at least 32 characters
  measuring at least 100 bits by their character frequencies, so `"a" * 32` or a phrase from
  an example file is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections import Counter

SESSION_COOKIE = "cscm_session"
PRESESSION_COOKIE = "cscm_presession"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
MIN_SECRET_LENGTH = 32
# A random 32-character hex key (128 bits) measures about 115; "a" * 32 measures 0.
MIN_SECRET_BITS = 100
# Keys seen in examples and documentation: never accepted outside development.
KNOWN_WEAK_SECRETS = frozenset({"changethis", "change-me", "secret", "development", "dev"})
MAKE_A_SECRET = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'


def estimated_bits(text: str) -> float:
    """Shannon entropy of the text's character frequencies times its length: an upper bound
    on a random key's strength and a low figure for a repeated or patterned one."""
    counts = Counter(text)
    return -sum(n * math.log2(n / len(text)) for n in counts.values())


def secret_problem(key: str) -> str | None:
    """Why a secret key is not fit for production, or None."""
    if not key:
        return (
            "CSCMONITOR_SECRET_KEY is not set: outside development the web app needs one "
            f"({MAKE_A_SECRET})"
        )
    if key.lower() in KNOWN_WEAK_SECRETS or len(key) < MIN_SECRET_LENGTH:
        return (
            f"CSCMONITOR_SECRET_KEY is too weak: use at least {MIN_SECRET_LENGTH} random "
            f"characters ({MAKE_A_SECRET})"
        )
    if estimated_bits(key) < MIN_SECRET_BITS:
        return (
            f"CSCMONITOR_SECRET_KEY is too weak: it repeats itself (about "
            f"{estimated_bits(key):.0f} bits; at least {MIN_SECRET_BITS} needed): use a random "
            f"one ({MAKE_A_SECRET})"
        )
    return None


def second_person_for_uploads(development: bool, setting: bool | None) -> bool:
    """Whether accepting an upload needs a second person: the setting, else on outside
    development."""
    return (not development) if setting is None else setting


def csrf_token(secret: bytes, seed: str) -> str:
    return hmac.new(secret, b"csrf:" + seed.encode(), hashlib.sha256).hexdigest()


def csrf_valid(secret: bytes, seed: str | None, given: str | None) -> bool:
    if not seed or not given:
        return False
    return hmac.compare_digest(csrf_token(secret, seed), given)
