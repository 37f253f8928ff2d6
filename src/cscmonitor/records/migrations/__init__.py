"""Alembic migrations of the records schema, run from code by `cscmonitor.records.db`."""
