"""`cscmonitor spc`: control charts of indicators' monthly or quarterly series (docs/spc.md)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cscmonitor.output import Format, emit
from cscmonitor.periods import Series
from cscmonitor.terminal import LazyConsole, settings_for

if TYPE_CHECKING:
    import pandas as pd

    from cscmonitor.records.change_points import PhaseStart
    from cscmonitor.settings import Settings

# What the command prints: `spc.SPC_COLUMNS` for one LA (named here so that importing the
# command stays light: the charts are computed only when it runs).
COLUMNS = [
    "indicator",
    "period_end",
    "value",
    "mean",
    "lower_limit",
    "upper_limit",
    "phase",
    "signal",
    "signal_rule",
    "variation",
    "assurance",
    "chart",
]
err = LazyConsole(stderr=True, soft_wrap=True)


class Points(StrEnum):
    """The series a chart reads: years are too few points for one."""

    MONTHLY = Series.MONTHLY.value
    QUARTERLY = Series.QUARTERLY.value


# Where the first basket's targets start to apply: before any return (the baseline years are
# read against the contract's targets too).
FROM_THE_START = dt.date(1900, 1, 1)


def spc(
    la: Annotated[str, typer.Option("--la", help="The LA's DfE code, e.g. 371.")],
    indicator: Annotated[
        list[str], typer.Option("--indicator", help="Indicator code; repeat for several.")
    ],
    start: Annotated[
        dt.datetime, typer.Option("--from", formats=["%Y-%m-%d"], help="Series start.")
    ],
    end: Annotated[dt.datetime, typer.Option("--to", formats=["%Y-%m-%d"], help="Series end.")],
    points: Annotated[
        Points, typer.Option("--series", help="Monthly or quarterly points.")
    ] = Points.MONTHLY,
    rolling: Annotated[
        bool,
        typer.Option(
            help="Each point is the 12 months to its end (runs and trends then expected)."
        ),
    ] = False,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir", help="Data directory (default: $CSCMONITOR_DATA_DIR or ./data)."
        ),
    ] = None,
    format: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.TABLE,
    output: Annotated[
        Path | None, typer.Option(help="Write to this file instead of the screen.")
    ] = None,
) -> None:
    """Control charts (XmR or p-chart) of indicators, with the Making Data Count rules.

    Rebased at the contract start and the change points in the records; variation and
    assurance per point (docs/spc.md)."""
    from cscmonitor.backends import SnapshotTables
    from cscmonitor.indicators.engine import OK, compute
    from cscmonitor.indicators.registry import get
    from cscmonitor.periods import series
    from cscmonitor.records.errors import RecordsError
    from cscmonitor.spc import choose_chart, control_charts
    from cscmonitor.warehouse import Warehouse

    settings = settings_for(data_dir)
    try:
        periods = series(Series(points.value), start.date(), end.date(), rolling=rolling)
        if not periods:
            raise ValueError(f"no {points} period ends between --from and --to")
        tables = SnapshotTables(Warehouse(settings.warehouse_dir).require_current())
        results = compute(tables, periods, codes=indicator, las=[la])
        starts, targets = _from_records(settings, la)
    except (ValueError, KeyError, FileNotFoundError, RuntimeError, RecordsError) as exc:
        err.print(f"[red]error:[/red] {str(exc).strip(chr(39) + chr(34))}", highlight=False)
        raise typer.Exit(code=2) from None
    charts = control_charts(results, starts, targets)
    if rolling:
        err.print(
            "rolling 12 months: each point shares 11 months with the one before, so runs and "
            "trends are expected; read them with care (docs/spc.md)."
        )
    sound = results[results["status"] == OK]
    for code in indicator:
        cohorts = sound.loc[sound["indicator"] == code, "denominator"]
        choice = choose_chart(get(code), cohorts)
        shown = f"{len(cohorts)} of {len(periods)} periods have a sound value"
        err.print(f"{code}: {choice.chart} chart, {choice.reason}; {shown}", highlight=False)
    emit(charts[COLUMNS], format, output, title=f"Control charts, LA {la}")


def _from_records(settings: Settings, la: str) -> tuple[list[PhaseStart], pd.DataFrame | None]:
    """The change points (contract starts included) and the basket's targets for the LA.

    Without a records database there are neither: one phase, no assurance.
    """
    import pandas as pd
    from sqlalchemy import inspect
    from sqlalchemy.engine import make_url

    from cscmonitor.records import contracts, db
    from cscmonitor.records.audit import Actor
    from cscmonitor.records.change_points import phase_starts

    url = db.database_url(settings)
    parsed = make_url(url)
    missing_file = (
        parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").exists()
    )
    engine = None if missing_file else db.make_engine(url)
    if engine is None or not inspect(engine).has_table("change_points"):
        err.print(
            "no records database holding change points, so no contract start, change points "
            "or targets: one phase, no assurance (`cscmonitor records init`, `records import`)"
        )
        return [], None
    steps = []
    with db.transaction(engine, Actor("cscmonitor spc")) as session:
        starts = phase_starts(session, la)
        for contract in contracts.list_contracts(session):
            if contract.la_code != la:
                continue
            terms = contracts.terms(contract)
            for version in contract.basket_versions:
                begins = (
                    FROM_THE_START
                    if version.version == 1
                    else terms.contract_year(version.from_year).start
                )
                steps += [
                    {
                        "indicator": e.indicator,
                        "la_code": la,
                        "from_date": begins,
                        "target": e.target,
                    }
                    for e in version.entries
                    if e.target is not None
                ]
    engine.dispose()
    return starts, pd.DataFrame(steps, columns=["indicator", "la_code", "from_date", "target"])
