"""Tests of the governance records, on SQLite and PostgreSQL."""
