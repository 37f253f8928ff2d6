"""The warehouse: immutable Parquet snapshots of typed tables, and the Ibis connection over them.

Each ingest writes a new snapshot folder (one Parquet file per table and a manifest)
in a staging folder, makes it durable (fsync), renames it into place and then moves the
`CURRENT` pointer with an atomic rename, so a crash or a kill at any moment leaves the
previous snapshot current and whole. One ingest or rollback at a time holds the lock;
a staging folder left by a killed ingest is removed by the next one.

Merging returns: a resubmitted return (same LA, kind and year) replaces the one held.
A newer return is authoritative for everything open during its collection period,
so a row from an older return is superseded when its span overlaps a newer
return's period (the newer return carries the same referral, episode or worker
with later information, or has corrected it away). Rows below a referral
(assessments, plans, reviews) follow their referral; a person's details come from
the newest return that lists them; per-year records (OC2, OC3) are kept as returned.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, assert_never

import duckdb
import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.parquet as pq

from cscmonitor.returns import catalog
from cscmonitor.returns.issues import ReturnError
from cscmonitor.returns.parsed import Parsed
from cscmonitor.returns.schema import Follows, Keep, Newest, Span, TableSpec

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: one ingest at a time is the user's care
    fcntl = None  # type: ignore[assignment]

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
    manifest: dict[str, Any]

    def table_path(self, name: str) -> Path:
        return self.path / f"{name}.parquet"

    @property
    def created_at(self) -> str:
        return str(self.manifest.get("created_at", ""))


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
        if not snapshot_id.isdigit() or not manifest_path.exists():
            raise FileNotFoundError(f"snapshot {snapshot_id} not found in {self.snapshots_dir}")
        return Snapshot(snapshot_id, path, json.loads(manifest_path.read_text()))

    def snapshots(self) -> list[Snapshot]:
        """Every complete snapshot, oldest first."""
        if not self.snapshots_dir.exists():
            return []
        ids = sorted((p.name for p in self.snapshots_dir.iterdir() if p.name.isdigit()), key=int)
        return [
            self.snapshot(i) for i in ids if (self.snapshots_dir / i / "manifest.json").exists()
        ]

    def require_current(self) -> Snapshot:
        snapshot = self.current()
        if snapshot is None:
            raise FileNotFoundError(f"no warehouse at {self.root}: run `cscmonitor ingest` first")
        return snapshot

    def read(self, name: str, snapshot: Snapshot | None = None) -> pa.Table:
        """A table of a snapshot (the current one by default) in today's schema."""
        snapshot = snapshot or self.require_current()
        path = snapshot.table_path(name)
        if not path.exists():
            # A snapshot written before the table existed holds none of its rows.
            return SCHEMAS[name].empty_table()
        return _align(pq.read_table(path), SCHEMAS[name])

    def ingest(
        self,
        parsed: list[Parsed],
        *,
        privacy: dict[str, str] | None = None,
        validation: dict[str, Any] | None = None,
    ) -> IngestResult:
        """Merge parsed returns into a new snapshot (or none, if nothing changed)."""
        _refuse_duplicates(parsed)
        with self._lock():
            current = self.current()
            privacy = privacy or {}
            if current is not None:
                _refuse_other_privacy(current, privacy)
            held = {
                _return_key(r): r["files"] for r in (current.manifest["returns"] if current else [])
            }
            incoming = {_return_key(_describe(p)): sorted(p.files.values()) for p in parsed}
            if current is not None and all(held.get(k) == v for k, v in incoming.items()):
                return IngestResult(current, changed=False)
            tables = _merge(
                {name: self.read(name, current) for name in SCHEMAS} if current else {}, parsed
            )
            described = {_return_key(_describe(p)): _describe_return(p) for p in parsed}
            kept = [
                r
                for r in (current.manifest["returns"] if current else [])
                if _return_key(r) not in described
            ]
            returns = sorted([*kept, *described.values()], key=_return_key)
            snapshot = self._write(tables, returns, privacy, validation or {})
            return IngestResult(snapshot, changed=True)

    def rollback(self, snapshot_id: str) -> Snapshot:
        """Make an earlier (or later) complete snapshot current again; nothing is deleted."""
        with self._lock():
            snapshot = self.snapshot(snapshot_id)
            missing = [
                name
                for name in snapshot.manifest.get("row_counts", {})
                if not snapshot.table_path(name).exists()
            ]
            if missing:
                raise ReturnError(
                    f"snapshot {snapshot_id} is incomplete (no {', '.join(missing)}); not restored"
                )
            _atomic_write(self.pointer, snapshot_id)
            return snapshot

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".lock").open("w") as lock:
            if fcntl is not None:
                fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                if fcntl is not None:
                    fcntl.flock(lock, fcntl.LOCK_UN)

    def _write(
        self,
        tables: dict[str, pa.Table],
        returns: list[dict[str, Any]],
        privacy: dict[str, str],
        validation: dict[str, Any],
    ) -> Snapshot:
        self.snapshots_dir.mkdir(parents=True, exist_ok=True)
        for stale in self.snapshots_dir.glob(".staging-*"):
            # Left by an ingest that was killed; the lock says no other ingest is running.
            shutil.rmtree(stale, ignore_errors=True)
        existing = [int(p.name) for p in self.snapshots_dir.iterdir() if p.name.isdigit()]
        snapshot_id = f"{max(existing, default=0) + 1:04d}"
        staging = self.snapshots_dir / f".staging-{snapshot_id}-{os.getpid()}"
        staging.mkdir()
        checksums = {}
        for name, table in tables.items():
            path = staging / f"{name}.parquet"
            pq.write_table(table, path)
            checksums[name] = _durable(path)
        manifest = {
            "snapshot": snapshot_id,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "returns": returns,
            "row_counts": {name: table.num_rows for name, table in tables.items()},
            "parquet_sha256": checksums,
            "privacy": privacy,
            "validation": validation,
        }
        manifest_path = staging / "manifest.json"
        manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True, default=str))
        _durable(manifest_path)
        _sync_dir(staging)
        final = self.snapshots_dir / snapshot_id
        staging.rename(final)
        _sync_dir(self.snapshots_dir)
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
            path = self.snapshot.table_path(name)
            if path.exists():
                self._tables[name] = self.con.read_parquet(path, table_name=name)
            else:
                # A snapshot older than the table: it exists, with no rows.
                self._tables[name] = self.con.create_table(name, SCHEMAS[name].empty_table())
        return self._tables[name]


def _align(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """A table in the given schema: missing columns (added since it was written) are null."""
    columns = [
        table[f.name] if f.name in table.column_names else pa.nulls(table.num_rows, f.type)
        for f in schema
    ]
    return pa.Table.from_arrays(columns, schema=schema) if columns else table


def _return_key(r: dict[str, Any]) -> tuple[str, str, int]:
    return (r["la_code"], r["kind"], int(r["year"]))


def _describe(p: Parsed) -> dict[str, Any]:
    return {"la_code": p.info.la_code, "kind": p.info.kind, "year": p.info.year}


def _describe_return(p: Parsed) -> dict[str, Any]:
    """What the manifest says of a return: its files (checksums) and what was loaded."""
    return _describe(p) | {
        "files": sorted(p.files.values()),
        "names": {Path(name).name: digest for name, digest in sorted(p.files.items())},
        "tables": {
            c.table: {"read": c.read, "loaded": c.loaded, "rejected": c.rejected}
            for c in p.counts()
        },
        "errors": p.problems.errors,
        "warnings": p.problems.warnings,
    }


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


def _refuse_other_privacy(current: Snapshot, privacy: dict[str, str]) -> None:
    """Rows made with another key or other reductions would not join with those held."""
    held = current.manifest.get("privacy") or {}
    different = sorted(k for k in privacy if k in held and held[k] != privacy[k])
    if different:
        what = ", ".join(
            "the pseudonymisation key" if k == "key_check" else f"{k} ({held[k]} -> {privacy[k]})"
            for k in different
        )
        raise ReturnError(
            f"refused: the warehouse at {current.path.parent.parent} was built with other "
            f"settings: {what}. Ingest into a new data directory, or restore the settings."
        )


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
        if name == "returns":
            same = "r.kind = old.kind AND r.year = old.year"
            new = [new_returns]
        else:
            same = f"r.kind = '{catalog.TABLES[name].kind}' AND r.year = old.return_year"
            new = [_align(p.tables[name], schema) for p in parsed if name in p.tables]
        if old.num_rows:
            con.register("old", old)
            old = con.sql(
                "SELECT * FROM old WHERE NOT EXISTS (SELECT 1 FROM replaced r "
                f"WHERE r.la_code = old.la_code AND {same})"
            ).to_arrow_table()
        combined[name] = pa.concat_tables([_align(old, schema), *new])
    return _supersede(con, combined)


def _supersede(con: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table]) -> dict[str, pa.Table]:
    """Apply each table's merge rule; parents before the rows that follow them."""
    con.register("returns", tables["returns"])
    out = {"returns": tables.pop("returns")}
    pending = dict(catalog.TABLES)
    while pending:
        ready = [
            s for s in pending.values() if not isinstance(s.merge, Follows) or s.merge.parent in out
        ]
        for spec in ready:
            table = tables.pop(spec.name)  # let the input go as soon as its output is made
            if table.num_rows:
                con.register(spec.name, table)
                # In a fixed row order, so the same returns always give the same files.
                table = con.sql(_kept(spec) + " ORDER BY ALL").to_arrow_table()
            out[spec.name] = table.cast(SCHEMAS[spec.name])
            con.register(spec.name, out[spec.name])
            del pending[spec.name]
    out["returns"] = _sorted(con, "returns", out["returns"])
    return out


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
            # Every row of the newest return with the key (a return listing a child twice
            # keeps both, so the choice never depends on row order).
            return (
                f"SELECT * EXCLUDE (newest) FROM (SELECT *, max(return_year) OVER (PARTITION BY "
                f"la_code, {key}) AS newest FROM {spec.name}) WHERE return_year = newest"
            )
        case Follows(parent, keys):
            using = ", ".join(("la_code", *keys, "return_year"))
            return f"SELECT t.* FROM {spec.name} t SEMI JOIN {parent} USING ({using})"
        case Keep():
            return f"SELECT * FROM {spec.name}"
        case _:
            assert_never(merge)


def _sorted(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> pa.Table:
    """A deterministic row order, so the same returns always give the same files."""
    con.register("unsorted", table)
    return con.sql("SELECT * FROM unsorted ORDER BY ALL").to_arrow_table().cast(SCHEMAS[name])


def _durable(path: Path) -> str:
    """Flush a written file to disk; its SHA-256."""
    digest = hashlib.sha256()
    with path.open("rb+") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
        os.fsync(f.fileno())
    return digest.hexdigest()


def _sync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system can sync a directory
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _sync_dir(path.parent)
