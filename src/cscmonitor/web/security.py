"""The web app's tokens: CSRF tokens and cookies. The secret key's strength and whether
accepting an upload needs a second person are settings (`cscmonitor.settings`); passwords and
sessions are the records' (`records.accounts_passwords`, `accounts_signin`).

- A CSRF token is HMAC(secret, "csrf" + the session token), or of a pre-session nonce on the
  sign-in form: it is bound to the browser's session and needs no storage.
- Outside development the secret key must be long and random-looking: at least 32 characters
  measuring at least 100 bits by their character frequencies, so `"a" * 32` or a phrase from
  an example file is refused.
"""

from __future__ import annotations

import hashlib
import hmac

SESSION_COOKIE = "cscm_session"
PRESESSION_COOKIE = "cscm_presession"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def csrf_token(secret: bytes, seed: str) -> str:
    return hmac.new(secret, b"csrf:" + seed.encode(), hashlib.sha256).hexdigest()


def csrf_valid(secret: bytes, seed: str | None, given: str | None) -> bool:
    if not seed or not given:
        return False
    return hmac.compare_digest(csrf_token(secret, seed), given)
