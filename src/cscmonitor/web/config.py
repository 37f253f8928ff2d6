"""The web app's settings, from the environment (prefix `CSCMONITOR_`) like the rest.

Kept apart from `cscmonitor.settings.Settings` because only the web app reads them (the CLI
never needs a secret key). Outside development the app refuses to start without a strong
secret key (`security.secret_problem`).
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Literal

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from cscmonitor.records.accounts_signin import SigninPolicy
from cscmonitor.web import security


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
    # Sign-in: this many failures for one account from one source are free; after that each
    # attempt from that source waits the first delay, doubled for every further failure, up
    # to the longest. A failure counts for the window.
    signin_failures_allowed: int = 5
    signin_window_minutes: int = 24 * 60
    signin_first_delay_seconds: int = 30
    signin_longest_delay_minutes: int = 15
    upload_max_mb: int = 200
    form_max_kb: int = 256
    # Cookies only over HTTPS; on by default outside development.
    secure_cookies: bool | None = None
    # Accepting an upload into the warehouse needs a second person; on by default outside
    # development.
    uploads_need_second_person: bool | None = None

    @property
    def development(self) -> bool:
        return self.environment == "development"

    @property
    def cookies_secure(self) -> bool:
        return (not self.development) if self.secure_cookies is None else self.secure_cookies

    @property
    def second_person_for_uploads(self) -> bool:
        return security.second_person_for_uploads(self.development, self.uploads_need_second_person)

    def check(self) -> None:
        """Refuse to run outside development without a strong secret key."""
        if self.development:
            return
        problem = security.secret_problem(
            self.secret_key.get_secret_value() if self.secret_key else ""
        )
        if problem:
            raise InsecureSettings(problem)

    def secret(self) -> bytes:
        """The key for HMACs; in development without one, a random key for this process."""
        if self.secret_key is not None and self.secret_key.get_secret_value():
            return self.secret_key.get_secret_value().encode()
        self.check()  # outside development this has already refused
        return _process_secret()

    def signin_policy(self) -> SigninPolicy:
        return SigninPolicy(
            failures_allowed=self.signin_failures_allowed,
            window=dt.timedelta(minutes=self.signin_window_minutes),
            first_delay=dt.timedelta(seconds=self.signin_first_delay_seconds),
            longest_delay=dt.timedelta(minutes=self.signin_longest_delay_minutes),
            session_idle=dt.timedelta(minutes=self.session_idle_minutes),
            session_max=dt.timedelta(hours=self.session_max_hours),
            demo_accounts=self.development,
        )


_PROCESS_SECRET: list[bytes] = []


def _process_secret() -> bytes:
    # Development only: sessions end when the process does, which is what a developer expects.
    if not _PROCESS_SECRET:
        _PROCESS_SECRET.append(secrets.token_bytes(32))
    return _PROCESS_SECRET[0]
