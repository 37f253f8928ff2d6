"""Placement costs: weekly unit costs by category and provider, and the spend they make.

A rate applies from its date until the next rate for the same category and provider; it
grows by its yearly inflation, compounded by the day, from its date. A provider without a
rate of its own takes its category's `all` rate. A category's weekly cost in a month is the
mix of its providers' rates, weighted by the providers' share of the category's child-months
in the fit's window (as data-to-insight's model splits by the historic PLACE_PROVIDER mix).
Spend in a month is each path's child-weeks times that cost, so spend has intervals too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO

import numpy as np
import numpy.typing as npt
import pandas as pd

from cscmonitor.forecast.fit import Model
from cscmonitor.forecast.simulate import Projection, quantiles
from cscmonitor.forecast.states import CATEGORIES
from cscmonitor.returns.issues import ReturnError

ALL = "all"
PROVIDERS = ("PR0", "PR1", "PR2", "PR3", "PR4", "PR5", ALL)
CSV_COLUMNS = ("category", "provider", "effective_from", "weekly_cost", "inflation_percent")
Floats = npt.NDArray[np.float64]


class CostError(ValueError):
    pass


@dataclass(frozen=True)
class Rate:
    category: str
    provider: str
    effective_from: dt.date
    weekly_pence: int
    inflation_bp: int  # a year, hundredths of a percent


def read_rates(source: Path | IO[bytes], name: str | None = None) -> list[Rate]:
    """Rates from a CSV file or an uploaded one called `name` (weekly_cost in pounds,
    inflation_percent a year); every problem is named by row and field, and nothing is
    read from a file with one."""
    called = name or str(source)
    try:
        raw = pd.read_csv(source, dtype=str, keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ReturnError(f"{called}: not a readable CSV file ({exc})") from None
    missing = [c for c in CSV_COLUMNS if c not in raw.columns]
    if missing:
        raise ReturnError(f"{called}: no column {', '.join(missing)}")
    return [_rate(called, i + 2, row) for i, row in enumerate(raw.to_dict("records"))]


def _rate(called: str, line: int, row: dict[str, str]) -> Rate:
    where = f"{called} row {line}"
    category = row["category"].strip().lower()
    if category not in CATEGORIES:
        raise ReturnError(f"{where} field category: {category!r} is not one of {CATEGORIES}")
    provider = row["provider"].strip().upper() or ALL.upper()
    provider = ALL if provider == ALL.upper() else provider
    if provider not in PROVIDERS:
        raise ReturnError(f"{where} field provider: {provider!r} is not one of {PROVIDERS}")
    try:
        start = dt.date.fromisoformat(row["effective_from"].strip())
    except ValueError:
        raise ReturnError(f"{where} field effective_from: not an ISO date") from None
    pence = _hundredths(row["weekly_cost"], f"{where} field weekly_cost")
    inflation = _hundredths(row["inflation_percent"] or "0", f"{where} field inflation_percent")
    if pence < 0:
        raise ReturnError(f"{where} field weekly_cost: must not be negative")
    return Rate(category, provider, start, pence, inflation)


def _hundredths(text: str, where: str) -> int:
    try:
        value = Decimal(text.strip().replace("£", "").replace(",", ""))
    except InvalidOperation:
        raise ReturnError(f"{where}: {text!r} is not a number") from None
    if not value.is_finite():
        raise ReturnError(f"{where}: {text!r} is not a number")
    return int((value * 100).to_integral_value())


def weekly_costs(rates: Iterable[Rate], model: Model, dates: npt.NDArray[np.datetime64]) -> Floats:
    """(date, category) weekly cost in pounds of a child in care, by the provider mix."""
    held = list(rates)
    costs = np.zeros((len(dates), len(CATEGORIES)))
    for c, category in enumerate(CATEGORIES):  # four categories × a few providers
        for p, provider in enumerate(model.providers):
            share = model.provider_mix[c, p]
            if share == 0:
                continue
            own = [r for r in held if r.category == category and r.provider == provider]
            chosen = own or [r for r in held if r.category == category and r.provider == ALL]
            costs[:, c] += share * _priced(chosen, dates, f"{category} ({provider})")
    return costs


def _priced(rates: Sequence[Rate], dates: npt.NDArray[np.datetime64], what: str) -> Floats:
    if not rates:
        raise CostError(f"no unit cost for {what}: import one (cscmonitor forecast costs import)")
    ordered = sorted(rates, key=lambda r: r.effective_from)
    starts = np.array([r.effective_from for r in ordered], dtype="datetime64[D]")
    at = np.searchsorted(starts, dates, side="right") - 1
    if (at < 0).any():
        first = pd.Timestamp(dates[np.argmax(at < 0)]).date()
        raise CostError(
            f"no unit cost for {what} on {first}: "
            f"the first rate is from {ordered[0].effective_from}"
        )
    pounds = np.array([r.weekly_pence for r in ordered]) / 100
    inflation = np.array([r.inflation_bp for r in ordered]) / 10_000
    years = (dates - starts[at]).astype(np.int64) / 365.25
    return pounds[at] * (1 + inflation[at]) ** years


@dataclass(frozen=True)
class Spend:
    """(path, month, category) pounds: of the paths that draw the rates too (the intervals'),
    and of those at the fitted rates (the forecast's)."""

    paths: Floats
    central: Floats

    def over(self, months: int) -> Spend:
        """Each path's pounds over the first `months` months, all categories."""
        return Spend(
            self.paths[:, :months].sum(axis=(1, 2)), self.central[:, :months].sum(axis=(1, 2))
        )


def spend(projection: Projection, weekly: Floats, factors: Floats | None = None) -> Spend:
    """Child-weeks in each month after the origin × cost, for both sets of paths."""
    factors = np.ones(len(CATEGORIES)) if factors is None else factors

    def priced(weeks: Floats) -> Floats:
        return weeks * weekly[None, :, :] * factors[None, None, :]

    return Spend(priced(projection.child_weeks), priced(projection.central().child_weeks))


def spend_summary(projection: Projection, pounds: Spend) -> pd.DataFrame:
    """Monthly spend per category (`spend:fostering` …, `spend:all`): the forecast and the
    intervals (`simulate.quantiles`), in whole pounds."""

    def with_total(values: Floats) -> Floats:
        return np.concatenate([values, values.sum(axis=2, keepdims=True)], axis=2)

    q = quantiles(with_total(pounds.paths), with_total(pounds.central))
    names = [f"spend:{c}" for c in (*CATEGORIES, ALL)]
    months = pd.to_datetime(projection.dates[1:]).date
    frame = pd.DataFrame(
        {"month": np.repeat(months, len(names)), "category": np.tile(names, len(months))}
    )
    for name, values in zip(
        ("forecast", "lower80", "upper80", "lower95", "upper95"), q, strict=True
    ):
        frame[name] = values.reshape(-1).round().astype(np.int64)
    return frame
