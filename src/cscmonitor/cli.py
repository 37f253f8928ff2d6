"""The `cscmonitor` command: one sub-command per stage of the flow, plus the demo."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from cscmonitor.backends import Backend
from cscmonitor.benchmark_cli import benchmark, benchmarks_app
from cscmonitor.output import Format, emit
from cscmonitor.periods import Period, Series, series
from cscmonitor.records.audit_cli import audit_app
from cscmonitor.records.cli import records_app
from cscmonitor.reports.cli import report_app
from cscmonitor.returns.issues import ReturnError
from cscmonitor.settings import Settings
from cscmonitor.web.cli import serve, users_app

if TYPE_CHECKING:
    from cscmonitor.ingest import ValidationReport

app = typer.Typer(
    help="Run a children's social care Service Delivery Contract from the statutory returns.",
    no_args_is_help=True,
    add_completion=False,
)
err = Console(stderr=True)
app.command()(benchmark)
app.add_typer(benchmarks_app, name="benchmarks")
app.add_typer(records_app, name="records")
app.add_typer(audit_app, name="audit")
app.add_typer(report_app, name="report")
app.add_typer(users_app, name="users")
app.command()(serve)

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Data directory (default: $CSCMONITOR_DATA_DIR or ./data)."),
]


def _settings(data_dir: Path | None) -> Settings:
    return Settings(data_dir=data_dir) if data_dir else Settings()


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}")
    return typer.Exit(code=2)


# One LA from a scenario, or every LA in England (--scale england): see synth/cli.py.
from cscmonitor.synth.cli import synth  # noqa: E402

app.command()(synth)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Return files, or folders holding them.")],
    data_dir: DataDir = None,
    la: Annotated[
        str | None,
        typer.Option("--la", help="LA code of SSDA903, workforce, early help and school returns."),
    ] = None,
    year: Annotated[
        int | None,
        typer.Option(help="Collection year (the year it ends); default: inferred from the data."),
    ] = None,
) -> None:
    """Parse returns, check them, pseudonymise ids, and merge them into a new warehouse snapshot.

    Writes the validation report (every problem, and rows read, loaded and rejected per
    file and table) to DATA_DIR/reports as CSV and XLSX. Exits 1 only when nothing at all
    could be loaded.
    """
    from rich.progress import BarColumn, DownloadColumn, Progress, TaskID, TextColumn

    from cscmonitor.ingest import NothingLoaded, files_under
    from cscmonitor.ingest import ingest as run_ingest

    settings = _settings(data_dir)
    try:
        total = sum(p.stat().st_size for p in files_under(paths))
        bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            console=err,
            transient=True,
            disable=total < 20 << 20,  # small returns take a moment; no bar needed
        )
        tasks: dict[Path, TaskID] = {}

        def progress(path: Path, at: int, size: int) -> None:
            if path not in tasks:
                tasks[path] = bar.add_task(f"reading {path.name}", total=size)
            bar.update(tasks[path], completed=at)

        with bar:
            report = run_ingest(paths, settings, la_code=la, year=year, progress=progress)
    except NothingLoaded as exc:
        _print_ingest(exc.report)
        err.print(f"[red]error:[/red] {exc}", markup=True, highlight=False, soft_wrap=True)
        raise typer.Exit(code=1) from None
    except (ReturnError, FileNotFoundError) as exc:
        raise _fail(str(exc)) from None
    _print_ingest(report)
    snapshot = report.result.snapshot
    verb = "new snapshot" if report.result.changed else "unchanged; current snapshot"
    err.print(
        f"warehouse: {verb} {snapshot.id} ({report.problems.errors} errors, "
        f"{report.problems.warnings} warnings)",
        highlight=False,
    )


def _print_ingest(report: ValidationReport) -> None:
    """Per return: rows read, loaded, rejected; the problems by rule; where the report is."""
    import pyarrow.compute as pc
    from rich.table import Table

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
    if problems.num_rows:
        rules = (
            problems.group_by(["rule", "severity"])
            .aggregate([("rule", "count")])
            .sort_by([("rule_count", "descending"), ("rule", "ascending")])
        )
        shown = Table(title="Problems by rule", title_justify="left")
        for column in ("rule", "severity", "count", "first found"):
            shown.add_column(column, justify="right" if column == "count" else "left")
        for row in rules.slice(0, 15).to_pylist():
            first = problems.filter(pc.equal(problems["rule"], row["rule"])).slice(0, 1)
            where = first.to_pylist()[0]
            shown.add_row(
                row["rule"],
                row["severity"],
                f"{row['rule_count']:,}",
                f"{Path(where['file']).name} {where['location']}: {where['message']}"[:120],
            )
        err.print(shown)
        if rules.num_rows > 15:
            err.print(f"… and {rules.num_rows - 15} more rules; every problem is in the report.")
    csv_file, xlsx_file = report.report_files
    err.print(f"report: {csv_file} and {xlsx_file}", highlight=False, soft_wrap=True)


@app.command()
def snapshots(data_dir: DataDir = None) -> None:
    """List the warehouse snapshots, oldest first; the current one is marked *."""
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


@app.command()
def rollback(
    snapshot_id: Annotated[str, typer.Argument(help="The snapshot to make current, e.g. 0003.")],
    data_dir: DataDir = None,
) -> None:
    """Make an earlier snapshot current again (atomically; no snapshot is deleted)."""
    from cscmonitor.warehouse import Warehouse

    warehouse = Warehouse(_settings(data_dir).warehouse_dir)
    try:
        before = warehouse.current()
        restored = warehouse.rollback(snapshot_id.zfill(4))
    except (ReturnError, FileNotFoundError) as exc:
        raise _fail(str(exc)) from None
    was = f" (was {before.id})" if before is not None else ""
    err.print(f"warehouse: current snapshot {restored.id}{was}", highlight=False)


@app.command()
def compute(
    period: Annotated[
        list[str] | None, typer.Option(help="START:END in ISO dates; repeat for several.")
    ] = None,
    period_series: Annotated[
        Series | None, typer.Option("--period-series", help="A series of periods instead.")
    ] = None,
    start: Annotated[
        dt.datetime | None, typer.Option("--from", formats=["%Y-%m-%d"], help="Series start.")
    ] = None,
    end: Annotated[
        dt.datetime | None, typer.Option("--to", formats=["%Y-%m-%d"], help="Series end.")
    ] = None,
    rolling: Annotated[
        bool, typer.Option(help="Each period of the series is the 12 months to its end.")
    ] = False,
    year_start_month: Annotated[
        int, typer.Option(min=1, max=12, help="First month of an annual series' years.")
    ] = 4,
    data_dir: DataDir = None,
    la: Annotated[
        list[str] | None, typer.Option("--la", help="LA codes (default: all held).")
    ] = None,
    indicator: Annotated[
        list[str] | None, typer.Option(help="Indicator codes (default: all).")
    ] = None,
    backend: Annotated[Backend, typer.Option(help="Where the queries run.")] = Backend.DUCKDB,
    explain: Annotated[
        str | None,
        typer.Option(
            "--explain",
            metavar="CODE",
            help="Print the definition and the records behind one figure (one --la, one --period).",
        ),
    ] = None,
    format: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.TABLE,
    output: Annotated[
        Path | None, typer.Option(help="Write to this file instead of the screen.")
    ] = None,
) -> None:
    """Compute indicators for every LA and period at once (one query per indicator)."""
    from cscmonitor.backends import SnapshotTables
    from cscmonitor.indicators.engine import compute as run
    from cscmonitor.indicators.engine import explain as explain_figure
    from cscmonitor.indicators.registry import get
    from cscmonitor.warehouse import Warehouse

    try:
        periods = [Period.parse(p) for p in period or []]
        if period_series is not None:
            if start is None or end is None:
                raise ValueError("--period-series needs --from and --to")
            periods += series(
                period_series,
                start.date(),
                end.date(),
                rolling=rolling,
                year_start_month=year_start_month,
            )
        if not periods:
            raise ValueError("give --period START:END or --period-series with --from and --to")
        snapshot = Warehouse(_settings(data_dir).warehouse_dir).require_current()
        tables = SnapshotTables(snapshot, backend)
        if explain is not None:
            if len(periods) != 1 or not la or len(la) != 1:
                raise ValueError("--explain needs exactly one --la and one period")
            definition = get(explain)
            rows = explain_figure(tables, explain, periods[0], la[0])
            err.print(
                f"{definition.code} — {definition.title}\n{definition.definition}\n"
                f"{int(rows['counted'].sum())} of {len(rows)} records counted "
                f"(LA {la[0]}, {periods[0].label}); ids are pseudonyms."
            )
            emit(rows, format, output, title=f"Records behind {explain}")
            return
        result = run(tables, periods, codes=indicator, las=la)
    except (ValueError, KeyError, FileNotFoundError, RuntimeError) as exc:
        raise _fail(str(exc).strip("'\"")) from None
    emit(result, format, output, title="Indicators")


@app.command()
def indicators(
    reference: Annotated[
        bool, typer.Option("--reference", help="Print the markdown reference page instead.")
    ] = False,
) -> None:
    """List the indicators the registry knows, with unit, polarity and source."""
    import pandas as pd

    from cscmonitor.indicators.reference import reference_markdown
    from cscmonitor.indicators.registry import all_indicators

    if reference:
        print(reference_markdown(), end="")
        return
    known = all_indicators()
    frame = pd.DataFrame(
        {
            "code": [i.code for i in known],
            "title": [i.title for i in known],
            "unit": [str(i.unit) for i in known],
            "polarity": [str(i.polarity) for i in known],
            "source": [i.source.label for i in known],
        }
    )
    emit(frame, Format.TABLE, None, title="Indicators")


ContractOption = Annotated[
    str,
    typer.Option("--contract", help="Contract YAML file, or a packaged one by name."),
]


def _assessments(data_dir: Path | None, contract_name: str, year: int | None) -> tuple:
    from cscmonitor.assess import assess as run_assess
    from cscmonitor.basket import basket_results, contract_from
    from cscmonitor.contract import ContractError
    from cscmonitor.warehouse import Warehouse

    try:
        contract = contract_from(contract_name)
        warehouse = Warehouse(_settings(data_dir).warehouse_dir)
        tables = warehouse.tables()
        results = basket_results(tables, contract)
        return contract, tables.snapshot, run_assess(results, contract, year=year)
    except (ContractError, ValueError, KeyError, FileNotFoundError) as exc:
        raise _fail(str(exc)) from None


@app.command()
def assess(
    contract: ContractOption = "doncaster-2014",
    data_dir: DataDir = None,
    year: Annotated[
        int | None, typer.Option(help="Contract year (default: the latest ended).")
    ] = None,
    format: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.TABLE,
    output: Annotated[
        Path | None, typer.Option(help="Write to this file instead of the screen.")
    ] = None,
) -> None:
    """Rate the contract's basket: RAG against target and tolerance, direction of travel."""
    from cscmonitor.reports.table import assessment_table

    terms, _snapshot, assessments = _assessments(data_dir, contract, year)
    emit(assessment_table(assessments), format, output, title=terms.name)


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Folder for the returns, warehouse and report.")] = Path(
        "demo-output"
    ),
    seed: Annotated[int, typer.Option(help="Seed for the synthetic returns.")] = 0,
) -> None:
    """Run the whole flow on synthetic Doncaster returns: synth, ingest, compute, assess, report."""
    from cscmonitor.demo import run_demo

    result = run_demo(out, seed=seed, console=err)
    emit(
        result.table, Format.TABLE, None, title="Doncaster basket: computed (reported in the seed)"
    )
    print(f"Report: {result.report.resolve()}")
    data = (out / "data").resolve()
    print(f"Web app: cscmonitor serve --data-dir {data}  ->  http://127.0.0.1:8000/")
    print("Demo sign-ins (development only):")
    for role, username, password in result.sign_ins:
        print(f"  {role:<16} {username:<8} {password}")


def main() -> None:
    """The `cscmonitor` command. A records database that is locked or cannot be reached is
    one line on stderr and exit status 2, whichever command met it, never a traceback."""
    from cscmonitor.records.db import DatabaseUnavailable

    try:
        app()
    except DatabaseUnavailable as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
