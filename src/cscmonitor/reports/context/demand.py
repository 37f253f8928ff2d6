"""The "demand and cost" section's context: the forecast of children looked after, and the
modelled forecast outturn of the placement budget line with its split under the risk share.

The money comes only from a modelled outturn kept in the records (`cscmonitor forecast
outturn`): the report never makes one up. The chart is the forecast from that outturn's
date under its scenario, or, with none held, from the report's date on the baseline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cscmonitor.forecast import outturn, store
from cscmonitor.forecast.adjust import Adjustments
from cscmonitor.forecast.backtest import NAMES, observed
from cscmonitor.forecast.categories import category_map
from cscmonitor.forecast.fit import fit
from cscmonitor.forecast.history import NoHistory, month_dates, read_history
from cscmonitor.forecast.simulate import simulate, summary
from cscmonitor.indicators.registry import Tables
from cscmonitor.periods import Period
from cscmonitor.records.errors import RecordsError
from cscmonitor.reports.context.sources import Sources
from cscmonitor.reports.demand_chart import FanChart, FanMonth

PATHS = 1000  # as the CLI: the report's figures are the ones the docs describe
SEED = 0
HORIZON = 12  # months, or to the end of the modelled budget's year if later
HISTORY_MONTHS = 24
TABLE_HORIZONS = (3, 6, 12)


@dataclass(frozen=True)
class ShareLine:
    """The budget's position under the risk share at one quantile of the line's outturn."""

    label: str  # "Forecast (median)", "80% interval, low end" …
    line_outturn_pence: int
    variance_pence: int  # spend less budget, the whole budget: positive is an overspend
    council_pence: int  # signed: positive the council pays, negative it takes back
    trust_pence: int  # signed: positive the trust bears, negative it keeps


@dataclass(frozen=True)
class ModelledMoney:
    budget: str
    period: Period
    line_name: str  # the budget line's service area
    as_at: dt.date
    scenario: str | None
    snapshot_id: str
    spent_to_date_pence: int
    lines: tuple[ShareLine, ...]  # forecast, lower80, upper80, lower95, upper95
    problem: str | None = None  # why the risk share could not be applied

    def line(self, label: str) -> ShareLine:
        return self.lines[outturn.LABELS.index(label)]


@dataclass(frozen=True)
class CategoryRow:
    category: str
    months: tuple[FanMonth, ...]  # at TABLE_HORIZONS


@dataclass(frozen=True)
class DemandContext:
    records_held: bool
    money: ModelledMoney | None
    origin: dt.date | None
    scenario: str | None
    chart: FanChart | None
    rows: tuple[CategoryRow, ...]
    no_forecast: str | None  # why no forecast of children could be made
    notes: tuple[str, ...] = ()


LABELS = {
    "forecast": "Forecast (median)",
    "lower80": "80% interval, low end",
    "upper80": "80% interval, high end",
    "lower95": "95% interval, low end",
    "upper95": "95% interval, high end",
}
SIGN = {"overspend": 1, "underspend": -1, None: 0}


def _signed(position: Any) -> tuple[int, int]:
    sign = SIGN[position.direction]
    return sign * position.council_pence, sign * position.trust_pence


def modelled_money(
    contract: Any, session: Any, budgets: Iterable[Any], as_at: dt.date
) -> ModelledMoney | None:
    # The contract, its session and budgets are the records' (typed loosely: reports do not
    # import the records' models; `forecast.store` and `forecast.outturn` read them).
    """The latest modelled outturn made by `as_at` of the first of `budgets` that has one,
    split under the risk share at the median and at each interval's ends."""
    for budget in budgets:
        held = store.latest_modelled(session, budget, as_at)
        if held is None:
            continue
        outturns = np.array(held.outturns_pence, dtype=np.int64)
        period = Period(budget.period_start, budget.period_end)
        common = (
            budget.label,
            period,
            held.service_area,
            held.as_at,
            held.scenario,
            held.snapshot_id,
            held.spent_to_date_pence,
        )
        try:
            splits = outturn.risk_split(contract, budget, held.service_area, outturns)
        except RecordsError as exc:
            return ModelledMoney(*common, (), problem=f"risk share not applied: {exc}")
        lines = tuple(
            ShareLine(
                LABELS[s.label],
                s.line_outturn_pence,
                s.position.variance_pence,
                *_signed(s.position),
            )
            for s in splits
        )
        return ModelledMoney(*common, lines)
    return None


def budgets_for(contract: Any, period: Period, as_at: dt.date) -> list[Any]:
    """The budget whose year holds `as_at` first, then those overlapping `period`, latest
    first; none starting after `as_at`."""
    started = [b for b in contract.budgets if b.period_start <= as_at]
    current = [b for b in started if b.period_end >= as_at]
    overlapping = [
        b
        for b in sorted(started, key=lambda b: b.period_start, reverse=True)
        if b.period_start <= period.end and b.period_end >= period.start and b not in current
    ]
    return current + overlapping


def _month(row: Any) -> FanMonth:
    return FanMonth(
        row.month,
        int(row.forecast),
        int(row.lower80),
        int(row.upper80),
        int(row.lower95),
        int(row.upper95),
    )


def forecast_fan(
    tables: Tables,
    la_code: str,
    origin: dt.date,
    horizon: int,
    adjustments: Adjustments | None,
    place: str,
) -> tuple[dt.date, FanChart, tuple[CategoryRow, ...]]:
    """The forecast of children looked after from `origin` (or the last day the returns
    cover, if earlier): the fan of all children and each category at TABLE_HORIZONS."""
    history = read_history(tables, la_code, category_map())
    origin = min(origin, history.end)
    projection = simulate(
        fit(history, origin), horizon, paths=PATHS, seed=SEED, adjustments=adjustments
    )
    projected = summary(projection)
    dates = month_dates(origin, np.arange(-HISTORY_MONTHS, 1))
    dates = dates[dates >= np.datetime64(history.start)]
    seen = observed(history, dates)[:, NAMES.index("all")]
    days = pd.to_datetime(dates).date
    every = projected[projected["category"] == "all"]
    chart = FanChart(
        f"Children looked after by {place}: forecast from {origin:%d %B %Y}",
        tuple((d, int(v)) for d, v in zip(days, seen, strict=True)),
        tuple(_month(r) for r in every.itertuples()),
    )
    wanted = set(pd.to_datetime(projection.dates[[h for h in TABLE_HORIZONS if h <= horizon]]).date)
    rows = tuple(
        CategoryRow(
            name,
            tuple(
                _month(r)
                for r in projected[projected["category"] == name].itertuples()
                if r.month in wanted
            ),
        )
        for name in NAMES
    )
    return origin, chart, rows


def demand_context(sources: Sources, period: Period, as_at: dt.date) -> DemandContext:
    """The section for a report on `period` as at `as_at` (`sources` as the report's)."""
    contract, session = sources.records, sources.session
    money = None
    if contract is not None and session is not None:
        money = modelled_money(contract, session, budgets_for(contract, period, as_at), as_at)
    notes: list[str] = []
    adjustments = None
    scenario = money.scenario if money else None
    if scenario is not None and session is not None:
        try:
            adjustments = store.get_scenario(session, sources.terms.la_code, scenario).adjustments
        except RecordsError:
            notes.append(
                f"The scenario {scenario!r} of the modelled outturn is no longer saved: "
                "the chart shows the forecast without adjustments."
            )
            scenario = None
    origin = money.as_at if money else as_at
    horizon = HORIZON
    if money is not None and money.period.end >= origin:
        horizon = max(HORIZON, outturn.months_for(origin, money.period.end))
    try:
        start, chart, rows = forecast_fan(
            sources.tables, sources.terms.la_code, origin, horizon, adjustments, sources.place
        )
    except NoHistory as exc:
        return DemandContext(
            contract is not None, money, None, scenario, None, (), str(exc), tuple(notes)
        )
    if start < origin:
        notes.append(
            f"The returns held end on {start:%d %B %Y}, so the forecast starts then, "
            f"not on {origin:%d %B %Y}."
        )
    return DemandContext(
        contract is not None, money, start, scenario, chart, rows, None, tuple(notes)
    )
