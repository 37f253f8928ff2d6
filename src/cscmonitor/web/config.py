"""The web app's view of the one `cscmonitor.settings.Settings`.

The web reads the same settings as every command (secret key, sessions, sign-in limits,
upload sizes live there too); `WebSettings` is that class under the name the web modules use.
"""

from __future__ import annotations

import datetime as dt

from cscmonitor.records.accounts_signin import SigninPolicy
from cscmonitor.settings import (
    KNOWN_WEAK_SECRETS,
    MIN_SECRET_LENGTH,
    InsecureSettings,
    Settings,
)

WebSettings = Settings

__all__ = [
    "KNOWN_WEAK_SECRETS",
    "MIN_SECRET_LENGTH",
    "InsecureSettings",
    "WebSettings",
    "signin_policy",
]


def signin_policy(settings: Settings) -> SigninPolicy:
    """The sign-in rules the settings give: free failures, growing delays, session lengths."""
    return SigninPolicy(
        failures_allowed=settings.signin_failures_allowed,
        window=dt.timedelta(minutes=settings.signin_window_minutes),
        first_delay=dt.timedelta(seconds=settings.signin_first_delay_seconds),
        longest_delay=dt.timedelta(minutes=settings.signin_longest_delay_minutes),
        session_idle=dt.timedelta(minutes=settings.session_idle_minutes),
        session_max=dt.timedelta(hours=settings.session_max_hours),
        demo_accounts=settings.development,
    )
