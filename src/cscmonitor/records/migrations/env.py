"""Alembic's entry point: migrate the connection `db.upgrade` passes, or the configured database."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from cscmonitor.records.accounts_models import AccountBase
from cscmonitor.records.models import Base


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        # Web accounts and sessions live in the records database too, on a base of their own.
        target_metadata=[Base.metadata, AccountBase.metadata],
        # SQLite cannot ALTER most things: later migrations rebuild tables in batches.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    from cscmonitor.records.db import database_url, make_engine
    from cscmonitor.settings import Settings

    with make_engine(database_url(Settings())).begin() as fresh:
        _migrate(fresh)


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run them on a database")
run()
