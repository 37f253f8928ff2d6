"""The installation's settings as values: every field with its default and its checks.

`settings.Settings` reads them from the environment (prefix `CSCMONITOR_`) or a `.env`
file through pydantic-settings, which imports asyncio and ssl: a tenth of a second of a
command that must start fast. `from_environment` reads the same variables into the same
fields without it (`cscmonitor ingest`), and hands over to `Settings` when there is a
`.env` file. Outside development the web app refuses to start without a strong secret key
(`check`).
"""

from __future__ import annotations

import math
import os
import secrets
from collections import Counter
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, Field, SecretStr, ValidationError

MIN_SECRET_LENGTH = 32
# A random 32-character hex key (128 bits) measures about 115; "a" * 32 measures 0.
MIN_SECRET_BITS = 100
# Keys seen in examples and documentation: never accepted outside development.
KNOWN_WEAK_SECRETS = frozenset({"changethis", "change-me", "secret", "development", "dev"})
MAKE_A_SECRET = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'
ENV_PREFIX = "CSCMONITOR_"
ENV_FILE = ".env"
# The name of a postcode lookup kept in the data directory (docs/postcodes.md).
POSTCODE_LOOKUP = "postcode_lookup.csv"


class InsecureSettings(RuntimeError):
    """Settings that must not run outside development."""


def default_key_file() -> Path:
    """The user's config folder (`$XDG_CONFIG_HOME`, else ~/.config): never the data directory."""
    config = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(config) / "cscmonitor" / "pseudonym.key"


class SettingsFields(BaseModel):
    """The settings' fields; `settings.Settings` reads them from the environment.

    Every field is a plain value (text, number, flag, path, choice or secret), which
    pydantic-settings passes from the environment as the text it finds there; a field it
    would read otherwise (a list, a mapping, a model: JSON) needs `from_environment` taught
    first (tests/test_settings_fields.py checks)."""

    data_dir: Path = Path("data")
    # The records database; unset, a SQLite file in the data directory (`records_url`).
    database_url: str | None = None
    # Where indicator queries run unless a command says otherwise (`compute --backend`).
    backend: Literal["duckdb", "pyspark"] = "duckdb"
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
    # The installation's postcode lookup (a CSV file: postcode, easting, northing), from which
    # ingest works out each 903 episode's distance from home to placement while the whole
    # postcodes are at hand (docs/postcodes.md). Unset, the data directory's
    # postcode_lookup.csv when there is one (`postcode_lookup_file`), so the command line and
    # the web app's uploads read the same; with neither, distances are taken only from a
    # return's own PL_DISTANCE.
    postcode_lookup: Path | None = None
    # Limits on what ingest reads, so a hostile or broken file fails fast with a message.
    max_file_mb: int = 2048
    max_line_kb: int = 1024
    max_columns: int = 1000
    # Bounded memory: a rule lists at most this many problems per file (the rest are
    # counted); ingest's DuckDB work stays under this many MB, spilling to a scratch folder
    # (`ingest_scratch_dir`, default the system's temporary folder) beyond it.
    max_problems_per_rule: int = Field(default=1000, ge=1)
    ingest_memory_mb: int = Field(default=1024, ge=64)
    ingest_scratch_dir: Path | None = None
    # The layout of a new warehouse's first snapshot (later ones keep the current one's).
    warehouse_layout: Literal["files", "lake"] = "files"

    # Spark (docs/scale.md): a copy of the warehouse in object storage for Spark to read
    # (`s3a://bucket/cscmonitor/warehouse`), shuffle partitions, and small-data tuning.
    lake_uri: str | None = None
    spark_partitions: int | None = None
    spark_small: bool = False
    # `duckdb`: Spark hands each task a group of LAs to compute on DuckDB (indicators/in_tasks.py).
    spark_tasks: Literal["duckdb"] | None = None
    # How the process was started, as Spark and Databricks announce it (no prefix: theirs).
    spark_master: str | None = Field(default=None, validation_alias=AliasChoices("SPARK_MASTER"))
    spark_submit_args: str = Field(default="", validation_alias=AliasChoices("PYSPARK_SUBMIT_ARGS"))
    spark_gateway_port: str | None = Field(
        default=None, validation_alias=AliasChoices("PYSPARK_GATEWAY_PORT")
    )
    databricks_runtime: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABRICKS_RUNTIME_VERSION")
    )

    # The web app. Sessions and CSRF tokens are keyed HMACs with the secret key, so a copy
    # of the database's session table cannot be replayed as cookies.
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
    # Accepting an upload into the warehouse needs a second person; on by default outside
    # development.
    uploads_need_second_person: bool | None = None
    upload_max_mb: int = 200
    form_max_kb: int = 256
    # Cookies only over HTTPS; on by default outside development.
    secure_cookies: bool | None = None
    # `cscmonitor users create` reads the new password here instead of asking (scripts).
    new_password: SecretStr | None = None
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
    def postcode_lookup_file(self) -> Path | None:
        """The postcode lookup ingest reads: `postcode_lookup`, else the data directory's
        `postcode_lookup.csv` when it is there, else none."""
        if self.postcode_lookup is not None:
            return self.postcode_lookup
        held = self.data_dir / POSTCODE_LOOKUP
        return held if held.is_file() else None

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"

    @property
    def legacy_key_file(self) -> Path:
        """Where keys were kept before they moved out of the data directory."""
        return self.data_dir / "keys" / "pseudonym.key"

    @property
    def records_url(self) -> str:
        """The records database: `database_url`, else a SQLite file in the data directory."""
        return self.database_url or f"sqlite:///{self.data_dir / 'records.db'}"

    @property
    def launched_by_spark(self) -> bool:
        """spark-submit and Databricks start the JVM first and hand Python its gateway."""
        return bool(self.spark_gateway_port or self.databricks_runtime)

    @property
    def development(self) -> bool:
        return self.environment == "development"

    @property
    def cookies_secure(self) -> bool:
        return (not self.development) if self.secure_cookies is None else self.secure_cookies

    @property
    def second_person_for_uploads(self) -> bool:
        if self.uploads_need_second_person is None:
            return not self.development
        return self.uploads_need_second_person

    def check(self) -> None:
        """Refuse to run outside development without a strong secret key."""
        if self.development:
            return
        problem = secret_problem(self.secret_key.get_secret_value() if self.secret_key else "")
        if problem:
            raise InsecureSettings(problem)

    def secret(self) -> bytes:
        """The key for HMACs; in development without one, a random key for this process."""
        if self.secret_key is not None and self.secret_key.get_secret_value():
            return self.secret_key.get_secret_value().encode()
        self.check()  # outside development this has already refused
        return _process_secret()


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


def settings_problem(error: ValidationError) -> str:
    """A settings error in the environment's words: `CSCMONITOR_X='value': what is expected`."""
    return "; ".join(
        f"{_variable(detail['loc'])}={detail.get('input')!r}: {detail['msg']}"
        for detail in error.errors()
    )


def _variable(loc: tuple[int | str, ...]) -> str:
    field = SettingsFields.model_fields.get(str(loc[0])) if loc else None
    if field is not None and isinstance(field.validation_alias, AliasChoices):
        return str(field.validation_alias.choices[0])
    return f"{ENV_PREFIX}{str(loc[0]).upper()}" if loc else ENV_PREFIX.rstrip("_")


_PROCESS_SECRET: list[bytes] = []


def _process_secret() -> bytes:
    # Development only: sessions end when the process does, which is what a developer expects.
    if not _PROCESS_SECRET:
        _PROCESS_SECRET.append(secrets.token_bytes(32))
    return _PROCESS_SECRET[0]


def from_environment(**given: Any) -> SettingsFields:
    """The settings as `settings.Settings(**given)` reads them, without pydantic-settings.

    Each field from its variable (`CSCMONITOR_` and its name, or its alias), the names in
    any case (of two that differ only in case, the later in the environment), the values
    given here first; a value that does not fit its field raises the same ValidationError.
    With a `.env` file in the working folder, `Settings` reads it (pydantic-settings' own
    parsing of the file)."""
    if os.path.lexists(ENV_FILE):
        from cscmonitor.settings import Settings

        return Settings(**given)
    environment = {name.lower(): value for name, value in os.environ.items()}
    values: dict[str, Any] = {}
    for name, field in SettingsFields.model_fields.items():
        alias = field.validation_alias
        key = str(alias.choices[0]) if isinstance(alias, AliasChoices) else name
        variable = key if isinstance(alias, AliasChoices) else f"{ENV_PREFIX}{name}"
        if variable.lower() in environment:
            values[key] = environment[variable.lower()]
    return SettingsFields(**{**values, **given})
