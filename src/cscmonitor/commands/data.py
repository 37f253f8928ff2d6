"""Commands that keep the data safe: snapshots (list, prune), rollback, verify, backup, restore.

Registered in `cli.COMMANDS`. Every refusal is one line naming what is wrong and the way
back, never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cscmonitor.terminal import DataDir, LazyConsole, settings_for

if TYPE_CHECKING:
    from cscmonitor.settings import Settings

err = LazyConsole(stderr=True, soft_wrap=True, highlight=False)

snapshots_app = typer.Typer(
    help="List the warehouse snapshots (oldest first; the current one is marked *), or prune them.",
    invoke_without_command=True,
    no_args_is_help=False,
)


def _settings(data_dir: Path | None) -> Settings:
    return settings_for(data_dir)


def _fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", markup=True)
    return typer.Exit(code=code)


@snapshots_app.callback()
def snapshots(ctx: typer.Context, data_dir: DataDir = None) -> None:
    """List the warehouse snapshots, oldest first; the current one is marked *."""
    if ctx.invoked_subcommand is not None:
        return
    from rich.console import Console
    from rich.table import Table

    from cscmonitor.warehouse import Warehouse

    warehouse = Warehouse(_settings(data_dir).warehouse_dir)
    held = warehouse.snapshots()
    if not held:
        raise _fail(f"no warehouse at {warehouse.root}: run `cscmonitor ingest` first")
    current = warehouse.current()
    table = Table(title=f"Snapshots in {warehouse.root}", title_justify="left")
    for column in ("", "snapshot", "created (UTC)", "returns", "rows", "errors", "warnings"):
        table.add_column(
            column, justify="right" if column in ("rows", "errors", "warnings") else "left"
        )
    for snapshot in held:
        manifest = snapshot.manifest
        validation = manifest.get("validation") or {}
        table.add_row(
            "*" if current is not None and current.id == snapshot.id else "",
            snapshot.id,
            snapshot.created_at,
            ", ".join(
                f"{r['kind']} {r['la_code']} {r['year']}" for r in manifest.get("returns", [])
            )[:80],
            f"{sum(manifest.get('row_counts', {}).values()):,}",
            str(validation.get("errors", "")),
            str(validation.get("warnings", "")),
        )
    Console().print(table)


@snapshots_app.command()
def prune(
    keep: Annotated[int, typer.Option("--keep", min=1, help="How many of the newest to keep.")],
    data_dir: DataDir = None,
) -> None:
    """Delete all but the newest KEEP snapshots; the current one is always kept, and so is
    every snapshot a signed report edition was made from."""
    from cscmonitor.records.db import DatabaseUnavailable, held_records
    from cscmonitor.records.editions import signed_snapshots
    from cscmonitor.returns.issues import ReturnError
    from cscmonitor.warehouse import Warehouse

    settings = _settings(data_dir)
    warehouse = Warehouse(settings.warehouse_dir)
    try:
        with held_records(settings) as session:
            signed = signed_snapshots(session) if session is not None else set()
        gone = warehouse.prune(keep, also_keep=signed)
    except (ReturnError, FileNotFoundError, DatabaseUnavailable) as exc:
        raise _fail(str(exc)) from None
    left = ", ".join(s.id for s in warehouse.snapshots())
    kept = f" ({', '.join(sorted(signed))} for signed report editions)" if signed else ""
    err.print(
        f"warehouse: deleted {len(gone)} snapshots ({', '.join(gone) or 'none'}); kept {left}{kept}"
    )


def rollback(
    snapshot_id: Annotated[str, typer.Argument(help="The snapshot to make current, e.g. 0003.")],
    data_dir: DataDir = None,
) -> None:
    """Make an earlier snapshot current again (atomically, after checking its checksums)."""
    from cscmonitor.returns.issues import ReturnError
    from cscmonitor.warehouse import Warehouse

    warehouse = Warehouse(_settings(data_dir).warehouse_dir)
    try:
        before = warehouse.current()
    except ReturnError:
        before = None  # a damaged manifest: rolling back is the way out of it
    try:
        restored = warehouse.rollback(snapshot_id.zfill(4))
    except (ReturnError, FileNotFoundError) as exc:
        raise _fail(str(exc)) from None
    was = f" (was {before.id})" if before is not None else ""
    err.print(f"warehouse: current snapshot {restored.id}{was}")


def verify(
    data_dir: DataDir = None,
    every: Annotated[
        bool, typer.Option("--all", help="Check every snapshot, not only the current one.")
    ] = False,
) -> None:
    """Check the warehouse against its checksums, the records database, and the key.

    Exits 1 when a snapshot is damaged or the key at hand is not the warehouse's.
    """
    from cscmonitor.integrity import check_installation

    findings = check_installation(_settings(data_dir), every=every)
    for finding in findings:
        mark = "[green]ok[/green]" if finding.ok else "[red]FAILED[/red]"
        err.print(f"{mark} {finding.what}: {finding.detail}", markup=True)
    if not all(f.ok for f in findings):
        raise typer.Exit(code=1)


def backup(
    to: Annotated[Path, typer.Option("--to", help="A new (or empty) folder for the backup.")],
    data_dir: DataDir = None,
) -> None:
    """Back up the records database and the current warehouse snapshot (never the key)."""
    from cscmonitor.backup import BackupError
    from cscmonitor.backup import backup as make_backup
    from cscmonitor.records.errors import RecordsError
    from cscmonitor.returns.issues import ReturnError

    try:
        made = make_backup(_settings(data_dir), to)
    except (BackupError, ReturnError, RecordsError, FileNotFoundError) as exc:
        raise _fail(str(exc)) from None
    err.print(
        f"backup: {made.describe()} -> {made.folder} (the pseudonymisation key is not in it: "
        "keep it apart, see docs/security.md)"
    )


def restore(
    source: Annotated[Path, typer.Option("--from", help="A folder `cscmonitor backup` wrote.")],
    data_dir: DataDir = None,
) -> None:
    """Rebuild an installation from a backup, into an empty data directory and database."""
    from cscmonitor.backup import BackupError
    from cscmonitor.backup import restore as run_restore
    from cscmonitor.records.errors import RecordsError
    from cscmonitor.returns.issues import ReturnError

    try:
        made = run_restore(_settings(data_dir), source)
    except (BackupError, ReturnError, RecordsError, FileNotFoundError) as exc:
        raise _fail(str(exc)) from None
    err.print(f"restore: {made.describe()}; run `cscmonitor verify` to check it")
