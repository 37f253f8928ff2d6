"""Assessment of the contract basket: RAG against target and tolerance, and direction of travel.

Reads the engine's results (one row per indicator, LA and period) and the contract; compares
the computed baseline year with a contract year. Never recomputes an indicator.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, assert_never

import pandas as pd

from cscmonitor.contract import Contract, IndicatorLookup, ReportedFigures, lookup_indicator
from cscmonitor.indicators.engine import (
    INSUFFICIENT_DATA,
    LOOKBACK_INCOMPLETE,
    NO_DATA,
    RESULT_COLUMNS,
)
from cscmonitor.indicators.registry import Indicator, Polarity, Unit
from cscmonitor.periods import Period

# Only these statuses withhold a value.
WITHOUT_VALUE = frozenset({INSUFFICIENT_DATA, NO_DATA})

# Absorbs binary floating-point error in sums such as target + tolerance (0.1 + 0.2).
_EPSILON = 1e-9


class RAG(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    GREY = "grey"
    NOT_RATED = "not rated"


class Change(StrEnum):
    """How a value moved, whatever the polarity."""

    INCREASE = "increase"
    REDUCTION = "reduction"
    NO_CHANGE = "no change"
    NOT_COMPARABLE = "not comparable"


class Direction(StrEnum):
    """Direction of travel: whether a change is for the better, given polarity."""

    IMPROVED = "improved"
    DECLINED = "declined"
    NO_CHANGE = "no change"
    NOT_COMPARABLE = "not comparable"
    # The value moved, but the indicator's polarity is "neither": no better and no worse.
    CHANGED = "changed"


def display_decimals(unit: Unit) -> int:
    """Decimal places a value in this unit is shown with."""
    match unit:
        case Unit.PERCENT | Unit.PER_10K | Unit.RATIO:
            return 1
        case Unit.DAYS | Unit.COUNT:
            return 0
        case _:
            assert_never(unit)


def rag_rating(
    value: float | None,
    status: str,
    target: float | None,
    tolerance: float | None,
    polarity: Polarity,
    *,
    decimals: int = 1,
) -> RAG:
    """Rate a value against its target and tolerance.

    Boundaries are inclusive: a value exactly at the target meets it (green), and a value
    exactly at target ± tolerance is still within tolerance (amber). The value is compared as
    displayed, rounded to `decimals`, so a reader never sees 25.0% against a target of 25%
    marked amber. No target, or polarity "neither", is not rated; a missing value or a status
    of insufficient data or no data is grey. "Lookback incomplete" values are rated.
    """
    if target is None:
        return RAG.NOT_RATED
    if tolerance is None:
        raise ValueError("a target needs a tolerance (0 for none)")
    match polarity:
        case Polarity.NEITHER:
            return RAG.NOT_RATED
        case Polarity.LOWER | Polarity.HIGHER:
            pass
        case _:
            assert_never(polarity)
    if value is None or status in WITHOUT_VALUE:
        return RAG.GREY
    beyond = _beyond_target(round(value, decimals), target, polarity)
    if beyond <= _EPSILON:
        return RAG.GREEN
    if beyond <= tolerance + _EPSILON:
        return RAG.AMBER
    return RAG.RED


def _beyond_target(value: float, target: float, polarity: Polarity) -> float:
    """How far the value falls on the wrong side of the target (≤ 0 when it meets it)."""
    match polarity:
        case Polarity.LOWER:
            return value - target
        case Polarity.HIGHER:
            return target - value
        case Polarity.NEITHER:
            raise ValueError("an indicator with polarity 'neither' has no wrong side")
        case _:
            assert_never(polarity)


def change_between(before: float | None, after: float | None, *, decimals: int = 1) -> Change:
    """How `after` differs from `before`; equal when both round to the same `decimals`."""
    if before is None or after is None:
        return Change.NOT_COMPARABLE
    shown_before, shown_after = round(before, decimals), round(after, decimals)
    if shown_after == shown_before:
        return Change.NO_CHANGE
    return Change.INCREASE if shown_after > shown_before else Change.REDUCTION


def direction_of_travel(
    before: float | None, after: float | None, polarity: Polarity, *, decimals: int = 1
) -> Direction:
    """Whether the move from `before` to `after` is an improvement, given polarity.

    "No change" means equal once rounded to `decimals` (1 by default; `assess` passes the
    unit's display precision, so "no change" always matches the figures a reader sees).
    """
    change = change_between(before, after, decimals=decimals)
    match change:
        case Change.NOT_COMPARABLE:
            return Direction.NOT_COMPARABLE
        case Change.NO_CHANGE:
            return Direction.NO_CHANGE
        case Change.INCREASE | Change.REDUCTION:
            return _judge(change, polarity)
        case _:
            assert_never(change)


def _judge(change: Change, polarity: Polarity) -> Direction:
    match polarity:
        case Polarity.NEITHER:
            return Direction.CHANGED
        case Polarity.LOWER:
            better = change is Change.REDUCTION
        case Polarity.HIGHER:
            better = change is Change.INCREASE
        case _:
            assert_never(polarity)
    return Direction.IMPROVED if better else Direction.DECLINED


@dataclass(frozen=True)
class Computed:
    """One computed figure for an indicator and period, as the engine wrote it."""

    period: Period
    value: float | None
    ci_lower: float | None
    ci_upper: float | None
    numerator: float | None
    denominator: float | None
    status: str

    @property
    def usable_value(self) -> float | None:
        """The value, or None where the status withholds it."""
        return None if self.status in WITHOUT_VALUE else self.value

    @property
    def lookback_incomplete(self) -> bool:
        return self.status == LOOKBACK_INCOMPLETE

    @classmethod
    def missing(cls, period: Period) -> Computed:
        """No result row at all for this period."""
        return cls(period, None, None, None, None, None, NO_DATA)


@dataclass(frozen=True)
class Assessment:
    """One basket indicator: contract terms, computed baseline year and contract year, rating."""

    indicator: Indicator
    year: int
    contract_baseline: float | None
    target: float | None
    tolerance: float | None
    reported: ReportedFigures | None
    baseline_year: Computed
    latest: Computed
    rag: RAG
    change: Change
    direction: Direction

    @property
    def decimals(self) -> int:
        return display_decimals(self.indicator.unit)

    @property
    def reported_latest(self) -> float | None:
        """The figure published for this contract year, if the contract records one."""
        return None if self.reported is None else self.reported.years.get(self.year)


def _number(cell: Any) -> float | None:
    return None if cell is None or pd.isna(cell) else float(cell)


def _dates(column: pd.Series) -> pd.Series:
    # The engine may write dates as date objects, datetime64 or Arrow date32: compare as dates.
    return pd.to_datetime(column).dt.date


def _check_columns(results: pd.DataFrame) -> None:
    missing = [c for c in RESULT_COLUMNS if c not in results.columns]
    if missing:
        raise ValueError(f"results lack the column(s) {', '.join(missing)}")


def _basket_rows(results: pd.DataFrame, contract: Contract) -> pd.DataFrame:
    """The results for the contract's LA and basket indicators, with dates as dates."""
    codes = [entry.indicator for entry in contract.basket]
    rows = results[
        (results["la_code"].astype(str) == contract.la_code) & results["indicator"].isin(codes)
    ]
    return rows.assign(
        period_start=_dates(rows["period_start"]), period_end=_dates(rows["period_end"])
    )


def contract_years_with_results(results: pd.DataFrame, contract: Contract) -> list[int]:
    """The contract years for which the results hold basket indicators, in order."""
    _check_columns(results)
    periods = _basket_rows(results, contract)[["period_start", "period_end"]].drop_duplicates()
    years = []
    # One pass over distinct periods, not over data rows.
    for start, end in periods.itertuples(index=False):
        if start < contract.start_date:
            continue
        n = contract.contract_year_number(start)
        if contract.contract_year(n) == Period(start, end):
            years.append(n)
    return sorted(years)


def _computed_for(rows: pd.DataFrame, period: Period) -> dict[str, Computed]:
    """The result row for each indicator in exactly this period."""
    chosen = rows[(rows["period_start"] == period.start) & (rows["period_end"] == period.end)]
    twice = sorted(set(chosen.loc[chosen["indicator"].duplicated(), "indicator"]))
    if twice:
        raise ValueError(f"results hold more than one row for {', '.join(twice)} in {period.label}")
    return {
        str(row["indicator"]): Computed(
            period=period,
            value=_number(row["value"]),
            ci_lower=_number(row["ci_lower"]),
            ci_upper=_number(row["ci_upper"]),
            numerator=_number(row["numerator"]),
            denominator=_number(row["denominator"]),
            status=str(row["status"]),
        )
        for row in chosen.to_dict("records")
    }


def assess(
    results: pd.DataFrame,
    contract: Contract,
    registry: IndicatorLookup | None = None,
    *,
    year: int | None = None,
) -> list[Assessment]:
    """Assess each basket indicator for contract `year`, by default the latest in the results."""
    _check_columns(results)
    if year is None:
        years = contract_years_with_results(results, contract)
        if not years:
            first = contract.contract_year(1)
            raise ValueError(
                f"results hold no whole contract year for LA {contract.la_code} "
                f"(year 1 is {first.start}–{first.end})"
            )
        year = years[-1]
    rows = _basket_rows(results, contract)
    baseline_period, year_period = contract.baseline_period(), contract.contract_year(year)
    before, after = _computed_for(rows, baseline_period), _computed_for(rows, year_period)
    return [
        _assess_entry(
            lookup_indicator(registry, entry.indicator),
            year,
            contract,
            before.get(entry.indicator, Computed.missing(baseline_period)),
            after.get(entry.indicator, Computed.missing(year_period)),
        )
        for entry in contract.basket
    ]


def _assess_entry(
    indicator: Indicator, year: int, contract: Contract, before: Computed, after: Computed
) -> Assessment:
    entry = contract.entry(indicator.code)
    decimals = display_decimals(indicator.unit)
    return Assessment(
        indicator=indicator,
        year=year,
        contract_baseline=entry.baseline,
        target=entry.target,
        tolerance=entry.tolerance,
        reported=entry.reported,
        baseline_year=before,
        latest=after,
        rag=rag_rating(
            after.usable_value,
            after.status,
            entry.target,
            entry.tolerance,
            indicator.polarity,
            decimals=decimals,
        ),
        change=change_between(before.usable_value, after.usable_value, decimals=decimals),
        direction=direction_of_travel(
            before.usable_value, after.usable_value, indicator.polarity, decimals=decimals
        ),
    )
