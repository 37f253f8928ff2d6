"""Installation settings, from the environment (prefix `CSCMONITOR_`) or a `.env` file.

The one place the environment is read: each command and the web app build one `Settings`
when they start and hand it down (`cscmonitor ingest` reads the same fields without
pydantic-settings: `settings_fields.from_environment`). The fields, their defaults and
checks are `settings_fields.SettingsFields`. Outside development the web app refuses to
start without a strong secret key (`check`).
"""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

from cscmonitor.settings_fields import (
    ENV_FILE,
    ENV_PREFIX,
    KNOWN_WEAK_SECRETS,
    MAKE_A_SECRET,
    MIN_SECRET_BITS,
    MIN_SECRET_LENGTH,
    POSTCODE_LOOKUP,
    InsecureSettings,
    SettingsFields,
    default_key_file,
    estimated_bits,
    secret_problem,
    settings_problem,
)

__all__ = [
    "ENV_PREFIX",
    "KNOWN_WEAK_SECRETS",
    "MAKE_A_SECRET",
    "MIN_SECRET_BITS",
    "MIN_SECRET_LENGTH",
    "POSTCODE_LOOKUP",
    "InsecureSettings",
    "Settings",
    "default_key_file",
    "estimated_bits",
    "secret_problem",
    "settings_problem",
]


class Settings(BaseSettings, SettingsFields):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=ENV_FILE, extra="ignore")
