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

    @property
    def warehouse_dir(self) -> Path:
        return self.data_dir / "warehouse"

    @property
    def key_file(self) -> Path:
        return self.data_dir / "keys" / "pseudonym.key"
