"""`cscmonitor compute` and `cscmonitor indicators`: figures from the warehouse; the registry."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from cscmonitor.backends import Backend
from cscmonitor.output import Format, emit, render
from cscmonitor.periods import Series
from cscmonitor.terminal import (
    DataDir,
    FormatOption,
    OutputOption,
    fail,
    iso_date,
    settings_for,
    stderr,
)

if TYPE_CHECKING:
    from cscmonitor.periods import Period

PERIOD_FORMAT = "YYYY-MM-DD:YYYY-MM-DD"
_PERIOD = re.compile(r"(\d{4}-\d{2}-\d{2}):(\d{4}-\d{2}-\d{2})")


def parse_period(text: str) -> Period:
    """`--period` as a Period, or one line saying what was expected."""
    from cscmonitor.periods import Period

    match = _PERIOD.fullmatch(text.strip())
    try:
        if match is None:
            raise ValueError
        start, end = (dt.date.fromisoformat(part) for part in match.groups())
    except ValueError:
        raise fail(
            f"--period wants {PERIOD_FORMAT} (e.g. 2014-10-01:2015-09-30), not {text!r}"
        ) from None
    try:
        return Period(start, end)
    except ValueError as exc:
        raise fail(f"--period {text}: {exc}") from None


def indicator_code(text: str) -> str:
    """Indicator codes are upper case in the registry; a user may type them in any case."""
    return text.strip().upper()


def compute(
    period: Annotated[
        list[str] | None,
        typer.Option(
            metavar=PERIOD_FORMAT,
            help="The period, start and end dates inclusive; repeat for several.",
        ),
    ] = None,
    period_series: Annotated[
        Series | None, typer.Option("--period-series", help="A series of periods instead.")
    ] = None,
    start: Annotated[
        dt.date | None,
        typer.Option("--from", parser=iso_date, metavar="YYYY-MM-DD", help="Series start."),
    ] = None,
    end: Annotated[
        dt.date | None,
        typer.Option("--to", parser=iso_date, metavar="YYYY-MM-DD", help="Series end."),
    ] = None,
    rolling: Annotated[
        bool, typer.Option(help="Each period of the series is the 12 months to its end.")
    ] = False,
    year_start_month: Annotated[
        int,
        typer.Option(min=1, max=12, metavar="MONTH", help="First month (1-12) of a series' years."),
    ] = 4,
    data_dir: DataDir = None,
    la: Annotated[
        list[str] | None,
        typer.Option(
            "--la", metavar="CODE", help="LA codes; repeat for several (default: all held)."
        ),
    ] = None,
    indicator: Annotated[
        list[str] | None,
        typer.Option(metavar="CODE", help="Indicator codes; repeat for several (default: all)."),
    ] = None,
    backend: Annotated[
        Backend | None,
        typer.Option(help="Where the queries run (default: $CSCMONITOR_BACKEND or duckdb)."),
    ] = None,
    explain: Annotated[
        str | None,
        typer.Option(
            "--explain",
            metavar="CODE",
            help="Print the definition and the records behind one figure (one --la, one --period).",
        ),
    ] = None,
    format: FormatOption = Format.TABLE,
    output: OutputOption = None,
) -> None:
    """Compute indicators for every LA and period at once (one query per indicator)."""
    from cscmonitor.backends import SnapshotTables
    from cscmonitor.indicators.engine import compute as run
    from cscmonitor.indicators.engine import explain as explain_figure
    from cscmonitor.indicators.registry import get
    from cscmonitor.periods import series
    from cscmonitor.warehouse import Warehouse

    periods = [parse_period(p) for p in period or []]
    codes = [indicator_code(c) for c in indicator] if indicator else None
    settings = settings_for(data_dir)
    try:
        if period_series is not None:
            if start is None or end is None:
                raise ValueError("--period-series needs --from and --to")
            periods += series(
                period_series, start, end, rolling=rolling, year_start_month=year_start_month
            )
        if not periods:
            raise ValueError(
                f"give --period {PERIOD_FORMAT} or --period-series with --from and --to"
            )
        snapshot = Warehouse(settings.warehouse_dir).require_current()
        tables = SnapshotTables(snapshot, backend or Backend(settings.backend), settings)
        if explain is not None:
            if len(periods) != 1 or not la or len(la) != 1:
                raise ValueError("--explain needs exactly one --la and one period")
            code = indicator_code(explain)
            definition = get(code)
            rows = explain_figure(tables, code, periods[0], la[0])
            stderr().print(
                f"{definition.code} — {definition.title}\n{definition.definition}\n"
                f"{int(rows['counted'].sum())} of {len(rows)} records counted "
                f"(LA {la[0]}, {periods[0].label}); ids are pseudonyms.",
                markup=False,
            )
            emit(rows, format, output, title=f"Records behind {code}")
            return
        result = run(tables, periods, codes=codes, las=la)
    except (ValueError, KeyError, FileNotFoundError, RuntimeError) as exc:
        raise fail(str(exc).strip("'\"")) from None
    emit(result, format, output, title="Indicators")


class By(StrEnum):
    DOMAIN = "domain"
    FRAMEWORK = "framework"


def indicators(
    reference: Annotated[
        bool, typer.Option("--reference", help="Print the markdown reference page instead.")
    ] = False,
    by: Annotated[
        By | None,
        typer.Option(
            help="Group by domain, or by National Framework outcome and enabler (with the "
            "dashboard's benchmark-only measures and why each indicator sits where it does)."
        ),
    ] = None,
    format: FormatOption = Format.TABLE,
    output: OutputOption = None,
) -> None:
    """List the indicators the registry knows, with unit, polarity and source."""
    from cscmonitor.indicators.reference import reference_markdown

    if reference:
        print(reference_markdown(), end="")
        return
    from cscmonitor.indicators.listing import framework_listing, listing, without_measures

    if by is None:
        emit(listing(), format, output, title="Indicators")
        return
    groups = framework_listing() if by is By.FRAMEWORK else listing(by_domain=True)
    if format is not Format.TABLE:
        emit(groups, format, output, title="Indicators")
        return
    # On the screen, one table per group, titled by it.
    text = "".join(
        render(rows.drop(columns=["group", "group_code"]), Format.TABLE, title=str(title))
        for title, rows in groups.groupby("group", sort=False)
    )
    if by is By.FRAMEWORK and (gaps := without_measures()):
        text += "No measure yet: " + "; ".join(gaps) + ".\n"
    if output is None:
        print(text, end="")
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text)
