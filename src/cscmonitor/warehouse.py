"""The warehouse: immutable Parquet snapshots of typed tables, and the Ibis connection over them.

Each ingest writes a new snapshot folder (the tables and a manifest) in a staging folder,
makes it durable (fsync), renames it into place and then moves the `CURRENT` pointer with
an atomic rename, so a crash or a kill at any moment leaves the previous snapshot current
and whole. One ingest or rollback at a time holds the lock;
a staging folder left by a killed ingest is removed by the next one.

Two layouts (docs/warehouse.md, docs/scale.md): `files`, one Parquet file per table, for a
council; `lake`, a folder per table partitioned hive-style by `la_code`, one file per LA
(`cin_referrals/la_code=371/part-0.parquet`), for pooled data that Spark reads. The
manifest says which, and a lake's manifest its partition columns: a lake written before
December 2026 has none recorded and a folder per LA and year (`la_code=371/return_year=2024`),
read as it is; `relayout` compacts it. A new snapshot keeps its warehouse's layout.

Merging returns: a resubmitted return (same LA, kind and year) replaces the one held,
but only when it is whole: every table the held return has, and every table its format
needs, loaded with rows, and no file beside it unreadable; anything less is refused
(`ReturnRefused`) and nothing is stored, unless the ingest is a declared partial update,
which replaces only the tables given and keeps the others. `Warehouse.preview` says,
table by table, what accepting returns would add, change and remove, before any is.
The next return (the following year's) is authoritative for everything open during its
collection period, so a row from an older return is superseded when its span overlaps
the next return's period (the next return carries the same referral, episode or worker
with later information, or has corrected it away), or when a later return carries the
same record. When the next return is missing, the older return's rows are kept (the
figures of its years do not move); one still open is known to have ended in the missing
year, so its blank end becomes the day before the later return's period. Rows below a referral
(assessments, plans, reviews) follow their referral; a person's details come from
the newest return that lists them; per-year records (OC2, OC3) are kept as returned.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import itertools
import json
import os
import shutil
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, assert_never

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from cscmonitor.returns import catalog
from cscmonitor.returns.issues import ReturnError
from cscmonitor.returns.parsed import Parsed, sha256_of
from cscmonitor.returns.schema import Follows, Keep, Newest, Span, TableSpec
from cscmonitor.returns.staged import BATCH_ROWS, Scratch, Staged

if TYPE_CHECKING:  # Ibis and Arrow datasets (which load pandas) only where tables are read
    import ibis.expr.types as ir
    import pyarrow.dataset as pads

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


class _Schemas(Mapping[str, pa.Schema]):
    """Every table and its schema: the registered formats' tables, and the returns held."""

    def __getitem__(self, name: str) -> pa.Schema:
        return RETURNS_SCHEMA if name == "returns" else catalog.TABLES[name].schema

    def __iter__(self) -> Iterator[str]:
        return iter([*catalog.TABLES, "returns"])

    def __len__(self) -> int:
        return len(catalog.TABLES) + 1


# Live: a format registered later (a plug-in) adds its tables.
SCHEMAS: Mapping[str, pa.Schema] = _Schemas()


class Layout(StrEnum):
    """How a snapshot's tables are stored."""

    FILES = "files"  # one Parquet file per table
    LAKE = "lake"  # a folder per table, hive-partitioned by LA


NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"
# The folders of a lake written now: one file per LA, its years inside. A folder per LA and
# year gave England 21,867 small files, and DuckDB's basket paid for their count
# (bench/README.md, "The lake on DuckDB").
LAKE_PARTITIONING = ("la_code",)


@dataclass(frozen=True)
class Snapshot:
    id: str
    path: Path
    manifest: dict[str, Any]

    @property
    def layout(self) -> Layout:
        return Layout(self.manifest.get("layout", Layout.FILES))

    @cached_property
    def content_key(self) -> str:
        """What the snapshot holds, as its tables' checksums (its path and id where the
        manifest has none): the same for two snapshots of the same contents, worked out once
        per snapshot read (the web's caches key every figure by it)."""
        sums = self.manifest.get("parquet_sha256")
        if not sums:
            return f"{self.path}:{self.id}"
        return hashlib.sha256(json.dumps(sums, sort_keys=True).encode()).hexdigest()

    def table_path(self, name: str) -> Path:
        """The table's Parquet file, or its folder of partitions in a lake."""
        match self.layout:
            case Layout.FILES:
                return self.path / f"{name}.parquet"
            case Layout.LAKE:
                return self.path / name
            case _:
                assert_never(self.layout)

    def partition_columns(self, name: str) -> tuple[str, ...]:
        """The columns a lake table's folders are named by, outermost first: the manifest's
        `partitioning`, or, in a lake written before it was recorded, the LA and the
        return's year (`year` in `returns`)."""
        recorded = self.manifest.get("partitioning")
        if recorded is not None:
            return tuple(recorded)
        return ("la_code", "year") if name == "returns" else ("la_code", "return_year")

    def holds_distinct(self, name: str, columns: Collection[str]) -> bool:
        """Whether the table's rows hold no two alike on `columns`, as recorded when the
        snapshot was written (for a table whose spec names `distinct_on`: rows alike on
        those are alike on any columns that include them). False when not recorded, as in
        a snapshot written before December 2026."""
        recorded = self.manifest.get("distinct", {}).get(name)
        return recorded is not None and set(recorded) <= set(columns)

    def is_laid_out(self, layout: Layout) -> bool:
        """Whether the snapshot is in `layout` as it is written now (an older lake's
        partitioning is not)."""
        if self.layout is not layout:
            return False
        return layout is Layout.FILES or self.manifest.get("partitioning") == list(
            LAKE_PARTITIONING
        )

    def lake_glob(self, name: str) -> str:
        """The pattern of a lake table's files under its folder: a `*=*` per partition column."""
        return "/".join(["*=*"] * len(self.partition_columns(name)) + ["*.parquet"])

    def lake_files(self, name: str) -> list[Path]:
        """A lake table's Parquet files, in path order (none for an empty table)."""
        return sorted(self.table_path(name).glob(self.lake_glob(name)))

    @property
    def created_at(self) -> str:
        return str(self.manifest.get("created_at", ""))


class DamagedSnapshot(ReturnError):
    """A snapshot whose files no longer match its manifest's checksums."""


@dataclass(frozen=True)
class IngestResult:
    snapshot: Snapshot
    changed: bool  # False when every return was already held, unchanged


class ReturnRefused(ReturnError):
    """A held return would be replaced by less than a whole return; nothing was stored."""


@dataclass(frozen=True)
class TableChange:
    """What accepting returns would do to one table: rows new, rows with the same key but
    other values (a record corrected or carried on by a newer return), and rows gone."""

    table: str
    added: int
    changed: int
    removed: int


@dataclass(frozen=True)
class Preview:
    """What accepting returns would do, before it is done."""

    refusals: list[str]  # why accepting them would be refused; empty: it may be accepted
    changes: list[TableChange]  # the tables that would change


class Warehouse:
    def __init__(
        self, root: Path, layout: Layout | None = None, first_layout: Layout = Layout.FILES
    ) -> None:
        """`layout` of the snapshots written; by default the current snapshot's, else
        `first_layout` (Settings.warehouse_layout)."""
        self.root = root
        self.snapshots_dir = root / "snapshots"
        self.pointer = root / "CURRENT"
        self.layout = layout
        self.first_layout = first_layout

    def current(self) -> Snapshot | None:
        if not self.pointer.exists():
            return None
        return self.snapshot(self.pointer.read_text().strip())

    def current_mark(self) -> tuple[str, int, int, int] | None:
        """A value that changes whenever `current()` would answer another snapshot: the
        pointer's id and its manifest file's identity (a snapshot is written whole and
        renamed into place, never edited), read without parsing the manifest. None when
        there is no current snapshot to mark."""
        try:
            snapshot_id = self.pointer.read_text().strip()
            found = (self.snapshots_dir / snapshot_id / "manifest.json").stat()
        except OSError:
            return None
        return snapshot_id, found.st_ino, found.st_mtime_ns, found.st_size

    def snapshot(self, snapshot_id: str) -> Snapshot:
        path = self.snapshots_dir / snapshot_id
        manifest_path = path / "manifest.json"
        if not snapshot_id.isdigit() or not manifest_path.exists():
            raise FileNotFoundError(f"snapshot {snapshot_id} not found in {self.snapshots_dir}")
        try:
            manifest = json.loads(manifest_path.read_text())
        except (ValueError, OSError) as exc:
            raise DamagedSnapshot(
                f"snapshot {snapshot_id}: its manifest cannot be read ({type(exc).__name__}); "
                "make another snapshot current (cscmonitor rollback ID)"
            ) from None
        return Snapshot(snapshot_id, path, manifest)

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
        self.verify_table(snapshot, name)
        if snapshot.layout is Layout.LAKE:
            return _read_lake(snapshot, name)
        return _align(pq.read_table(path), SCHEMAS[name])

    def ingest(
        self,
        parsed: list[Parsed],
        *,
        privacy: dict[str, str] | None = None,
        validation: dict[str, Any] | Callable[[], dict[str, Any]] | None = None,
        partial: bool = False,
        unreadable: Sequence[str] = (),
        scratch: Scratch | None = None,
    ) -> IngestResult:
        """Merge parsed returns into a new snapshot (or none, if nothing changed).

        A held return is replaced only by a whole one (`ReturnRefused` otherwise, nothing
        stored); `partial` replaces only the tables given. `unreadable` names the files of
        the ingest that could not be read (a return beside one of them is not whole). The
        merge runs in DuckDB over the held and staged files, spilling to `scratch` (a new
        one by default) rather than holding the tables in memory. `validation` (what the
        checks found, for the manifest) may be a function, asked once the tables are merged:
        the checks may run while they merge.
        """
        _refuse_duplicates(parsed)
        with self._lock():
            current = self.current()
            privacy = privacy or {}
            if current is not None:
                _refuse_other_privacy(current, privacy)
            held_returns = current.manifest["returns"] if current else []
            refusals = _refusals(held_returns, parsed, partial=partial, unreadable=unreadable)
            if refusals:
                raise ReturnRefused("; ".join(refusals))
            if current is not None and _unchanged(held_returns, parsed, partial=partial):
                return IngestResult(current, changed=False)
            scratch = scratch or Scratch()
            con = scratch.connect()
            try:
                tables = _merge(con, self._held(current), parsed, scratch, partial=partial)
            finally:
                con.close()
            returns = _returns_after(held_returns, parsed, partial=partial)
            layout = self._layout(current)
            if callable(validation):
                validation = validation()
            snapshot = self._write(dict(tables), returns, privacy, validation or {}, layout)
            return IngestResult(snapshot, changed=True)

    def preview(
        self,
        parsed: list[Parsed],
        *,
        partial: bool = False,
        unreadable: Sequence[str] = (),
        scratch: Scratch | None = None,
    ) -> Preview:
        """What `ingest` would do with these returns, table by table; nothing is written
        (but to `scratch`)."""
        _refuse_duplicates(parsed)
        current = self.current()
        held_returns = current.manifest["returns"] if current else []
        refusals = _refusals(held_returns, parsed, partial=partial, unreadable=unreadable)
        scratch = scratch or Scratch()
        con = scratch.connect()
        try:
            before = self._held(current)
            after = _merge(con, before, parsed, scratch, partial=partial)
            return Preview(refusals, _changes(con, before, after))
        finally:
            con.close()

    def _held(self, current: Snapshot | None) -> dict[str, str]:
        """The current snapshot's tables as DuckDB sources (checksums verified first)."""
        if current is None:
            return {}
        sources = {}
        for name in SCHEMAS:
            path = current.table_path(name)
            if not path.exists():
                continue  # a snapshot written before the table existed holds none of its rows
            self.verify_table(current, name)
            if current.layout is Layout.LAKE:
                if current.lake_files(name):
                    sources[name] = duckdb_lake_source(current, name)
            else:
                sources[name] = f"read_parquet({_sql_text(str(path))})"
        return sources

    def relayout(self, layout: Layout) -> Snapshot:
        """The current snapshot's tables written again in `layout`, as a new current snapshot.

        The same rows, returns, privacy and validation; the manifest names the snapshot
        it was made from. Returns the current snapshot unchanged if it is already so laid out;
        a lake of an older partitioning (by LA and year) is compacted into today's.
        """
        with self._lock():
            current = self.require_current()
            if current.is_laid_out(layout):
                return current
            tables: dict[str, pa.Table | Path] = {
                name: self.read(name, current) for name in SCHEMAS
            }
            manifest = current.manifest
            return self._write(
                tables,
                manifest["returns"],
                manifest.get("privacy") or {},
                manifest.get("validation") or {},
                layout,
                relaid=current.id,
            )

    def _layout(self, current: Snapshot | None) -> Layout:
        if self.layout is not None:
            return self.layout
        if current is not None:
            return current.layout
        return self.first_layout

    def rollback(self, snapshot_id: str) -> Snapshot:
        """Make an earlier (or later) whole snapshot current again; nothing is deleted.

        Refused onto a snapshot whose files do not match their checksums."""
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
            damaged = damaged_tables(snapshot)
            if damaged:
                raise DamagedSnapshot(
                    f"snapshot {snapshot_id} is damaged (table {', '.join(damaged)} does not "
                    "match its checksum); not made current: roll back to another snapshot"
                )
            _atomic_write(self.pointer, snapshot_id)
            return snapshot

    def verify(self, snapshot: Snapshot | None = None) -> Snapshot:
        """Check every table of a snapshot (the current one by default) against its checksum."""
        snapshot = snapshot or self.require_current()
        damaged = damaged_tables(snapshot)
        if damaged:
            raise self._damaged(snapshot, damaged)
        return snapshot

    def _damaged(self, snapshot: Snapshot, tables: list[str]) -> DamagedSnapshot:
        """One line: which snapshot, which tables, and the way back."""
        earlier = [s.id for s in self.snapshots() if int(s.id) < int(snapshot.id)]
        way_back = (
            f"make an earlier snapshot current (cscmonitor rollback {earlier[-1]})"
            if earlier
            else "restore it from a backup (cscmonitor restore --from DIR)"
        )
        names = ", ".join(tables)
        return DamagedSnapshot(
            f"snapshot {snapshot.id}: table {names} is damaged (its files do not match the "
            f"manifest's checksum); {way_back}"
        )

    def prune(self, keep: int, also_keep: Collection[str] = ()) -> list[str]:
        """Delete all but the newest `keep` snapshots, never the current one nor those in
        `also_keep` (the snapshots signed report editions were made from); the ids deleted."""
        if keep < 1:
            raise ReturnError("keep at least one snapshot")
        with self._lock():
            current = self.current()
            held = self.snapshots()
            kept = {s.id for s in held[-keep:]} | ({current.id} if current else set())
            kept |= set(also_keep)
            gone = [s.id for s in held if s.id not in kept]
            for snapshot_id in gone:
                # Renamed away first, so a kill mid-delete never leaves half a snapshot listed.
                doomed = self.snapshots_dir / f".pruned-{snapshot_id}"
                (self.snapshots_dir / snapshot_id).rename(doomed)
                shutil.rmtree(doomed)
            _sync_dir(self.snapshots_dir)
            return gone

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
        tables: dict[str, pa.Table | Path],
        returns: list[dict[str, Any]],
        privacy: dict[str, str],
        validation: dict[str, Any],
        layout: Layout = Layout.FILES,
        relaid: str | None = None,
    ) -> Snapshot:
        self.snapshots_dir.mkdir(parents=True, exist_ok=True)
        for stale in [
            *self.snapshots_dir.glob(".staging-*"),
            *self.snapshots_dir.glob(".pruned-*"),
        ]:
            # Left by an ingest that was killed; the lock says no other ingest is running.
            shutil.rmtree(stale, ignore_errors=True)
        existing = [int(p.name) for p in self.snapshots_dir.iterdir() if p.name.isdigit()]
        snapshot_id = f"{max(existing, default=0) + 1:04d}"
        staging = self.snapshots_dir / f".staging-{snapshot_id}-{os.getpid()}"
        staging.mkdir()
        checksums, row_counts, distinct = {}, {}, {}
        for name, table in tables.items():
            # A Path is a table already written as Parquet (by the merge, in a scratch folder).
            if isinstance(table, Path):
                row_counts[name] = pq.ParquetFile(table).metadata.num_rows
            else:
                row_counts[name] = table.num_rows
            if (columns := _distinct_columns(name, table, row_counts[name])) is not None:
                distinct[name] = columns
            match layout:
                case Layout.FILES:
                    path = staging / f"{name}.parquet"
                    if isinstance(table, Path):
                        shutil.move(table, path)
                    else:
                        pq.write_table(table, path)
                    checksums[name] = _durable(path)
                case Layout.LAKE:
                    if isinstance(table, Path):
                        table = _align(pq.read_table(table), SCHEMAS[name])
                    checksums[name] = _write_lake(table, staging / name, LAKE_PARTITIONING)
                case _:
                    assert_never(layout)
        manifest = {
            "snapshot": snapshot_id,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "layout": layout.value,
            **({"partitioning": list(LAKE_PARTITIONING)} if layout is Layout.LAKE else {}),
            **({"relaid_from": relaid} if relaid else {}),
            "returns": returns,
            "row_counts": row_counts,
            "distinct": distinct,
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
        made = Snapshot(snapshot_id, final, manifest)
        damaged = damaged_tables(made)  # read back from disk before it becomes current
        if damaged:
            raise self._damaged(made, damaged)
        _atomic_write(self.pointer, snapshot_id)
        return made

    def verify_table(self, snapshot: Snapshot, name: str) -> None:
        """Refuse to read a table that does not match its checksum (checked once per file state)."""
        if not table_intact(snapshot, name):
            raise self._damaged(snapshot, [name])

    def tables(self, snapshot: Snapshot | None = None) -> WarehouseTables:
        return WarehouseTables(snapshot or self.require_current(), self)


class WarehouseTables:
    """The Ibis view of one snapshot (DuckDB, in memory, reading the Parquet files)."""

    def __init__(self, snapshot: Snapshot, warehouse: Warehouse | None = None) -> None:
        self.snapshot = snapshot
        self.warehouse = warehouse or Warehouse(snapshot.path.parent.parent)
        import ibis

        self.con = ibis.duckdb.connect()
        self._tables: dict[str, ir.Table] = {}

    def table(self, name: str) -> ir.Table:
        if name not in SCHEMAS:
            raise KeyError(f"no warehouse table {name!r}")
        if name not in self._tables:
            path = self.snapshot.table_path(name)
            if path.exists():
                self.warehouse.verify_table(self.snapshot, name)
            if path.exists() and self.snapshot.layout is Layout.LAKE:
                self._tables[name] = duckdb_lake_table(self.con, self.snapshot, name, name)
            elif path.exists():
                self._tables[name] = duckdb_file_table(self.con, path, name)
            else:
                # A snapshot older than the table: it exists, with no rows.
                self._tables[name] = self.con.create_table(name, SCHEMAS[name].empty_table())
        return self._tables[name]

    def holds_distinct(self, name: str, columns: Sequence[str]) -> bool:
        return self.snapshot.holds_distinct(name, columns)


def _distinct_columns(name: str, table: pa.Table | Path, rows: int) -> list[str] | None:
    """For a table whose spec names `distinct_on`, those columns (LA first) when no two rows
    share them, else None: a count of its distinct rows, once per snapshot written, where a
    reader would count them at every compute."""
    spec = catalog.TABLES.get(name)
    if spec is None or not spec.distinct_on:
        return None
    columns = ["la_code", *spec.distinct_on]
    if rows <= 1:
        return columns
    with duckdb.connect() as con:
        if isinstance(table, Path):
            source = f"read_parquet({_sql_text(str(table))})"
        else:
            con.register("rows", table)
            source = "rows"
        listed = ", ".join(f'"{c}"' for c in columns)
        query = f"SELECT count(*) FROM (SELECT DISTINCT {listed} FROM {source})"
        ((found,),) = con.sql(query).fetchall()
    return columns if found == rows else None


def _write_lake(table: pa.Table, folder: Path, by: Sequence[str]) -> str:
    """A table as hive partitions under `folder` by the columns `by`, one file each,
    flushed to disk; other columns (a year, when only the LA partitions) stay in the files.

    Rows keep their order within a partition, so the same table always gives the same
    files. Returns a SHA-256 over the files' relative paths and checksums, in the order
    `_partition_order` finds them again.
    """
    folder.mkdir()
    digest = hashlib.sha256()
    if table.num_rows == 0:
        return digest.hexdigest()
    # A stable sort: each partition is one contiguous slice, in the table's own row order.
    table = table.take(pc.sort_indices(table, sort_keys=[(c, "ascending") for c in by]))
    # Folder names: the values as text, Hive's name for a null (LA codes and years need no
    # other escaping).
    keys = [pc.fill_null(pc.cast(table[c], pa.string()), NULL_PARTITION) for c in by]
    changes = functools.reduce(pc.or_, [pc.not_equal(k[1:], k[:-1]) for k in keys])
    starts = [0, *(i + 1 for i in pc.indices_nonzero(changes).to_pylist()), table.num_rows]
    data = table.drop_columns(list(by))
    for start, end in itertools.pairwise(starts):
        parts = [f"{c}={k[start].as_py()}" for c, k in zip(by, keys, strict=True)]
        partition = folder.joinpath(*parts)
        partition.mkdir(parents=True)
        path = partition / "part-0.parquet"
        pq.write_table(data.slice(start, end - start), path)
        digest.update(_lake_line(parts, _durable(path)))
        _sync_dir(partition)
    return digest.hexdigest()


def _lake_line(parts: list[str], checksum: str) -> bytes:
    return f"{'/'.join(parts)}:{checksum}\n".encode()


def table_checksum(snapshot: Snapshot, name: str) -> str | None:
    """The SHA-256 of a table's files as they are on disk (as `_write` computed it)."""
    path = snapshot.table_path(name)
    if not path.exists():
        return None
    if snapshot.layout is Layout.FILES:
        return sha256_of(path)
    digest = hashlib.sha256()
    depth = len(snapshot.partition_columns(name))
    folders = {f: f.relative_to(path).parts[:depth] for f in snapshot.lake_files(name)}
    for file in sorted(folders, key=lambda f: _partition_order(name, folders[f])):
        digest.update(_lake_line(list(folders[file]), sha256_of(file)))
    return digest.hexdigest()


def _partition_order(name: str, parts: tuple[str, ...]) -> tuple[object, ...]:
    """The order `_write_lake` wrote a table's partitions in: by each column in turn, an
    LA code as text, a year as a number; nulls last."""
    order: list[object] = []
    for part in parts:
        column, value = part.split("=", 1)
        null = value == NULL_PARTITION
        number = pa.types.is_integer(SCHEMAS[name].field(column).type)
        order += [null, (0 if number else "") if null else (int(value) if number else value)]
    return tuple(order)


def damaged_tables(snapshot: Snapshot) -> list[str]:
    """The tables whose files do not match the manifest's checksums (or are missing)."""
    expected: dict[str, str] = snapshot.manifest.get("parquet_sha256", {})
    return [name for name in sorted(expected) if not table_intact(snapshot, name)]


# Tables already found intact, by their files' identity (path, size, mtime): verified once
# per process, again only if a file changes.
_INTACT: set[tuple[object, ...]] = set()


def table_intact(snapshot: Snapshot, name: str) -> bool:
    expected = snapshot.manifest.get("parquet_sha256", {}).get(name)
    if expected is None:
        return True  # not in the manifest: a snapshot older than the table holds no rows
    path = snapshot.table_path(name)
    files = [path] if snapshot.layout is Layout.FILES else snapshot.lake_files(name)
    try:
        identity = tuple((str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in files)
    except OSError:
        return False
    key = (expected, identity)
    if key in _INTACT:
        return True
    if table_checksum(snapshot, name) != expected:
        return False
    _INTACT.add(key)
    return True


def _partitioning(snapshot: Snapshot, name: str) -> pads.Partitioning:
    import pyarrow.dataset as pads

    schema = SCHEMAS[name]
    columns = snapshot.partition_columns(name)
    return pads.partitioning(pa.schema([schema.field(c) for c in columns]), flavor="hive")


def _read_lake(snapshot: Snapshot, name: str) -> pa.Table:
    files = snapshot.lake_files(name)
    if not files:
        return SCHEMAS[name].empty_table()
    import pyarrow.dataset as pads

    dataset = pads.dataset(
        [str(f) for f in files],
        schema=SCHEMAS[name],
        format="parquet",
        partitioning=_partitioning(snapshot, name),
        partition_base_dir=str(snapshot.table_path(name)),
    )
    return _align(dataset.to_table(), SCHEMAS[name])


DUCKDB_TYPES = {
    pa.string(): "VARCHAR",
    pa.date32(): "DATE",
    pa.int32(): "INTEGER",
    pa.int64(): "BIGINT",
    pa.bool_(): "BOOLEAN",
    pa.float64(): "DOUBLE",
}


def duckdb_lake_table(con: Any, snapshot: Snapshot, name: str, table_name: str) -> ir.Table:
    """A lake table as a DuckDB view on an Ibis connection, in today's schema.

    The partition columns come from the folder names, typed as the schema says (an LA code
    such as `371` stays text); columns the files lack (added since) are null.
    """
    schema = SCHEMAS[name]
    files = snapshot.lake_files(name)
    if not files:
        return con.create_table(table_name, schema.empty_table(), overwrite=True)
    source = duckdb_lake_source(snapshot, name)
    held = {row[0] for row in con.raw_sql(f"DESCRIBE SELECT * FROM {source}").fetchall()}
    columns = ", ".join(
        f'"{f.name}"' if f.name in held else f'CAST(NULL AS {DUCKDB_TYPES[f.type]}) AS "{f.name}"'
        for f in schema
    )
    con.raw_sql(f'CREATE OR REPLACE VIEW "{table_name}" AS SELECT {columns} FROM {source}')
    return con.table(table_name)


def duckdb_file_table(con: Any, path: str | Path, table_name: str) -> ir.Table:
    """A table of one Parquet file as a DuckDB view on an Ibis connection: a view of the
    connection's database, not a temporary one (as Ibis's `read_parquet` makes), so the
    cursors running a basket's queries read it too (`indicators.queries.Running`)."""
    source = f"read_parquet({_sql_text(str(path))})"
    con.raw_sql(f'CREATE OR REPLACE VIEW "{table_name}" AS SELECT * FROM {source}')
    return con.table(table_name)


def duckdb_lake_source(snapshot: Snapshot, name: str) -> str:
    """DuckDB's `read_parquet(...)` of a (non-empty) lake table, partition columns typed.

    No `union_by_name`: a table's files in one snapshot are slices of one Arrow table
    (`_write_lake`), so they share its schema, and DuckDB refuses a file that does not.
    With it, binding the table read every file's footer, on every query naming the table
    (bench/README.md, "The lake on DuckDB").
    """
    schema = SCHEMAS[name]
    files_glob = _sql_text(str(snapshot.table_path(name) / snapshot.lake_glob(name)))
    types = ", ".join(
        f"'{c}': {DUCKDB_TYPES[schema.field(c).type]}" for c in snapshot.partition_columns(name)
    )
    return f"read_parquet({files_glob}, hive_partitioning = true, hive_types = {{{types}}})"


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _align(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """A table in the given schema: missing columns (added since it was written) are null."""
    columns = [
        table[f.name] if f.name in table.column_names else pa.nulls(table.num_rows, f.type)
        for f in schema
    ]
    return pa.Table.from_arrays(columns, schema=schema) if columns else table


def missing_return_text(la_code: str, kind: str, year: int) -> str:
    """The one sentence that names a missing return, in the ingest report and on the dashboard."""
    from cscmonitor.returns.kind import ReturnKind

    return (
        f"The {ReturnKind(kind).label} return for {year} (LA {la_code}) is not held, though "
        "earlier and later ones are: the earlier return's open rows are kept as they were, "
        'and figures reaching into its year have status "return missing".'
    )


def missing_returns(returns: list[dict[str, Any]]) -> list[tuple[str, str, int]]:
    """(LA, kind, year) of every return missing between two held of the same LA and kind."""
    years: dict[tuple[str, str], set[int]] = {}
    for r in returns:
        years.setdefault((r["la_code"], r["kind"]), set()).add(int(r["year"]))
    return [
        (la, kind, year)
        for (la, kind), held in sorted(years.items())
        for year in range(min(held), max(held))
        if year not in held
    ]


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


def _refusals(
    held: list[dict[str, Any]],
    parsed: list[Parsed],
    *,
    partial: bool,
    unreadable: Sequence[str],
) -> list[str]:
    """Why each held return that `parsed` would replace is not replaced by a whole one."""
    if partial:
        return []
    by_key = {_return_key(r): r for r in held}
    found = []
    for p in parsed:
        entry = by_key.get(_return_key(_describe(p)))
        if entry is None:
            continue  # a return not held yet replaces nothing
        had = [t for t, n in (entry.get("tables") or {}).items() if n.get("loaded")]
        needs = catalog.FORMATS[p.info.kind].needs
        # A table the return needs has rows; one held before is given again, and if its
        # file had rows, some loaded (an empty table may be a true answer: no one adopted).
        lacking = [t for t in needs if t not in p.tables or p.tables[t].num_rows == 0]
        lacking += [
            t
            for t in had
            if t not in lacking
            and (t not in p.tables or (p.rows_read.get(t, 0) and p.tables[t].num_rows == 0))
        ]
        folders = {Path(f).parent for f in p.files}
        unread = sorted(Path(f).name for f in unreadable if Path(f).parent in folders)
        if not lacking and not unread:
            continue
        why = [f"no rows of {', '.join(sorted(lacking))}"] if lacking else []
        why += [f"{', '.join(unread)} could not be read"] if unread else []
        given = sorted(t for t in p.tables if p.tables[t].num_rows)
        label = catalog.FORMATS[p.info.kind].label
        found.append(
            f"the {label} return of LA {p.info.la_code} for {p.info.year} held "
            f"({', '.join(sorted(had)) or 'no tables'}) was not replaced: the files given "
            f"have {' and '.join(why)}. Give every file of the return, or update only "
            f"{', '.join(given) or 'its tables'} as a partial update (`--partial`), which "
            "keeps the others"
        )
    return found


def _unchanged(held: list[dict[str, Any]], parsed: list[Parsed], *, partial: bool) -> bool:
    """Whether every return is held already with these very files."""
    files = {_return_key(r): set(r["files"]) for r in held}
    for p in parsed:
        had = files.get(_return_key(_describe(p)))
        new = set(p.files.values())
        if had is None or not (new <= had if partial else new == had):
            return False
    return True


def _returns_after(
    held: list[dict[str, Any]], parsed: list[Parsed], *, partial: bool
) -> list[dict[str, Any]]:
    """The manifest's list of returns once `parsed` are merged in."""
    by_key = {_return_key(r): r for r in held}
    for p in parsed:
        key = _return_key(_describe(p))
        new = _describe_return(p)
        old = by_key.get(key)
        if partial and old is not None:
            # The tables not given are kept, and so is what the manifest says of them.
            names = {**old.get("names", {}), **new["names"]}
            new |= {
                "tables": {**old.get("tables", {}), **new["tables"]},
                "names": names,
                "files": sorted(set(old["files"]) | set(new["files"])),
                "partial_update": sorted(p.tables),
            }
        by_key[key] = new
    return sorted(by_key.values(), key=_return_key)


def _changes(
    con: duckdb.DuckDBPyConnection, before: Mapping[str, str], after: Mapping[str, Path]
) -> list[TableChange]:
    """Table by table, the rows `after` adds, changes (same key, other values) and removes."""
    found = []
    for name, spec in catalog.TABLES.items():
        old = _select(con, before.get(name), spec.schema)
        new = _select(con, f"read_parquet({_sql_text(str(after[name]))})", spec.schema)
        keys = ["la_code", *(c.name for c in spec.columns if c.key)]
        same = " AND ".join(f'g."{k}" IS NOT DISTINCT FROM c."{k}"' for k in keys)
        query = (
            f"WITH old AS ({old}), new AS ({new}), "
            "gone AS (SELECT * FROM old EXCEPT ALL SELECT * FROM new), "
            "came AS (SELECT * FROM new EXCEPT ALL SELECT * FROM old) SELECT "
            f"(SELECT count(*) FROM came c WHERE NOT EXISTS (SELECT 1 FROM gone g WHERE {same})),"
            f"(SELECT count(*) FROM came c WHERE EXISTS (SELECT 1 FROM gone g WHERE {same})),"
            f"(SELECT count(*) FROM gone g WHERE NOT EXISTS (SELECT 1 FROM came c WHERE {same}))"
        )
        ((added, changed, removed),) = con.execute(query).fetchall()
        if added or changed or removed:
            found.append(TableChange(name, added, changed, removed))
    return found


def _select(
    con: duckdb.DuckDBPyConnection,
    source: str | None,
    schema: pa.Schema,
    columns: Collection[str] | None = None,
) -> str:
    """A query of `source` in `schema`'s columns and order; a column it lacks (added since
    it was written) is null. No source: no rows. `columns` names the source's columns when
    they are known (a staged or registered table), saving DuckDB a DESCRIBE of it."""
    if source is None:
        nulls = ", ".join(f'CAST(NULL AS {DUCKDB_TYPES[f.type]}) AS "{f.name}"' for f in schema)
        return f"SELECT {nulls} WHERE false"
    if columns is not None:
        held = set(columns)
    else:
        held = {row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
    cast = ", ".join(
        f'CAST("{f.name}" AS {DUCKDB_TYPES[f.type]}) AS "{f.name}"'
        if f.name in held
        else f'CAST(NULL AS {DUCKDB_TYPES[f.type]}) AS "{f.name}"'
        for f in schema
    )
    return f"SELECT {cast} FROM {source}"


def _return_row(p: Parsed) -> dict[str, Any]:
    return {
        "la_code": p.info.la_code,
        "kind": p.info.kind,
        "year": p.info.year,
        "period_start": p.info.period_start,
        "period_end": p.info.period_end,
    }


def _merge(
    con: duckdb.DuckDBPyConnection,
    held: Mapping[str, str],
    parsed: list[Parsed],
    scratch: Scratch,
    *,
    partial: bool = False,
) -> dict[str, Path]:
    """Held rows, less any return being resubmitted, plus the new returns; then supersede.
    Each table is written to a Parquet file in `scratch`; the files by table.

    In a partial update a return's tables that were not given keep their held rows.
    """
    # Tables neither held nor given (most of them, for a council's first returns) are
    # written empty without a query: thirty queries of nothing were a fifth of an ingest.
    empty = {
        name
        for name in SCHEMAS
        if name != "returns"
        and held.get(name) is None
        and not any(name in p.tables for p in parsed)
    }
    new_returns = pa.Table.from_pylist([_return_row(p) for p in parsed], schema=RETURNS_SCHEMA)
    for name, schema in SCHEMAS.items():
        if name in empty:
            continue
        if name == "returns":
            same = "r.kind = old.kind AND r.year = old.year"
            con.register("new_returns", new_returns)
            new = [_select(con, "new_returns", schema, RETURNS_SCHEMA.names)]
            replaced = new_returns
        else:
            same = f"r.kind = '{catalog.TABLES[name].kind}' AND r.year = old.return_year"
            new = [
                _select(
                    con,
                    _source(con, p.tables[name], f"new_{i}_{name}"),
                    schema,
                    p.tables[name].column_names,
                )
                for i, p in enumerate(parsed)
                if name in p.tables
            ]
            replaced = pa.Table.from_pylist(
                [_return_row(p) for p in parsed if not partial or name in p.tables],
                schema=RETURNS_SCHEMA,
            )
        con.register(f"replaced_{name}", replaced)
        kept = (
            f"SELECT * FROM ({_select(con, held.get(name), schema)}) old WHERE NOT EXISTS "
            f"(SELECT 1 FROM replaced_{name} r WHERE r.la_code = old.la_code AND {same})"
        )
        union = " UNION ALL ".join(f"({q})" for q in [kept, *new])
        con.execute(f'CREATE OR REPLACE TEMP VIEW "{name}" AS {union}')
    return _supersede(con, scratch, empty, _whole(con, held, parsed))


def _whole(
    con: duckdb.DuckDBPyConnection, held: Mapping[str, str], parsed: list[Parsed]
) -> set[str]:
    """The tables whose merge rule would keep every row, so their query need not apply it:
    those with no held rows (every row is a new return's, in its LA and year, as
    `parsed.with_return` makes them) where no return of the table's kind after the merge
    is of a later year for the LA of a new return holding the table (`Span`), or where no
    two new returns of one LA hold the table (`Newest`)."""
    returns = con.execute("SELECT la_code, kind, year FROM returns").fetchall()
    whole = set()
    for name, spec in catalog.TABLES.items():
        if held.get(name) is not None:
            continue
        given = [p.info for p in parsed if name in p.tables]
        match spec.merge:
            case Span():
                later = any(
                    la == info.la_code and kind == spec.kind and year > info.year
                    for info in given
                    for la, kind, year in returns
                )
                if not later:
                    whole.add(name)
            case Newest():
                if len({info.la_code for info in given}) == len(given):
                    whole.add(name)
            case Follows() | Keep():
                pass  # Follows drops rows whose parent is not kept; Keep keeps them all
            case _:
                assert_never(spec.merge)
    return whole


def _source(con: duckdb.DuckDBPyConnection, table: pa.Table | Staged, name: str) -> str:
    if isinstance(table, Staged):
        return table.sql()
    con.register(name, table)
    return name


def _supersede(
    con: duckdb.DuckDBPyConnection,
    scratch: Scratch,
    empty: set[str] | None = None,
    whole: set[str] | None = None,
) -> dict[str, Path]:
    """Apply each table's merge rule, parents before the rows that follow them; each table
    written, in a fixed row order (the same returns always give the same files). Tables
    known to be `empty` are written without a query, and tables known to be kept `whole`
    without their merge rule."""
    out: dict[str, Path] = {}
    pending = dict(catalog.TABLES)
    while pending:
        ready = [
            s for s in pending.values() if not isinstance(s.merge, Follows) or s.merge.parent in out
        ]
        for spec in ready:
            if spec.name in (empty or set()):
                out[spec.name] = _write_empty(spec.name, scratch)
            elif spec.name in (whole or set()):
                out[spec.name] = _copy(con, spec.name, f'SELECT * FROM "{spec.name}"', scratch)
            else:
                out[spec.name] = _copy(con, spec.name, _kept(spec), scratch)
            del pending[spec.name]
            if any(
                isinstance(s.merge, Follows) and s.merge.parent == spec.name
                for s in pending.values()
            ):
                # Rows that follow this table read what it kept.
                con.execute(
                    f'CREATE OR REPLACE TEMP VIEW "{spec.name}" AS '
                    f"SELECT * FROM read_parquet({_sql_text(str(out[spec.name]))})"
                )
    out["returns"] = _copy(con, "returns", "SELECT * FROM returns", scratch)
    return out


def _write_empty(name: str, scratch: Scratch) -> Path:
    """The table with no rows, as `_copy` writes a query that finds none."""
    path = scratch.file(name)
    with pq.ParquetWriter(path, SCHEMAS[name]):
        pass
    return path


def _copy(con: duckdb.DuckDBPyConnection, name: str, query: str, scratch: Scratch) -> Path:
    """A query's rows written to a Parquet file in `scratch`, in the table's schema and
    sorted by every column."""
    path = scratch.file(name)
    # Every merge query keeps its table's columns (views made by `_select`): no DESCRIBE.
    select = _select(con, f"({query})", SCHEMAS[name], SCHEMAS[name].names) + " ORDER BY ALL"
    # Written by Arrow from DuckDB's batches, so the files are as `pq.write_table` makes them.
    with pq.ParquetWriter(path, SCHEMAS[name]) as writer:
        reader = con.sql(select).to_arrow_reader(batch_size=BATCH_ROWS)
        for batch in reader:
            writer.write_batch(batch.cast(SCHEMAS[name]))
    return path


def _kept(spec: TableSpec) -> str:
    """The query keeping the rows of a table that its merge rule keeps."""
    merge = spec.merge
    match merge:
        case Span(start, end, restated):
            # A later return whose period the row's span overlaps.
            later = (
                f"r.la_code = t.la_code AND r.kind = '{spec.kind}' AND r.year > t.return_year "
                f"AND t.{start} <= r.period_end AND (t.{end} IS NULL OR t.{end} >= r.period_start)"
            )
            keys = [c.name for c in spec.columns if c.key]
            same = " AND ".join(f"u.{k} IS NOT DISTINCT FROM t.{k}" for k in keys) or "true"
            carried = (
                f"EXISTS (SELECT 1 FROM {spec.name} u WHERE u.la_code = t.la_code "
                f"AND u.return_year = r.year AND {same})"
            )
            kept = (
                f"FROM {spec.name} t WHERE NOT EXISTS (SELECT 1 FROM returns r WHERE {later} "
                f"AND (r.year = t.return_year + 1 OR {carried}))"
            )
            if restated:
                # Listed again by a newer return, of any year: the newest copy stands.
                kept += (
                    f" AND NOT EXISTS (SELECT 1 FROM {spec.name} u WHERE u.la_code = t.la_code "
                    f"AND u.return_year > t.return_year AND {same})"
                )
            if start == end:
                return f"SELECT t.* {kept}"
            # Kept past a missing return and not carried by the later one: it ended in the
            # missing year, so its blank end is at most the day before the later period.
            cut = (
                "(SELECT CAST(min(r.period_start) - INTERVAL 1 DAY AS DATE) FROM returns r "
                f"WHERE {later})"
            )
            return f"SELECT t.* REPLACE (coalesce(t.{end}, {cut}) AS {end}) {kept}"
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
