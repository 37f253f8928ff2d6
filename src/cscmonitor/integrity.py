"""`cscmonitor verify`: is the installation whole? Snapshots, records database, key.

Each check gives one finding (one line): snapshots against their manifest's checksums,
the records database reachable and migrated, and whether the pseudonymisation key at hand
is the one the warehouse was built with (a key is never made here).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from cscmonitor.privacy import KeyLocationError, key_check, key_path
from cscmonitor.records import db, dump
from cscmonitor.returns.issues import ReturnError
from cscmonitor.settings import Settings
from cscmonitor.warehouse import Warehouse


@dataclass(frozen=True)
class Finding:
    what: str
    ok: bool
    detail: str


def check_installation(settings: Settings, *, every: bool = False) -> list[Finding]:
    """The warehouse (current snapshot, or `every` one), the records database and the key."""
    return [*_snapshots(settings, every), _records(settings), _key(settings)]


def _snapshots(settings: Settings, every: bool) -> list[Finding]:
    warehouse = Warehouse(settings.warehouse_dir)
    try:
        current = warehouse.current()
        chosen = warehouse.snapshots() if every else ([current] if current else [])
    except ReturnError as exc:
        return [Finding("warehouse", False, str(exc))]
    if not chosen:
        return [Finding("warehouse", True, f"no snapshots yet in {warehouse.root}")]
    findings = []
    for snapshot in chosen:
        label = f"snapshot {snapshot.id}" + (" (current)" if snapshot == current else "")
        try:
            warehouse.verify(snapshot)
        except ReturnError as exc:
            findings.append(Finding(label, False, str(exc)))
            continue
        tables = len(snapshot.manifest.get("parquet_sha256", {}))
        findings.append(Finding(label, True, f"{tables} tables match their checksums"))
    return findings


def _records(settings: Settings) -> Finding:
    engine = db.make_engine(db.database_url(settings))
    where = engine.url.render_as_string(hide_password=True)
    try:
        revision = db.schema_revision(engine)
        rows = dump.held_rows(engine)
    except SQLAlchemyError as exc:
        first = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        return Finding("records", False, f"{where}: {first}")
    finally:
        engine.dispose()
    if revision is None:
        return Finding("records", True, f"{where}: no records yet")
    return Finding("records", True, f"{where}: migration {revision}, {rows:,} rows")


def _key(settings: Settings) -> Finding:
    warehouse = Warehouse(settings.warehouse_dir)
    try:
        path = key_path(settings)
        current = warehouse.current()
    except (KeyLocationError, ReturnError) as exc:
        return Finding("key", False, str(exc))
    wanted = ((current.manifest.get("privacy") or {}) if current else {}).get("key_check")
    if settings.pseudonym_key is not None:
        key, where = settings.pseudonym_key.get_secret_value().encode(), "CSCMONITOR_PSEUDONYM_KEY"
    elif path.exists():
        key, where = path.read_text().strip().encode(), str(path)
    else:
        return Finding(
            "key", True, f"none at {path} (needed only to ingest; set CSCMONITOR_KEY_FILE)"
        )
    if wanted is None:
        return Finding("key", True, f"{where} (no warehouse yet to match it against)")
    if key_check(key) != wanted:
        return Finding(
            "key",
            False,
            f"{where} is not the key this warehouse was built with: ingest would be refused; "
            "use the installation's own key",
        )
    return Finding("key", True, f"{where} is the warehouse's key")
