"""The web app's settings, from the environment (prefix `CSCMONITOR_`) like the rest.

Kept apart from `cscmonitor.settings.Settings` because only the web app reads them (the CLI
never needs a secret key). Outside development the app refuses to start without a strong
secret key.
"""

from __future__ import annotations

import secrets
from typing import Literal

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

MIN_SECRET_LENGTH = 32
# Keys seen in examples and documentation: never accepted outside development.
KNOWN_WEAK_SECRETS = frozenset({"changethis", "change-me", "secret", "development", "dev"})


class InsecureSettings(RuntimeError):
    """Settings that must not run outside development."""


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CSCMONITOR_", env_file=".env", extra="ignore")

    environment: Literal["development", "production"] = "development"
    # Signs nothing a browser holds: sessions and CSRF tokens are keyed HMACs with it, so a
    # copy of the database's session table cannot be replayed as cookies.
    secret_key: SecretStr | None = None
    # The contract the app shows, by name; unset, the only one held.
    contract: str | None = None
    session_idle_minutes: int = 30
    session_max_hours: int = 12
    # Sign-in: this many failures for one username (or 4× for one address) in the window
    # refuse further attempts until the window has passed.
    signin_failures_allowed: int = 5
    signin_window_minutes: int = 15
    upload_max_mb: int = 200
    form_max_kb: int = 256
    # Cookies only over HTTPS; on by default outside development.
    secure_cookies: bool | None = None

    @property
    def development(self) -> bool:
        return self.environment == "development"

    @property
    def cookies_secure(self) -> bool:
        return (not self.development) if self.secure_cookies is None else self.secure_cookies

    def check(self) -> None:
        """Refuse to run outside development without a strong secret key."""
        if self.development:
            return
        key = self.secret_key.get_secret_value() if self.secret_key else ""
        if not key:
            raise InsecureSettings(
                "CSCMONITOR_SECRET_KEY is not set: outside development the web app needs one "
                '(e.g. python -c "import secrets; print(secrets.token_urlsafe(48))")'
            )
        if key.lower() in KNOWN_WEAK_SECRETS or len(key) < MIN_SECRET_LENGTH:
            raise InsecureSettings(
                f"CSCMONITOR_SECRET_KEY is too weak: use at least {MIN_SECRET_LENGTH} random "
                "characters"
            )

    def secret(self) -> bytes:
        """The key for HMACs; in development without one, a random key for this process."""
        if self.secret_key is not None and self.secret_key.get_secret_value():
            return self.secret_key.get_secret_value().encode()
        self.check()  # outside development this has already refused
        return _process_secret()


_PROCESS_SECRET: list[bytes] = []


def _process_secret() -> bytes:
    # Development only: sessions end when the process does, which is what a developer expects.
    if not _PROCESS_SECRET:
        _PROCESS_SECRET.append(secrets.token_bytes(32))
    return _PROCESS_SECRET[0]
