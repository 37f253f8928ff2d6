"""Installation settings, from the environment (prefix `CSCMONITOR_`) or a `.env` file."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CSCMONITOR_", env_file=".env", extra="ignore")

    data_dir: Path = Path("data")
    backend: Literal["duckdb"] = "duckdb"
    environment: Literal["development", "production"] = "development"
    # The key for pseudonymising child and worker ids. Unset, a random key is made once
    # and kept in the data directory beside (never inside) the warehouse.
    pseudonym_key: SecretStr | None = None
    # What reaches the warehouse: dates of birth whole ("day") or as the first of their
    # month ("month"); postcodes as their district ("district") or not at all ("none").
    birth_date_precision: Literal["day", "month"] = "day"
    postcode_precision: Literal["district", "none"] = "district"
    # Limits on what ingest reads, so a hostile or broken file fails fast with a message.
    max_file_mb: int = 2048
    max_line_kb: int = 1024
    max_columns: int = 1000

    @property
    def warehouse_dir(self) -> Path:
        return self.data_dir / "warehouse"

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"

    @property
    def key_file(self) -> Path:
        return self.data_dir / "keys" / "pseudonym.key"
