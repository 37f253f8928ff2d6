"""`cscmonitor figures`: print the figure model for a contract year, as the API serves it.

Mounted on the main app by `cli.py` (`app.command()(figures)`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Annotated

import typer

from cscmonitor.output import Format
from cscmonitor.terminal import DataDir, iso_date, settings_for, stderr

# The columns the terminal table shows; csv and json carry every key of the record.
TABLE_COLUMNS = (
    "indicator",
    "value_text",
    "target",
    "rag",
    "travel_text",
    "quartile_band",
    "benchmark_year",
    "outlook",
)


def figures(
    contract_year: Annotated[
        int, typer.Option("--contract-year", min=1, help="The contract year, from 1.")
    ],
    data_dir: DataDir = None,
    as_at: Annotated[
        dt.date | None,
        typer.Option(
            "--as-at",
            parser=iso_date,
            metavar="YYYY-MM-DD",
            help="Judge RAG, travel and trajectories as at this date (default: today).",
        ),
    ] = None,
    format: Annotated[
        Format, typer.Option("--format", help="table, csv or json (csv and json: every key).")
    ] = Format.TABLE,
    contract: Annotated[
        str | None,
        typer.Option(
            "--contract",
            help="Contract YAML file, a packaged contract's name, or a contract the records hold "
            "(default: the records' only contract, else doncaster-2014).",
        ),
    ] = None,
) -> None:
    """The figure model of the basket: value, interval, RAG, travel, benchmarks, trajectory."""
    from cscmonitor.figures import RECORD_KEYS, contract_year_figures
    from cscmonitor.records.errors import RecordsError
    from cscmonitor.reports.context.sources import open_sources
    from cscmonitor.terms import ContractError

    settings = settings_for(data_dir)
    when = as_at or dt.date.today()
    try:
        with open_sources(settings, contract_year, contract) as sources:
            found = contract_year_figures(
                sources.tables,
                sources.terms,
                contract_year,
                as_at=when,
                published=sources.published,
                change_points=sources.phases(),
            )
    except (ValueError, KeyError, FileNotFoundError, ContractError, RecordsError) as exc:
        stderr().print(f"[red]error:[/red] {str(exc).strip(chr(39) + chr(34))}", highlight=False)
        raise typer.Exit(code=2) from None
    records = [f.record() for f in found]
    match format:
        case Format.JSON:
            typer.echo(json.dumps(records, indent=2, ensure_ascii=False))
        case Format.CSV:
            text = io.StringIO()
            writer = csv.DictWriter(text, fieldnames=RECORD_KEYS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(records)
            typer.echo(text.getvalue(), nl=False)
        case Format.TABLE:
            import pandas as pd

            from cscmonitor.output import emit

            frame = pd.DataFrame(records, columns=list(RECORD_KEYS))[list(TABLE_COLUMNS)]
            emit(frame, Format.TABLE, None, title=f"Contract year {contract_year}, as at {when}")
