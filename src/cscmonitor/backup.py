"""Backup and restore of an installation: the records, the current snapshot, never the key.

`backup` writes a folder holding the records database as portable files (records/dump.py),
the current warehouse snapshot with its manifest (checked against its checksums first, so
a damaged snapshot is never backed up) and the other snapshots signed report editions were
made from, the imported benchmark tables, the signed report editions' files, and
`backup.json`: what is in it and the SHA-256 of every file. It is written beside its target
and renamed into place, so a folder named as a backup is a whole one.

`restore` checks every file against `backup.json`, then rebuilds an installation in an
empty data directory and an empty records database; `cscmonitor verify` then passes on it.
The pseudonymisation key is not in a backup: keep it apart (docs/security.md); the backup
records only the key's check value, so `verify` can say whether the key at hand is the one.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cscmonitor.records import db, dump, editions
from cscmonitor.returns.parsed import sha256_of
from cscmonitor.settings import Settings
from cscmonitor.warehouse import Snapshot, Warehouse

FORMAT = 1
CONTENTS = "backup.json"
# What of the data directory a backup carries besides the warehouse and the records: the
# imported benchmark tables and the signed report editions' frozen files.
BENCHMARKS = "benchmarks"
EDITIONS = "editions"
CARRIED = (BENCHMARKS, EDITIONS)


class BackupError(ValueError):
    """A backup that cannot be made or restored; the message says why."""


@dataclass(frozen=True)
class BackupSummary:
    folder: Path
    snapshot: str
    records: dict[str, int]  # rows per table

    def describe(self) -> str:
        rows = sum(self.records.values())
        return f"snapshot {self.snapshot}, {rows:,} records in {len(self.records)} tables"


def backup(settings: Settings, target: Path) -> BackupSummary:
    """Write a backup of the installation into the new (or empty) folder `target`."""
    target = target.absolute()
    if target.resolve().is_relative_to(settings.data_dir.resolve()):
        raise BackupError(f"{target} is inside the data directory: keep backups apart from it")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} is not an empty folder: back up into a new one")
    warehouse = Warehouse(settings.warehouse_dir)
    snapshot = warehouse.verify()  # a damaged snapshot is refused here, naming the table
    staging = target.with_name(f".{target.name}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True, mode=0o700)
    try:
        shutil.copytree(snapshot.path, staging / "warehouse" / snapshot.id)
        engine = db.make_engine(db.database_url(settings))
        try:
            revision, counts = dump.dump(engine, staging / "records")
            signed = _signed_snapshots(engine, warehouse, snapshot.id)
        finally:
            engine.dispose()
        for kept in signed:
            shutil.copytree(kept.path, staging / "warehouse" / kept.id)
        for folder in CARRIED:
            if (settings.data_dir / folder).is_dir():
                # A signing that never committed leaves a staging folder: not worth keeping.
                skip = shutil.ignore_patterns(".staging-*")
                shutil.copytree(settings.data_dir / folder, staging / folder, ignore=skip)
        contents = {
            "format": FORMAT,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "snapshot": snapshot.id,
            "signed_snapshots": [s.id for s in signed],
            "key_check": (snapshot.manifest.get("privacy") or {}).get("key_check"),
            "records": {"revision": revision, "rows": counts},
            "files": _checksums(staging),
        }
        (staging / CONTENTS).write_text(json.dumps(contents, indent=2, sort_keys=True))
        if target.exists():
            target.rmdir()
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return BackupSummary(target, snapshot.id, counts)


def restore(settings: Settings, source: Path) -> BackupSummary:
    """Rebuild an installation from a backup, into an empty data directory and database."""
    contents = _checked(source)
    warehouse = Warehouse(settings.warehouse_dir)
    if warehouse.pointer.exists() or warehouse.snapshots():
        raise BackupError(
            f"{settings.data_dir} already holds a warehouse: restore into a new data directory"
        )
    engine = db.make_engine(db.database_url(settings))
    try:
        if dump.held_rows(engine):
            raise BackupError(
                f"the records database at {engine.url.render_as_string(hide_password=True)} "
                "already holds records: restore into an empty database"
            )
        snapshot_id = str(contents["snapshot"])
        placed = [*contents.get("signed_snapshots", []), snapshot_id]
        warehouse.snapshots_dir.mkdir(parents=True, exist_ok=True)
        try:
            for placing in placed:
                staging = warehouse.snapshots_dir / f".staging-{placing}-{os.getpid()}"
                shutil.copytree(source / "warehouse" / placing, staging)
                staging.rename(warehouse.snapshots_dir / placing)
                warehouse.verify(warehouse.snapshot(placing))
            warehouse.rollback(snapshot_id)  # verified, then made current atomically
            records = contents["records"]
            counts = dump.load(engine, source / "records", records["revision"])
        except BaseException:
            # Nothing half-restored: the next attempt starts from an empty directory again.
            warehouse.pointer.unlink(missing_ok=True)
            for placing in placed:
                shutil.rmtree(warehouse.snapshots_dir / placing, ignore_errors=True)
            raise
    finally:
        engine.dispose()
    for folder in CARRIED:
        if (source / folder).is_dir():
            shutil.copytree(source / folder, settings.data_dir / folder, dirs_exist_ok=True)
    return BackupSummary(source, snapshot_id, counts)


def _signed_snapshots(engine: db.Engine, warehouse: Warehouse, current: str) -> list[Snapshot]:
    """The other snapshots signed report editions were made from, still held (each verified:
    a damaged one is refused), so a restored installation can still verify its editions."""
    with db.Session(engine) as session:
        named = editions.signed_snapshots(session) - {current}
    held = {s.id: s for s in warehouse.snapshots()}
    return [warehouse.verify(held[i]) for i in sorted(named) if i in held]


def _checked(source: Path) -> dict[str, Any]:
    """The backup's contents, after every file is found whole."""
    path = source / CONTENTS
    if not path.exists():
        raise BackupError(f"{source} is not a cscmonitor backup (no {CONTENTS})")
    try:
        contents = json.loads(path.read_text())
    except ValueError:
        raise BackupError(f"{path} cannot be read: the backup is damaged") from None
    if contents.get("format") != FORMAT:
        raise BackupError(f"{source}: backup format {contents.get('format')} is not {FORMAT}")
    expected: dict[str, str] = contents["files"]
    found = _checksums(source)
    damaged = sorted(n for n in expected if found.get(n) != expected[n])
    if damaged:
        more = f" and {len(damaged) - 3} more" if len(damaged) > 3 else ""
        raise BackupError(
            f"{source}: {', '.join(damaged[:3])}{more} missing or damaged; not restored"
        )
    return contents


def _checksums(folder: Path) -> dict[str, str]:
    """SHA-256 of every file below `folder` (but the contents file), by relative path."""
    sums = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != CONTENTS):
        sums[path.relative_to(folder).as_posix()] = sha256_of(path)
    return sums
