"""`cscmonitor records narrative`: a report's words as one Markdown or YAML file, out and in."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cscmonitor.records.cli import By, ContractName, DataDir, Role, _actor, _unit, err
from cscmonitor.records.narrative_sections import FileFormat, ReportKind

narrative_app: typer.Typer = typer.Typer(
    help="People's words in the reports: export a report's sections to one Markdown or YAML "
    "file, import it back, list what is missing.",
    no_args_is_help=True,
)

ReportOption = Annotated[
    ReportKind, typer.Option("--report", help="annual, quarterly or corporate-parenting.")
]
YearOption = Annotated[
    int, typer.Option("--contract-year", help="The contract year: 1 is the first.")
]
QuarterOption = Annotated[
    int | None, typer.Option("--quarter", help="1 to 4: the quarterly pack's quarter.")
]


@narrative_app.command("export")
def export(
    report: ReportOption,
    contract_year: YearOption,
    quarter: QuarterOption = None,
    file_format: Annotated[
        FileFormat | None,
        typer.Option("--format", help="md or yaml (default: from --output's suffix, else md)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", help="The file to write (default: the terminal).")
    ] = None,
    contract: ContractName = None,
    data_dir: DataDir = None,
) -> None:
    """Write every section of the report with its newest text, to edit and import back."""
    from cscmonitor.records import contracts
    from cscmonitor.records.narrative import ReportPeriod
    from cscmonitor.records.narrative_file import export_text

    with _unit(data_dir, _actor(None)) as session:
        period = ReportPeriod.of(report, contract_year, quarter)
        chosen = file_format or (FileFormat.of(output.name) if output else FileFormat.MARKDOWN)
        text = export_text(session, contracts.get_contract(session, contract), period, chosen)
    if output is None:
        typer.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    err.print(f"{period.label}: written to {output}", highlight=False)


@narrative_app.command("import")
def import_(
    file: Annotated[Path, typer.Option("--file", help="A narrative file (.md or .yaml).")],
    role: Role,
    by: By = None,
    data_dir: DataDir = None,
) -> None:
    """Add a version of each section whose text the file changes (yours to write only);
    on any problem nothing is written and the line is named."""
    from cscmonitor.records.narrative_file import import_file, parse

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        err.print(f"[red]error:[/red] {file}: cannot be read as UTF-8 text ({exc})")
        raise typer.Exit(code=2) from None
    with _unit(data_dir, _actor(by, role)) as session:
        held = parse(text, str(file))
        written = import_file(session, held, _actor(by, role), str(file))
    changed = ", ".join(written) if written else "no section changed"
    err.print(f"{held.period.label}: {changed}", highlight=False)


@narrative_app.command("missing")
def missing(
    report: ReportOption,
    contract_year: YearOption,
    quarter: QuarterOption = None,
    exception: Annotated[
        list[str] | None,
        typer.Option("--exception", help="An exception's indicator code (quarterly; repeat)."),
    ] = None,
    contract: ContractName = None,
    data_dir: DataDir = None,
) -> None:
    """List the sections neither written nor marked not applicable; exits 1 if any are."""
    from cscmonitor.records import contracts, narrative

    with _unit(data_dir, _actor(None)) as session:
        held = contracts.get_contract(session, contract)
        titles = narrative.missing_sections(
            session, held, report, contract_year, quarter, exceptions=exception or ()
        )
    for title in titles:
        typer.echo(title)
    if titles:
        raise typer.Exit(code=1)
