"""Installation settings, from the environment (prefix `CSCMONITOR_`) or a `.env` file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_key_file() -> Path:
    """The user's config folder (`$XDG_CONFIG_HOME`, else ~/.config): never the data directory."""
    config = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(config) / "cscmonitor" / "pseudonym.key"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CSCMONITOR_", env_file=".env", extra="ignore")

    data_dir: Path = Path("data")
    backend: Literal["duckdb"] = "duckdb"
    environment: Literal["development", "production"] = "development"
    # The key for pseudonymising child and worker ids. Unset, it is read from `key_file`
    # (made there once, at random), which lives apart from the data directory so that a
    # copy of the data is not a copy of the key (docs/security.md).
    pseudonym_key: SecretStr | None = None
    key_file: Path = Field(default_factory=default_key_file)
    # What reaches the warehouse: dates of birth whole ("day") or as the first of their
    # month ("month"); postcodes as their district ("district") or not at all ("none").
    birth_date_precision: Literal["day", "month"] = "day"
    postcode_precision: Literal["district", "none"] = "district"
    # Limits on what ingest reads, so a hostile or broken file fails fast with a message.
    max_file_mb: int = 2048
    max_line_kb: int = 1024
    max_columns: int = 1000
    # Web uploads: checked in worker processes (this many at once, each limited to this
    # much address space); at most `upload_queue_max` wait. Raw files live only in
    # `upload_scratch_dir` (outside the data directory; default the system's temporary
    # folder) while they are checked; upload reports are kept this many days.
    upload_workers: int = Field(default=1, ge=1, le=16)
    upload_worker_memory_mb: int = Field(default=4096, ge=256)
    upload_queue_max: int = Field(default=20, ge=1)
    upload_scratch_dir: Path | None = None
    upload_retention_days: int = Field(default=90, ge=1)

    @property
    def warehouse_dir(self) -> Path:
        return self.data_dir / "warehouse"

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"

    @property
    def legacy_key_file(self) -> Path:
        """Where keys were kept before they moved out of the data directory."""
        return self.data_dir / "keys" / "pseudonym.key"
