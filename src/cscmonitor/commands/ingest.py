"""`cscmonitor ingest`, `snapshots` and `rollback`: returns into the warehouse, and its history."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cscmonitor.terminal import DataDir, fail, fields_for, stderr

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import TaskID

    from cscmonitor.ingest import ValidationReport

# Returns smaller than this take a moment: no progress bar (nor Rich's progress imported).
BAR_BYTES = 20 << 20


class _Bar:
    """A progress bar of the files being read, a task per file."""

    def __init__(self, console: Console) -> None:
        from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn

        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            console=console,
            transient=True,
        )
        self.tasks: dict[Path, TaskID] = {}

    def step(self, path: Path, at: int, size: int) -> None:
        if path not in self.tasks:
            self.tasks[path] = self.progress.add_task(f"reading {path.name}", total=size)
        self.progress.update(self.tasks[path], completed=at)


def ingest(
    paths: Annotated[
        list[Path], typer.Argument(metavar="PATH", help="Return files, or folders holding them.")
    ],
    data_dir: DataDir = None,
    la: Annotated[
        str | None,
        typer.Option(
            "--la",
            metavar="CODE",
            help="LA code of SSDA903, workforce, early help and school returns.",
        ),
    ] = None,
    year: Annotated[
        int | None,
        typer.Option(
            metavar="YEAR",
            help="Collection year (the year it ends); default: inferred from the data.",
        ),
    ] = None,
    partial: Annotated[
        bool,
        typer.Option(
            "--partial",
            help="Replace only the tables given of a return already held, keeping its others.",
        ),
    ] = False,
    postcode_lookup: Annotated[
        Path | None,
        typer.Option(
            "--postcode-lookup",
            metavar="CSV",
            help="Postcode lookup (postcode, easting, northing) for 903 placement distances; "
            "default $CSCMONITOR_POSTCODE_LOOKUP (docs/postcodes.md).",
        ),
    ] = None,
) -> None:
    """Parse returns, check them, pseudonymise ids, and merge them into a new warehouse snapshot.

    Writes the validation report (every problem, and rows read, loaded and rejected per
    file and table) to DATA_DIR/reports as CSV and XLSX. A return already held is replaced
    only by a whole return (every table it holds, every file readable); anything less is
    refused unless --partial is given. Exits 1 when refused or when nothing could be loaded.
    A 903 episode without PL_DISTANCE gets its distance from home to placement worked out
    from its postcodes through the postcode lookup, when there is one.
    """
    from cscmonitor.returns.lean import arrow_for_ingest, duckdb_for_ingest, lean_process

    arrow_for_ingest()  # before the imports below load pyarrow and DuckDB
    from cscmonitor.returns.files import files_under
    from cscmonitor.returns.issues import ReturnError

    try:
        files = files_under(paths)
    except ReturnError as exc:
        raise fail(str(exc)) from None
    duckdb_for_ingest(files)
    from cscmonitor.ingest import NothingLoaded, Refused
    from cscmonitor.ingest import ingest as run_ingest

    settings = fields_for(data_dir)
    if postcode_lookup is not None:
        settings = settings.model_copy(update={"postcode_lookup": postcode_lookup})
    err = stderr()
    try:
        total = sum(p.stat().st_size for p in files)
        bar = _Bar(err) if total >= BAR_BYTES else None
        with bar.progress if bar is not None else nullcontext(), lean_process():
            report = run_ingest(
                paths,
                settings,
                la_code=la,
                year=year,
                progress=bar.step if bar is not None else None,
                partial=partial,
            )
    except (NothingLoaded, Refused) as exc:
        _print_ingest(exc.report)
        err.print(f"[red]error:[/red] {exc}", markup=True, soft_wrap=True)
        raise typer.Exit(code=1) from None
    except (ReturnError, FileNotFoundError) as exc:
        raise fail(str(exc)) from None
    _print_ingest(report)
    snapshot = report.result.snapshot
    verb = "new snapshot" if report.result.changed else "unchanged; current snapshot"
    err.print(
        f"warehouse: {verb} {snapshot.id} ({report.problems.errors} errors, "
        f"{report.problems.warnings} warnings)"
    )


def _print_ingest(report: ValidationReport) -> None:
    """Per return: rows read, loaded, rejected; the problems by rule; where the report is."""
    import pyarrow.compute as pc
    from rich.table import Table

    err = stderr()
    table = Table(title="Returns ingested", title_justify="left")
    for column in ("return", "LA", "year", "read", "loaded", "rejected", "errors", "warnings"):
        table.add_column(column, justify="left" if column == "return" else "right")
    for parsed in report.parsed:
        counts = parsed.counts()
        read = sum(c.read for c in counts)
        loaded = sum(c.loaded for c in counts)
        table.add_row(
            parsed.info.kind,
            parsed.info.la_code,
            str(parsed.info.year),
            f"{read:,}",
            f"{loaded:,}",
            f"{read - loaded:,}",
            f"{parsed.problems.errors:,}",
            f"{parsed.problems.warnings:,}",
        )
    err.print(table)
    problems = report.problems.table
    # Every problem counted (the report lists the first of each rule), most frequent first.
    counted: dict[tuple[str, str], int] = {}
    for (_file, _table, rule, severity), n in report.problems.counts().items():
        if rule != "NOT_LISTED":
            counted[(rule, severity)] = counted.get((rule, severity), 0) + n
    rules = sorted(counted.items(), key=lambda item: (-item[1], item[0][0]))
    if rules:
        shown = Table(title="Problems by rule", title_justify="left")
        for column in ("rule", "severity", "count", "first found"):
            shown.add_column(column, justify="right" if column == "count" else "left")
        for (rule, severity), n in rules[:15]:
            first = problems.filter(pc.equal(problems["rule"], rule)).slice(0, 1)
            where = first.to_pylist()[0]
            shown.add_row(
                rule,
                severity,
                f"{n:,}",
                f"{Path(where['file']).name} {where['location']}: {where['message']}"[:120],
            )
        err.print(shown)
        if len(rules) > 15:
            err.print(f"… and {len(rules) - 15} more rules; the report lists each one's first.")
    csv_file, xlsx_file = report.report_files
    err.print(f"report: {csv_file} and {xlsx_file}", soft_wrap=True)
