"""The forecast carried into the money: a budget line's modelled outturn and the risk share.

The outturn of a placement budget line is its spend to date plus each path's simulated
spend from the as-at date to the end of the budget's year (a month that straddles the end
counts for its days within the year). Where no ledger figure is to hand (the demo), the
spend to date can be what the returns show: the children in care on each monthly date from
the year's start to the as-at date, priced at the unit costs as the forecast is. Other
lines are taken to spend their budget, so the budget's variance is the line's; the risk
share then splits it. The share is monotone in spend, so the council's and the Trust's
shares at the spend's quantiles are the quantiles of their shares: the interval of each
share comes with it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sqlalchemy.orm import Session

from cscmonitor.forecast import store
from cscmonitor.forecast.adjust import Adjustments
from cscmonitor.forecast.backtest import observed
from cscmonitor.forecast.costs import Rate, Spend, spend, weekly_costs
from cscmonitor.forecast.fit import Model, fit
from cscmonitor.forecast.history import History, month_dates
from cscmonitor.forecast.simulate import PATHS, Projection, quantiles, simulate
from cscmonitor.forecast.states import CATEGORIES
from cscmonitor.records import finance, riskshare
from cscmonitor.records.errors import RecordsError
from cscmonitor.records.models import Budget, Contract, ModelledForecast

LABELS = ("forecast", "lower80", "upper80", "lower95", "upper95")
Floats = npt.NDArray[np.float64]


def months_for(as_at: dt.date, period_end: dt.date) -> int:
    """Whole months from `as_at` that reach the day after `period_end`."""
    if as_at > period_end:
        raise RecordsError(f"as-at {as_at} is after the budget's year ends ({period_end})")
    end = period_end + dt.timedelta(days=1)
    months = (end.year - as_at.year) * 12 + end.month - as_at.month
    return max(months + (end.day > as_at.day), 1)


def year_weights(projection: Projection, period_end: dt.date) -> Floats:
    """(month,) the share of each simulated month that falls on or before `period_end`."""
    starts, ends = projection.dates[:-1], projection.dates[1:]
    stop = np.datetime64(period_end + dt.timedelta(days=1))
    inside = (np.minimum(ends, stop) - starts).astype(np.int64).clip(min=0)
    return inside / (ends - starts).astype(np.int64)


def outturn_pence(
    projection: Projection, pounds: Spend, period_end: dt.date, spent_to_date_pence: int
) -> npt.NDArray[np.int64]:
    """The line's outturn in pence: the forecast and the 80% and 95% interval ends."""
    weights = year_weights(projection, period_end)[None, :]

    def totals(values: Floats) -> Floats:
        return spent_to_date_pence + np.round((values.sum(axis=2) * weights).sum(axis=1) * 100)

    outturns = quantiles(totals(pounds.paths), totals(pounds.central), counts=True)
    return outturns.astype(np.int64)


@dataclass(frozen=True)
class Split:
    label: str  # forecast, lower80, …
    line_outturn_pence: int
    position: riskshare.Position


def risk_split(
    contract: Contract, budget: Budget, line: str, outturns: npt.NDArray[np.int64]
) -> list[Split]:
    """The budget's position under the risk share at each of the line's outturns."""
    lines = [item for item in budget.lines if item.service_area == line]
    if not lines:
        held = ", ".join(item.service_area for item in budget.lines)
        raise RecordsError(f"budget {budget.label} has no line {line!r} (it has: {held})")
    others = finance.current_pence(budget) - lines[0].amount_pence
    return [
        Split(label, int(pence), finance.position(contract, budget, others + int(pence)))
        for label, pence in zip(LABELS, outturns, strict=True)
    ]


def record(
    session: Session,
    budget: Budget,
    line: str,
    as_at: dt.date,
    outturns: npt.NDArray[np.int64],
    spent_to_date_pence: int,
    *,
    scenario: str | None,
    snapshot_id: str,
    created_by: str,
) -> ModelledForecast:
    """The modelled forecast outturn of a budget line, kept in the finance records."""
    row = ModelledForecast(
        budget_id=budget.id,
        service_area=line,
        as_at=as_at,
        scenario=scenario,
        snapshot_id=snapshot_id,
        spent_to_date_pence=spent_to_date_pence,
        **{f"{label}_pence": int(v) for label, v in zip(LABELS[1:], outturns[1:], strict=True)},
        spend_pence=int(outturns[0]),
        created_by=created_by,
    )
    session.add(row)
    session.flush()
    return row


def returns_spend_pence(
    history: History, model: Model, rates: list[Rate], start: dt.date, until: dt.date
) -> int:
    """What the placements the returns show from `start` to `until` cost at the unit costs:
    child-weeks between monthly dates (counted back from `until`, the first interval from
    `start`), each month priced at its first day with the fit's provider mix, as `spend`."""
    if start >= until:
        return 0
    back = (until.year - start.year) * 12 + until.month - start.month + 1
    dates = month_dates(until, np.arange(-back, 1))
    dates = np.concatenate([[np.datetime64(start)], dates[dates > np.datetime64(start)]])
    stock = observed(history, dates)[:, : len(CATEGORIES)]
    days = np.diff(dates).astype(np.int64)
    weeks = (stock[:-1] + stock[1:]) / 2 * (days / 7)[:, None]
    pounds = float((weeks * weekly_costs(rates, model, dates[:-1])).sum())
    return round(pounds * 100)


@dataclass(frozen=True)
class Modelled:
    row: ModelledForecast
    splits: list[Split]


def model_outturn(
    session: Session,
    history: History,
    budget: Budget,
    line: str,
    as_at: dt.date,
    *,
    snapshot_id: str,
    created_by: str,
    spent_to_date_pence: int | None = None,
    scenario: str | None = None,
    adjustments: Adjustments | None = None,
    paths: int = PATHS,
    seed: int = 0,
) -> Modelled:
    """Fit at `as_at`, simulate to the end of the budget's year, price it at the unit costs
    held, keep the line's modelled outturn in the records and split it under the risk share.
    With no spend to date given, the returns' (`returns_spend_pence`) from the year's start."""
    rates = store.held_rates(session, history.la_code)
    if not rates:
        raise RecordsError(f"no unit costs held for LA {history.la_code}: import them first")
    model = fit(history, as_at)
    horizon = months_for(as_at, budget.period_end)
    projection = simulate(model, horizon, paths=paths, seed=seed, adjustments=adjustments)
    pounds = spend(
        projection,
        weekly_costs(rates, model, projection.dates[:-1]),
        adjustments.cost_factors() if adjustments else None,
    )
    if spent_to_date_pence is None:
        spent_to_date_pence = returns_spend_pence(history, model, rates, budget.period_start, as_at)
    outturns = outturn_pence(projection, pounds, budget.period_end, spent_to_date_pence)
    splits = risk_split(budget.contract, budget, line, outturns)
    row = record(
        session,
        budget,
        line,
        as_at,
        outturns,
        spent_to_date_pence,
        scenario=scenario,
        snapshot_id=snapshot_id,
        created_by=created_by,
    )
    return Modelled(row, splits)
