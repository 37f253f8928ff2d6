"""The records fixtures (SQLite, and PostgreSQL when configured) for the forecast's records."""

from tests.records.conftest import (  # noqa: F401
    doncaster,
    empty_engine,
    migrated_sqlite,
    records,
)
