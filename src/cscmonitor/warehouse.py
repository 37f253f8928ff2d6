"""The warehouse: immutable Parquet snapshots of typed tables, and the Ibis connection over them.

Each ingest writes a new snapshot folder (one Parquet file per table and a manifest)
and then moves the `CURRENT` pointer with an atomic rename, so a crash mid-ingest
leaves the previous snapshot as it was.

Merging returns: a resubmitted return (same LA, kind and year) replaces the one held.
A newer return is authoritative for everything open during its collection period,
so a row from an older return is superseded when its span overlaps a newer
return's period (the newer return carries the same referral, episode or worker
with later information, or has corrected it away). Rows below a referral
(assessments, plans, reviews) follow their referral; a person's details come from
the newest return that lists them.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import assert_never

import duckdb
import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.parquet as pq

from cscmonitor.returns import catalog
from cscmonitor.returns.issues import ReturnError
from cscmonitor.returns.parsed import Parsed
from cscmonitor.returns.schema import Follows, Newest, Span, TableSpec

RETURNS_SCHEMA = pa.schema(
    [
        ("la_code", pa.string()),
        ("kind", pa.string()),
        ("year", pa.int32()),
        ("period_start", pa.date32()),
        ("period_end", pa.date32()),
    ]
)
# Every table and its schema: the returns' tables, and the list of returns held.
SCHEMAS: dict[str, pa.Schema] = {
    **{name: spec.schema for name, spec in catalog.TABLES.items()},
    "returns": RETURNS_SCHEMA,
}


@dataclass(frozen=True)
class Snapshot:
    id: str
    path: Path
    manifest: dict

    def table_path(self, name: str) -> Path:
        return self.path / f"{name}.parquet"


@dataclass(frozen=True)
class IngestResult:
    snapshot: Snapshot
    changed: bool  # False when every return was already held, unchanged


class Warehouse:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.snapshots_dir = root / "snapshots"
        self.pointer = root / "CURRENT"

    def current(self) -> Snapshot | None:
        if not self.pointer.exists():
            return None
        return self.snapshot(self.pointer.read_text().strip())

    def snapshot(self, snapshot_id: str) -> Snapshot:
        path = self.snapshots_dir / snapshot_id
        manifest_path = path / "manifest.json"
        if not manifest_path.exists():
            raise FileNotFoundError(f"snapshot {snapshot_id} not found in {self.snapshots_dir}")
        return Snapshot(snapshot_id, path, json.loads(manifest_path.read_text()))

    def require_current(self) -> Snapshot:
        snapshot = self.current()
        if snapshot is None:
            raise FileNotFoundError(f"no warehouse at {self.root}: run `cscmonitor ingest` first")
        return snapshot

    def read(self, name: str, snapshot: Snapshot | None = None) -> pa.Table:
        snapshot = snapshot or self.require_current()
        return pq.read_table(snapshot.table_path(name))

    def ingest(self, parsed: list[Parsed]) -> IngestResult:
        """Merge parsed returns into a new snapshot (or none, if nothing changed)."""
        _refuse_duplicates(parsed)
        current = self.current()
        held = {
            _return_key(r): r["files"] for r in (current.manifest["returns"] if current else [])
        }
        incoming = {_return_key(_describe(p)): sorted(p.files.values()) for p in parsed}
        if current is not None and all(held.get(k) == v for k, v in incoming.items()):
            return IngestResult(current, changed=False)
        tables = _merge(
            {name: self.read(name, current) for name in SCHEMAS} if current else {}, parsed
        )
        kept = {k: v for k, v in held.items() if k not in incoming} | incoming
        returns = [
            {"la_code": k[0], "kind": k[1], "year": k[2], "files": files}
            for k, files in sorted(kept.items())
        ]
        return IngestResult(self._write(tables, returns), changed=True)

    def _write(self, tables: dict[str, pa.Table], returns: list[dict]) -> Snapshot:
        self.snapshots_dir.mkdir(parents=True, exist_ok=True)
        existing = sorted(p.name for p in self.snapshots_dir.iterdir() if p.name.isdigit())
        snapshot_id = f"{int(existing[-1]) + 1 if existing else 1:04d}"
        staging = self.snapshots_dir / f".staging-{snapshot_id}-{os.getpid()}"
        if staging.exists():
            shutil.rmtree(staging)
        staging.mkdir()
        for name, table in tables.items():
            pq.write_table(table, staging / f"{name}.parquet")
        manifest = {
            "snapshot": snapshot_id,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "returns": returns,
            "row_counts": {name: table.num_rows for name, table in tables.items()},
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))
        final = self.snapshots_dir / snapshot_id
        staging.rename(final)
        _atomic_write(self.pointer, snapshot_id)
        return Snapshot(snapshot_id, final, manifest)

    def tables(self, snapshot: Snapshot | None = None) -> WarehouseTables:
        return WarehouseTables(snapshot or self.require_current())


class WarehouseTables:
    """The Ibis view of one snapshot (DuckDB, in memory, reading the Parquet files)."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.con = ibis.duckdb.connect()
        self._tables: dict[str, ir.Table] = {}

    def table(self, name: str) -> ir.Table:
        if name not in SCHEMAS:
            raise KeyError(f"no warehouse table {name!r}")
        if name not in self._tables:
            self._tables[name] = self.con.read_parquet(
                self.snapshot.table_path(name), table_name=name
            )
        return self._tables[name]


def _return_key(r: dict) -> tuple[str, str, int]:
    return (r["la_code"], r["kind"], int(r["year"]))


def _describe(p: Parsed) -> dict:
    return {"la_code": p.info.la_code, "kind": p.info.kind, "year": p.info.year}


def _refuse_duplicates(parsed: list[Parsed]) -> None:
    seen: dict[tuple[str, str, int], Parsed] = {}
    for p in parsed:
        key = _return_key(_describe(p))
        if key in seen:
            raise ReturnError(
                f"two {key[1]} returns for LA {key[0]} year {key[2]} in one ingest: "
                f"{', '.join(seen[key].files)} and {', '.join(p.files)}"
            )
        seen[key] = p


def _merge(held: dict[str, pa.Table], parsed: list[Parsed]) -> dict[str, pa.Table]:
    """Held rows, less any return being resubmitted, plus the new returns; then supersede."""
    con = duckdb.connect()
    new_returns = pa.Table.from_pylist(
        [
            {
                "la_code": p.info.la_code,
                "kind": p.info.kind,
                "year": p.info.year,
                "period_start": p.info.period_start,
                "period_end": p.info.period_end,
            }
            for p in parsed
        ],
        schema=RETURNS_SCHEMA,
    )
    con.register("replaced", new_returns)
    combined: dict[str, pa.Table] = {}
    for name, schema in SCHEMAS.items():
        old = held.get(name, schema.empty_table())
        con.register("old", old)
        if name == "returns":
            same = "r.kind = old.kind AND r.year = old.year"
            new = [new_returns]
        else:
            same = f"r.kind = '{catalog.TABLES[name].kind}' AND r.year = old.return_year"
            new = [p.tables[name] for p in parsed if name in p.tables]
        kept = con.sql(
            "SELECT * FROM old WHERE NOT EXISTS (SELECT 1 FROM replaced r "
            f"WHERE r.la_code = old.la_code AND {same})"
        ).to_arrow_table()
        combined[name] = pa.concat_tables([kept.cast(schema), *(t.cast(schema) for t in new)])
    return _supersede(con, combined)


def _supersede(con: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table]) -> dict[str, pa.Table]:
    """Apply each table's merge rule; parents before the rows that follow them."""
    con.register("returns", tables["returns"])
    out = {"returns": tables["returns"]}
    pending = dict(catalog.TABLES)
    while pending:
        ready = [
            s for s in pending.values() if not isinstance(s.merge, Follows) or s.merge.parent in out
        ]
        for spec in ready:
            con.register(spec.name, tables[spec.name])
            out[spec.name] = con.sql(_kept(spec)).to_arrow_table()
            con.register(spec.name, out[spec.name])
            del pending[spec.name]
    return {name: _sorted(con, name, table) for name, table in out.items()}


def _kept(spec: TableSpec) -> str:
    """The query keeping the rows of a table that its merge rule keeps."""
    merge = spec.merge
    match merge:
        case Span(start, end):
            return (
                f"SELECT t.* FROM {spec.name} t WHERE NOT EXISTS (SELECT 1 FROM returns r "
                f"WHERE r.la_code = t.la_code AND r.kind = '{spec.kind}' "
                f"AND r.year > t.return_year AND t.{start} <= r.period_end "
                f"AND (t.{end} IS NULL OR t.{end} >= r.period_start))"
            )
        case Newest(key):
            return (
                f"SELECT * EXCLUDE (newest) FROM (SELECT *, row_number() OVER (PARTITION BY "
                f"la_code, {key} ORDER BY return_year DESC) AS newest FROM {spec.name}) "
                "WHERE newest = 1"
            )
        case Follows(parent, keys):
            using = ", ".join(("la_code", *keys, "return_year"))
            return f"SELECT t.* FROM {spec.name} t SEMI JOIN {parent} USING ({using})"
        case _:
            assert_never(merge)


def _sorted(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> pa.Table:
    """A deterministic row order, so the same returns always give the same files."""
    con.register("unsorted", table)
    return con.sql("SELECT * FROM unsorted ORDER BY ALL").to_arrow_table().cast(SCHEMAS[name])


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)
