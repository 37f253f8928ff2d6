"""The engine's results read as figures, and the basket assessed for a contract year.

Reads the engine's results (one row per indicator, LA and period) and the contract; compares
the computed baseline year with a contract year. Never recomputes an indicator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from cscmonitor.assess.rag import (
    RAG,
    WITHOUT_VALUE,
    Change,
    Direction,
    change_between,
    direction_of_travel,
    display_decimals,
    rag_rating,
)
from cscmonitor.indicators.engine import LOOKBACK_INCOMPLETE, NO_DATA, RESULT_COLUMNS
from cscmonitor.indicators.registry import Indicator
from cscmonitor.periods import Period
from cscmonitor.terms import ContractTerms, IndicatorLookup, ReportedFigures, lookup_indicator


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


def _basket_rows(results: pd.DataFrame, contract: ContractTerms) -> pd.DataFrame:
    """The results for the contract's LA and basket indicators, with dates as dates."""
    codes = [entry.indicator for entry in contract.basket]
    rows = results[
        (results["la_code"].astype(str) == contract.la_code) & results["indicator"].isin(codes)
    ]
    return rows.assign(
        period_start=_dates(rows["period_start"]), period_end=_dates(rows["period_end"])
    )


def contract_years_with_results(results: pd.DataFrame, contract: ContractTerms) -> list[int]:
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


def computed_for(results: pd.DataFrame, period: Period) -> dict[str, Computed]:
    """Each indicator's result row in exactly this period (the results of one LA)."""
    _check_columns(results)
    rows = results.assign(
        period_start=_dates(results["period_start"]), period_end=_dates(results["period_end"])
    )
    return _computed_for(rows, period)


def assess(
    results: pd.DataFrame,
    contract: ContractTerms,
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
    indicator: Indicator, year: int, contract: ContractTerms, before: Computed, after: Computed
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
