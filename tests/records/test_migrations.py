"""The schema comes from the Alembic migrations, up and down, and matches the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from cscmonitor.records import db
from cscmonitor.records.accounts_models import AccountBase
from cscmonitor.records.errors import RecordsError
from cscmonitor.records.models import Base
from cscmonitor.settings import Settings

# The records' tables and the web app's accounts and sessions share one database.
METADATA = [Base.metadata, AccountBase.metadata]
TABLES = {t.name for m in METADATA for t in m.sorted_tables}
HEAD = "0007"


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_upgrade_from_empty_to_head_down_to_base_and_up_again(empty_engine):
    assert _tables(empty_engine) == set()
    assert db.schema_revision(empty_engine) is None

    db.upgrade(empty_engine)
    assert _tables(empty_engine) == TABLES
    assert db.schema_revision(empty_engine) == HEAD

    db.downgrade(empty_engine)
    assert _tables(empty_engine) == set()
    assert db.schema_revision(empty_engine) is None

    db.upgrade(empty_engine)
    assert _tables(empty_engine) == TABLES
    assert db.schema_revision(empty_engine) == HEAD


def test_upgrading_twice_changes_nothing(records):
    db.upgrade(records.engine)
    assert db.schema_revision(records.engine) == HEAD
    assert _tables(records.engine) == TABLES


def test_migrations_make_exactly_the_models_schema(records):
    with records.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, METADATA)
    assert differences == []


def test_migration_files_are_numbered_in_order():
    names = sorted(p.name for p in (db.MIGRATIONS / "versions").glob("[0-9]*.py"))
    assert names == [
        "0001_initial.py",
        "0002_web_users.py",
        "0003_audit_chain_approvals.py",
        "0004_change_points.py",
        "0005_forecasting.py",
        "0006_narrative.py",
        "0007_editions.py",
    ]


def test_work_on_a_database_without_the_schema_is_refused(empty_engine):
    with pytest.raises(RecordsError, match="run `cscmonitor records init` first"):
        db.require_schema(empty_engine)


def test_database_url_prefers_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("CSCMONITOR_DATABASE_URL", raising=False)
    assert db.database_url(Settings(data_dir=tmp_path)) == f"sqlite:///{tmp_path}/records.db"
    monkeypatch.setenv("CSCMONITOR_DATABASE_URL", "postgresql+psycopg://u@h/d")
    assert db.database_url(Settings(data_dir=tmp_path)) == "postgresql+psycopg://u@h/d"
