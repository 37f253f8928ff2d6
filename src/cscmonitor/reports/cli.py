"""The `report` commands: the quarterly report, the annual review, the corporate parenting pack,
the National Framework pack and the summary, in HTML, PDF, DOCX or XLSX.

Mounted on the main app by `cli.py`:

    from cscmonitor.reports.cli import report_app
    app.add_typer(report_app, name="report")
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from cscmonitor.reports.edition_cli import edition_app
from cscmonitor.terminal import DataDir, iso_date, settings_for, stderr

report_app = typer.Typer(
    help="Write the reports people read: quarterly, annual review, corporate parenting, "
    "National Framework, summary.",
    no_args_is_help=True,
    add_completion=False,
)
# Editions and sign-off: `cscmonitor report edition …`.
report_app.add_typer(edition_app, name="edition")

ContractOption = Annotated[
    str | None,
    typer.Option(
        "--contract",
        help="Contract YAML file, a packaged contract's name, or a contract the records hold "
        "(default: the records' only contract, else doncaster-2014).",
    ),
]
YearOption = Annotated[
    int | None,
    typer.Option("--contract-year", min=1, help="Contract year (default: the latest covered)."),
]
FormatOption = Annotated[
    str,
    typer.Option(
        "--format",
        help="html, pdf, docx or xlsx (xlsx: the data tables); several joined by commas, or "
        "all: the figures are computed once and each format is written beside --output, "
        "with its own suffix.",
    ),
]
OutputOption = Annotated[
    Path, typer.Option("--output", help="The file to write (with several formats: its stem).")
]
PublishOption = Annotated[
    bool,
    typer.Option(
        "--publish/--internal",
        help="Publication mode: counts of 1 to 5 and figures derived from them shown as c.",
    ),
]
AsAtOption = Annotated[
    dt.date | None,
    typer.Option(
        "--as-at",
        parser=iso_date,
        metavar="YYYY-MM-DD",
        help="Judge figures, trajectories and overdue actions as at this date "
        "(default: the report's own date).",
    ),
]
DraftOption = Annotated[
    bool,
    typer.Option(
        "--draft",
        help="Write the report even with no figures held: every page is marked "
        "'DRAFT — figures not held'.",
    ),
]


def _write(
    report: str,
    *,
    output: Path,
    format: str,
    data_dir: Path | None,
    contract: str | None,
    year: int | None,
    quarter: int | None,
    publish: bool,
    as_at: dt.date | None,
    draft: bool,
) -> None:
    from cscmonitor.records.errors import RecordsError
    from cscmonitor.reports.disclosure import Mode
    from cscmonitor.reports.publish import Report, outputs_for, write_reports
    from cscmonitor.terms import ContractError

    try:
        written = write_reports(
            settings_for(data_dir),
            Report(report),
            outputs_for(format, output),
            contract=contract,
            year=year,
            quarter=quarter,
            mode=Mode.PUBLICATION if publish else Mode.INTERNAL,
            as_at=as_at,
            draft=draft,
        )
    except (ValueError, KeyError, FileNotFoundError, ContractError, RecordsError) as exc:
        stderr().print(f"[red]error:[/red] {str(exc).strip(chr(39) + chr(34))}", highlight=False)
        raise typer.Exit(code=2) from None
    for path in written:
        stderr().print(f"report: {path}", highlight=False)


def _for_a_quarter(report: str, summary: str) -> Callable[..., None]:
    """A command writing `report`, which is made for a quarter of a contract year."""

    def command(
        output: OutputOption,
        quarter: Annotated[int, typer.Option("--quarter", min=1, max=4, help="Quarter 1 to 4.")],
        year: YearOption = None,
        format: FormatOption = "html",
        contract: ContractOption = None,
        publish: PublishOption = False,
        as_at: AsAtOption = None,
        draft: DraftOption = False,
        data_dir: DataDir = None,
    ) -> None:
        _write(
            report,
            output=output,
            format=format,
            data_dir=data_dir,
            contract=contract,
            year=year,
            quarter=quarter,
            publish=publish,
            as_at=as_at,
            draft=draft,
        )

    command.__doc__ = summary
    return command


report_app.command("quarterly")(
    _for_a_quarter(
        "quarterly",
        "The quarterly performance report: the basket, a page per indicator, money, actions.",
    )
)
report_app.command("framework")(
    _for_a_quarter(
        "framework",
        "The National Framework pack: every measure by outcome and enabler, at a quarter's end.",
    )
)


@report_app.command()
def annual(
    output: OutputOption,
    year: YearOption = None,
    format: FormatOption = "html",
    contract: ContractOption = None,
    publish: PublishOption = False,
    as_at: AsAtOption = None,
    draft: DraftOption = False,
    data_dir: DataDir = None,
) -> None:
    """The annual review to the Secretary of State, with appendices and page references."""
    _write(
        "annual",
        output=output,
        format=format,
        data_dir=data_dir,
        contract=contract,
        year=year,
        quarter=None,
        publish=publish,
        as_at=as_at,
        draft=draft,
    )


@report_app.command("corporate-parenting")
def corporate_parenting(
    output: OutputOption,
    year: YearOption = None,
    quarter: Annotated[
        int | None, typer.Option("--quarter", min=1, max=4, help="To a quarter's end.")
    ] = None,
    format: FormatOption = "html",
    contract: ContractOption = None,
    publish: PublishOption = False,
    as_at: AsAtOption = None,
    draft: DraftOption = False,
    data_dir: DataDir = None,
) -> None:
    """The corporate parenting pack: children looked after, care leavers, the virtual school."""
    _write(
        "corporate-parenting",
        output=output,
        format=format,
        data_dir=data_dir,
        contract=contract,
        year=year,
        quarter=quarter,
        publish=publish,
        as_at=as_at,
        draft=draft,
    )


@report_app.command()
def summary(
    output: OutputOption,
    contract: Annotated[
        str, typer.Option("--contract", help="Contract YAML file, or a packaged one by name.")
    ] = "doncaster-2014",
    year: YearOption = None,
    as_at: AsAtOption = None,
    draft: DraftOption = False,
    data_dir: DataDir = None,
) -> None:
    """The one-page HTML summary of performance against the basket for a contract year."""
    from cscmonitor.basket import contract_from
    from cscmonitor.figures import (
        contract_year_figures,
        latest_contract_year,
        refuse_without_figures,
    )
    from cscmonitor.reports.context.sources import published_tables
    from cscmonitor.reports.summary import build_summary_context, write_summary
    from cscmonitor.terms import ContractError
    from cscmonitor.warehouse import Warehouse

    settings = settings_for(data_dir)
    when = as_at or dt.date.today()
    try:
        terms = contract_from(contract)
        tables = Warehouse(settings.warehouse_dir).tables()
        chosen = year if year is not None else latest_contract_year(tables, terms, when)
        figures = contract_year_figures(
            tables, terms, chosen, as_at=when, published=published_tables(settings)
        )
        if not draft:
            what = f"the summary of contract year {chosen}"
            refuse_without_figures(figures, what, terms.contract_year(chosen))
    except (ContractError, ValueError, KeyError, FileNotFoundError) as exc:
        stderr().print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(code=2) from None
    created = dt.datetime.fromisoformat(tables.snapshot.manifest["created_at"]).date()
    context = build_summary_context(
        terms, figures, snapshot_id=tables.snapshot.id, snapshot_date=created, draft=draft
    )
    stderr().print(f"report: {write_summary(output, context)}", highlight=False)
