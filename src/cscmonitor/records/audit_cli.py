"""`cscmonitor audit verify`: walk the audit log's hash chain and say whether it is whole."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cscmonitor.records.errors import RecordsError

audit_app = typer.Typer(
    help="The audit log: check that no row was edited or removed.",
    no_args_is_help=True,
    add_completion=False,
)


@audit_app.callback()
def audit_group() -> None:
    """The audit log: check that no row was edited or removed."""


@audit_app.command()
def verify(
    head: Annotated[
        list[str] | None,
        typer.Option(
            "--head", help="A head hash printed by an earlier verify: it must still be in the log."
        ),
    ] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", help="Data directory (default: $CSCMONITOR_DATA_DIR, ./data)."),
    ] = None,
) -> None:
    """Find any edited or removed audit row; exits 1 naming each break, 0 when whole.

    Prints the newest row's hash: note it somewhere else (the minutes, a ticket) and pass it
    back with --head later, so even a rewrite of the whole log from that point is found.
    """
    # Rich, SQLAlchemy and the settings are imported here: `cscmonitor audit --help` needs none.
    from rich.console import Console

    from cscmonitor.records import audit, db
    from cscmonitor.records.audit import Actor
    from cscmonitor.settings import Settings

    err = Console(stderr=True, soft_wrap=True)
    settings = Settings(data_dir=data_dir) if data_dir else Settings()
    engine = db.make_engine(db.database_url(settings))
    try:
        db.require_schema(engine)
        with db.transaction(engine, Actor("cscmonitor audit verify")) as session:
            report = audit.verify(session, head or ())
    except (RecordsError, db.DatabaseUnavailable) as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(code=2) from None
    finally:
        engine.dispose()
    for line in report.breaks:
        err.print(f"[red]broken:[/red] {line}", highlight=False)
    state = "intact" if report.intact else f"BROKEN in {len(report.breaks)} places"
    print(f"audit log {state}: {report.rows} rows; head row {report.head_id} {report.head_hash}")
    if not report.intact:
        raise typer.Exit(code=1)
