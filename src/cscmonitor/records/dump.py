"""The records database as portable files, table by table, and back (for backup and restore).

Rows are written as JSON lines through SQLAlchemy, so a dump made on SQLite restores into
PostgreSQL and the other way round. A dump records the schema's migration; loading migrates
an empty database to that revision, inserts the rows in foreign-key order (parents first)
and then migrates to the newest revision, so an older backup restores into a newer release.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Date,
    DateTime,
    Engine,
    LargeBinary,
    MetaData,
    Numeric,
    Table,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.types import Float

from cscmonitor.records import db
from cscmonitor.records.errors import RecordsError

VERSION_TABLE = "alembic_version"
BATCH = 1000


def _tables(engine: Engine) -> list[Table]:
    metadata = MetaData()
    metadata.reflect(engine)
    return [t for t in metadata.sorted_tables if t.name != VERSION_TABLE]


def dump(engine: Engine, folder: Path) -> tuple[str | None, dict[str, int]]:
    """Every table's rows into `folder/<table>.jsonl`; the schema's revision and the row counts."""
    folder.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    with engine.connect() as connection:
        for table in _tables(engine):
            order = list(table.primary_key.columns) or list(table.columns)
            rows = connection.execution_options(yield_per=BATCH).execute(
                select(table).order_by(*order)
            )
            n = 0
            with (folder / f"{table.name}.jsonl").open("w", encoding="utf-8") as out:
                for row in rows.mappings():
                    out.write(json.dumps({k: _encode(v) for k, v in row.items()}) + "\n")
                    n += 1
            counts[table.name] = n
    return db.schema_revision(engine), counts


def held_rows(engine: Engine) -> int:
    """How many rows the database holds, all tables together (0 for a new database)."""
    with engine.connect() as connection:
        return sum(
            connection.execute(select(func.count()).select_from(t)).scalar_one()
            for t in _tables(engine)
        )


def load(engine: Engine, folder: Path, revision: str | None) -> dict[str, int]:
    """An empty database migrated to `revision`, filled from a dump, then migrated to head."""
    if held_rows(engine):
        raise RecordsError(
            f"the records database at {engine.url.render_as_string(hide_password=True)} "
            "already holds records: restore into an empty database"
        )
    if revision is not None:
        db.upgrade(engine, revision)
    counts: dict[str, int] = {}
    with engine.begin() as connection:
        for table in _tables(engine):
            path = folder / f"{table.name}.jsonl"
            if not path.exists():
                continue  # a table newer than the dump: its migration filled whatever it needs
            # The database was empty: any row here was seeded by a migration (the audit
            # chain's head), and the dump's rows replace it.
            if connection.execute(select(func.count()).select_from(table)).scalar_one():
                connection.execute(table.delete())
            decoders = {c.name: _decoder(c.type) for c in table.columns}
            batch: list[dict[str, Any]] = []
            n = 0
            with path.open(encoding="utf-8") as rows:
                for line in rows:
                    row = json.loads(line)
                    batch.append({k: decoders[k](v) for k, v in row.items() if k in decoders})
                    if len(batch) == BATCH:
                        connection.execute(insert(table), batch)
                        n, batch = n + len(batch), []
            if batch:
                connection.execute(insert(table), batch)
                n += len(batch)
            counts[table.name] = n
            if engine.dialect.name == "postgresql":
                _advance_sequences(connection, table)
    db.upgrade(engine)
    return counts


def _advance_sequences(connection: Any, table: Table) -> None:
    """Rows came with their ids: a serial column's sequence must start after the largest."""
    for column in table.primary_key.columns:
        sequence = connection.execute(
            text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name}
        ).scalar()
        if sequence:
            connection.execute(
                text(
                    f'SELECT setval(:s, coalesce((SELECT max("{column.name}") '
                    f'FROM "{table.name}"), 0) + 1, false)'
                ),
                {"s": sequence},
            )


def _encode(value: object) -> object:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _decoder(kind: object) -> Any:
    """How a JSON value goes back into a column of this type."""

    def optional(convert: Any) -> Any:
        return lambda v: None if v is None else convert(v)

    if isinstance(kind, DateTime):
        return optional(dt.datetime.fromisoformat)
    if isinstance(kind, Date):
        return optional(dt.date.fromisoformat)
    if isinstance(kind, Numeric) and not isinstance(kind, Float):
        return optional(Decimal)
    if isinstance(kind, LargeBinary):
        return optional(base64.b64decode)
    return lambda v: v
