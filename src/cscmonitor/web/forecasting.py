"""The forecast page's figures: fitted and simulated once per (snapshot, scenario, origin).

Calls the forecast package (`read_history`, `fit`, `simulate`, `backtest`, `costs`) and
builds no query itself. Results are cached as `performance.py` caches the indicators: by the
snapshot's contents and, as values, what they read from the records (the contract's LA, a
scenario's adjustments) with the forecast's parameters (origin, horizon), so a page view after
the first costs only the rendering and a changed scenario or snapshot is a new key. The cache
is a `SingleFlight`: one computation per key however many ask, different keys in parallel,
each on a DuckDB connection of its own (`Warehouse.tables` opens one per call).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from markupsafe import Markup

from cscmonitor.forecast.adjust import Adjustments
from cscmonitor.forecast.backtest import accuracy, backtest, observed
from cscmonitor.forecast.categories import category_map
from cscmonitor.forecast.costs import Rate, spend, spend_summary, weekly_costs
from cscmonitor.forecast.fit import fit
from cscmonitor.forecast.history import History, NoHistory, month_dates, read_history
from cscmonitor.forecast.simulate import Projection, quantiles, simulate, summary
from cscmonitor.forecast.states import CATEGORIES
from cscmonitor.forecast.store import adjustments_json
from cscmonitor.warehouse import Snapshot, Warehouse
from cscmonitor.web.fan_chart import Band, fan_chart
from cscmonitor.web.performance import SingleFlight

PATHS = 500  # enough for steady 95% quantiles; the CLI's default is 1,000
HORIZON = 24  # months shown by default
HISTORY_MONTHS = 36  # months of history before the origin in each chart
SHOWN_HORIZONS = (3, 6, 12, 24)  # rows of the tables beside the charts
CACHE_ENTRIES = 64
NAMES = (*CATEGORIES, "all")

# Shared by every app in the process: the keys hold everything a result depends on.
_CACHE = SingleFlight(CACHE_ENTRIES)


def _adjustments_key(adjustments: Adjustments | None) -> str:
    return json.dumps(adjustments_json(adjustments or Adjustments()), sort_keys=True)


class Forecasts:
    """The forecasts of one warehouse snapshot (cached across requests by its contents)."""

    def __init__(self, warehouse: Warehouse, snapshot: Snapshot, la_code: str) -> None:
        self.warehouse = warehouse
        self.snapshot = snapshot
        self.la_code = la_code
        self.key = snapshot.content_key

    def history(self) -> History:
        """The LA's 903 history (NoHistory when the warehouse holds none)."""
        return _CACHE.get(
            ("history", self.key, self.la_code),
            lambda: read_history(
                self.warehouse.tables(self.snapshot), self.la_code, category_map()
            ),
        )

    def projection(
        self, origin: dt.date, horizon: int, adjustments: Adjustments | None
    ) -> Projection:
        key = ("projection", self.key, self.la_code, origin, horizon, _adjustments_key(adjustments))
        return _CACHE.get(
            key,
            lambda: simulate(
                fit(self.history(), origin), horizon, paths=PATHS, adjustments=adjustments
            ),
        )

    def accuracy(self) -> pd.DataFrame:
        """The rolling-origin backtest: origins at each quarter end from a year after the
        returns begin to three months before they end."""
        history = self.history()

        def run() -> pd.DataFrame:
            results = backtest(history, backtest_origins(history), paths=PATHS)
            return accuracy(results) if not results.empty else results

        return _CACHE.get(("accuracy", self.key, self.la_code), run)


def backtest_origins(history: History) -> list[dt.date]:
    """Quarter ends from 12 months after the first return to 3 months before the last day."""
    first = pd.Timestamp(history.start) + pd.DateOffset(months=12) - pd.Timedelta(days=1)
    last = pd.Timestamp(history.end) - pd.DateOffset(months=3)
    if first > last:
        return []
    return [d.date() for d in pd.date_range(first, last, freq="QE")]


@dataclass(frozen=True)
class Fan:
    """One fan chart with the table of its figures."""

    name: str
    chart: Markup
    rows: tuple[tuple[str, str, str, str], ...]  # month, median, 80%, 95%


def _count(v: float) -> str:
    return f"{v:,.0f}"


def _pounds(v: float) -> str:
    return f"£{v:,.0f}"


def _fan(
    name: str,
    key: str,
    history: Sequence[tuple[dt.date, float]],
    table: pd.DataFrame,
    shown: Sequence[dt.date],
    *,
    money: bool = False,
) -> Fan:
    bands = [
        Band(r.month, r.forecast, r.lower80, r.upper80, r.lower95, r.upper95)
        for r in table.itertuples()
    ]
    text = _pounds if money else _count
    rows = tuple(
        (
            f"{b.on:%B %Y}",
            text(b.median),
            f"{text(b.lower80)} to {text(b.upper80)}",
            f"{text(b.lower95)} to {text(b.upper95)}",
        )
        for b in bands
        if b.on in shown
    )
    what = "monthly placement spend" if money else f"children looked after ({name})"
    chart = fan_chart(
        history,
        bands,
        key=key,
        title=f"Forecast of {what}",
        description=(
            f"{'The' if money else 'What the returns show, then the'} forecast of {what}: the "
            "median of the simulated paths with its 80% and 95% intervals. The table below "
            "gives the same figures."
        ),
        prefix="£" if money else "",
    )
    return Fan(name, chart, rows)


def stock_fans(forecasts: Forecasts, projection: Projection) -> tuple[Fan, ...]:
    """A fan per placement category and for all children looked after."""
    history = forecasts.history()
    origin = pd.Timestamp(projection.dates[0]).date()
    dates = month_dates(origin, np.arange(-HISTORY_MONTHS, 1))
    dates = dates[dates >= np.datetime64(history.start)]
    seen = observed(history, dates)
    days = pd.to_datetime(dates).date
    projected = summary(projection)
    shown = _shown(projection)
    return tuple(
        _fan(
            name,
            f"fan-{i}",
            list(zip(days, seen[:, i].astype(float), strict=True)),
            projected[projected["category"] == name],
            shown,
        )
        for i, name in enumerate(NAMES)
    )


def _shown(projection: Projection) -> list[dt.date]:
    offsets = [h for h in SHOWN_HORIZONS if h <= projection.horizon] or [projection.horizon]
    return list(pd.to_datetime(projection.dates[offsets]).date)


def spend_fan(
    projection: Projection, rates: Sequence[Rate], adjustments: Adjustments | None
) -> Fan:
    """Monthly placement spend in all categories (CostError when a rate is missing)."""
    weekly = weekly_costs(rates, projection.model, projection.dates[:-1])
    factors = adjustments.cost_factors() if adjustments else None
    table = spend_summary(projection, spend(projection, weekly, factors))
    table = table[table["category"] == "spend:all"]
    return _fan("spend", "fan-spend", [], table, _shown(projection), money=True)


@dataclass(frozen=True)
class Compared:
    """One scenario beside the others: children at 12 months and a year's spend."""

    name: str
    children: str
    children_interval: str
    spend: str
    spend_interval: str


def compared(
    name: str, projection: Projection, rates: Sequence[Rate], adjustments: Adjustments | None
) -> Compared:
    """Children looked after at the end of the first 12 months (or the horizon), and the
    spend over those months (blank without unit costs), median and 80% interval."""
    months = min(12, projection.horizon)
    total = projection.stock[:, months].sum(axis=1)
    central = projection.central().stock[:, months].sum(axis=1)
    mid, low, high = quantiles(total, central, counts=True)[:3]
    spend_text = spend_interval = ""
    if rates:
        weekly = weekly_costs(rates, projection.model, projection.dates[:-1])
        factors = adjustments.cost_factors() if adjustments else None
        pounds = spend(projection, weekly, factors).over(months)
        s_mid, s_low, s_high = quantiles(pounds.paths, pounds.central)[:3]
        spend_text = _pounds(s_mid)
        spend_interval = f"{_pounds(s_low)} to {_pounds(s_high)}"
    return Compared(
        name, _count(mid), f"{_count(low)} to {_count(high)}", spend_text, spend_interval
    )


@dataclass(frozen=True)
class AccuracyRow:
    horizon: str
    category: str
    origins: str
    mape: str
    naive: str
    in80: str
    in95: str
    beats: str


def accuracy_rows(table: pd.DataFrame) -> tuple[AccuracyRow, ...]:
    return tuple(
        AccuracyRow(
            f"{r.horizon_months} months",
            str(r.category),
            str(r.origins),
            f"{r.mape:.1f}%",
            f"{r.naive_mape:.1f}%",
            f"{r.coverage80:.0%}",
            f"{r.coverage95:.0%}",
            "Yes" if r.beats_naive else "No",
        )
        for r in table.itertuples()
    )


__all__ = ["Forecasts", "NoHistory"]
