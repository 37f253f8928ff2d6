"""The web app's view of the one `cscmonitor.settings.Settings`.

The web reads the same settings as every command (secret key, sessions, sign-in limits,
upload sizes live there too); `WebSettings` is that class under the name the web modules use.
"""

from __future__ import annotations

from cscmonitor.settings import (
    KNOWN_WEAK_SECRETS,
    MIN_SECRET_LENGTH,
    InsecureSettings,
    Settings,
)

WebSettings = Settings

__all__ = ["KNOWN_WEAK_SECRETS", "MIN_SECRET_LENGTH", "InsecureSettings", "WebSettings"]
