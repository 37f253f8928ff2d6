"""Assessment: RAG against target and tolerance, direction of travel, significance, trajectory.

Reads the engine's results (one row per indicator, LA and period) and the contract; compares
the computed baseline year with a contract year. Never recomputes an indicator. Also: tests of
whether a change or a gap to a benchmark is larger than chance, direction of travel that says
"improved" only when it is, trajectories towards a milestone, and funnel-plot limits.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, assert_never

import numpy as np
import pandas as pd
from scipy.stats import binomtest, fisher_exact, norm
from scipy.stats import t as student_t

from cscmonitor.indicators.engine import (
    INCOMPLETE_DATA,
    INSUFFICIENT_DATA,
    LOOKBACK_INCOMPLETE,
    NO_DATA,
    RESULT_COLUMNS,
    RETURN_MISSING,
    Z95,
)
from cscmonitor.indicators.registry import Indicator, Interval, Polarity, Unit
from cscmonitor.periods import Period
from cscmonitor.terms import (
    ContractTerms as Contract,
)
from cscmonitor.terms import (
    IndicatorLookup,
    ReportedFigures,
    lookup_indicator,
)

# Only these statuses withhold a value.
WITHOUT_VALUE = frozenset({INSUFFICIENT_DATA, NO_DATA, INCOMPLETE_DATA, RETURN_MISSING})

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


def computed_for(results: pd.DataFrame, period: Period) -> dict[str, Computed]:
    """Each indicator's result row in exactly this period (the results of one LA)."""
    _check_columns(results)
    rows = results.assign(
        period_start=_dates(results["period_start"]), period_end=_dates(results["period_end"])
    )
    return _computed_for(rows, period)


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


# --- Significance ----------------------------------------------------------------------------
#
# "Improved" is said only when a change is larger than chance. Proportions (a cohort and those
# in it who met the definition) are compared with the two-proportion z-test on the pooled
# proportion; when any of the four expected cell counts is below 5 the normal approximation is
# poor, so Fisher's exact test is used instead. Counts over an exposure (turnover: leavers per
# FTE in post, which can exceed 100%; rates per 10,000) are compared with the exact test for
# two Poisson rates, conditional on their total (a binomial test). Means of durations carry no
# counts to test and are "not tested". Two-sided, significant when p < 0.05.

ALPHA = 0.05


class Method(StrEnum):
    """How a difference was tested."""

    Z_PROPORTIONS = "two-proportion z-test"
    FISHER = "Fisher's exact test"
    POISSON_RATES = "exact test of two Poisson rates"
    NOT_TESTED = "not tested"


@dataclass(frozen=True)
class Significance:
    """The result of testing a difference: the method, its statistic and two-sided p-value."""

    method: Method
    p_value: float | None = None
    statistic: float | None = None

    @property
    def significant(self) -> bool:
        """Significant at the 95% level (p < 0.05)."""
        return self.p_value is not None and self.p_value < ALPHA

    @classmethod
    def not_tested(cls) -> Significance:
        return cls(Method.NOT_TESTED)


def two_proportion_z(
    x1: np.ndarray, n1: np.ndarray, x2: np.ndarray, n2: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised two-proportion z-test: z for x2/n2 − x1/n1 and its two-sided p-value.

    Uses the pooled proportion for the standard error; where the pooled proportion is 0 or 1
    (no variation at all) z is 0 and p is 1; an empty cohort gives NaN.
    """
    x1, n1, x2, n2 = (np.asarray(a, dtype=float) for a in (x1, n1, x2, n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled = (x1 + x2) / (n1 + n2)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        z = np.where(se > 0, (x2 / n2 - x1 / n1) / se, np.where(np.isnan(se), np.nan, 0.0))
    return z, 2 * norm.sf(np.abs(z))


def compare_proportions(x1: float, n1: float, x2: float, n2: float) -> Significance:
    """Test whether x2/n2 differs from x1/n1 (z-test, or Fisher's exact test for small counts)."""
    if min(n1, n2) <= 0 or not (0 <= x1 <= n1 and 0 <= x2 <= n2):
        return Significance.not_tested()
    pooled = (x1 + x2) / (n1 + n2)
    expected = np.array([n1 * pooled, n1 * (1 - pooled), n2 * pooled, n2 * (1 - pooled)])
    if expected.min() < 5:
        table = np.rint([[x1, n1 - x1], [x2, n2 - x2]]).astype(int)
        return Significance(Method.FISHER, float(fisher_exact(table).pvalue))
    z, p = two_proportion_z(np.array([x1]), np.array([n1]), np.array([x2]), np.array([n2]))
    return Significance(Method.Z_PROPORTIONS, float(p[0]), float(z[0]))


def compare_rates(x1: float, exposure1: float, x2: float, exposure2: float) -> Significance:
    """Exact test that the rates x1/exposure1 and x2/exposure2 are equal (Poisson counts).

    Given x1 + x2 events, x2 is binomial with p = exposure2 / (exposure1 + exposure2) when the
    rates are equal. Counts are rounded to whole events (FTE leavers can be fractional).
    """
    if min(exposure1, exposure2) <= 0 or min(x1, x2) < 0:
        return Significance.not_tested()
    k1, k2 = round(x1), round(x2)
    if k1 + k2 == 0:
        return Significance(Method.POISSON_RATES, 1.0)
    share = exposure2 / (exposure1 + exposure2)
    return Significance(Method.POISSON_RATES, float(binomtest(k2, k1 + k2, share).pvalue))


@dataclass(frozen=True)
class Observation:
    """A figure and, where known, the counts it was computed from."""

    value: float | None
    numerator: float | None = None
    denominator: float | None = None

    @classmethod
    def from_computed(cls, computed: Computed) -> Observation:
        """The engine's figure; none where its status withholds the value."""
        if computed.usable_value is None:
            return cls(None)
        return cls(computed.usable_value, computed.numerator, computed.denominator)

    @property
    def has_counts(self) -> bool:
        return (
            self.numerator is not None
            and self.denominator is not None
            and not (math.isnan(self.numerator) or math.isnan(self.denominator))
        )


def significance_of_change(
    before: Observation, after: Observation, interval: Interval
) -> Significance:
    """Whether `after` differs from `before` by more than chance, by the indicator's kind."""
    if not (before.has_counts and after.has_counts):
        return Significance.not_tested()
    assert before.numerator is not None and before.denominator is not None
    assert after.numerator is not None and after.denominator is not None
    match interval:
        case Interval.WILSON:
            return compare_proportions(
                before.numerator, before.denominator, after.numerator, after.denominator
            )
        case Interval.POISSON:
            return compare_rates(
                before.numerator, before.denominator, after.numerator, after.denominator
            )
        case Interval.NONE:
            return Significance.not_tested()
        case _:
            assert_never(interval)


class Travel(StrEnum):
    """Direction of travel that respects chance: improved or declined only when significant."""

    IMPROVED = "improved"
    DECLINED = "declined"
    # Significant, but the indicator's polarity is "neither".
    CHANGED = "changed"
    NO_CHANGE = "no change"  # equal as displayed
    NOT_SIGNIFICANT = "no significant change"
    # A move that could not be tested (no counts, or a mean of durations).
    UNTESTED = "not tested"
    NOT_COMPARABLE = "not comparable"


@dataclass(frozen=True)
class TravelJudgement:
    direction: Direction  # the move as displayed, whatever chance says
    travel: Travel
    significance: Significance


def significant_travel(
    before: Observation,
    after: Observation,
    polarity: Polarity,
    *,
    interval: Interval = Interval.WILSON,
    decimals: int = 1,
) -> TravelJudgement:
    """Direction of travel from `before` to `after`, saying "improved" only when significant."""
    direction = direction_of_travel(before.value, after.value, polarity, decimals=decimals)
    if direction is Direction.NOT_COMPARABLE:
        return TravelJudgement(direction, Travel.NOT_COMPARABLE, Significance.not_tested())
    if direction is Direction.NO_CHANGE:
        return TravelJudgement(direction, Travel.NO_CHANGE, Significance.not_tested())
    significance = significance_of_change(before, after, interval)
    if significance.method is Method.NOT_TESTED:
        travel = Travel.UNTESTED
    elif not significance.significant:
        travel = Travel.NOT_SIGNIFICANT
    else:
        travel = _travel(direction)
    return TravelJudgement(direction, travel, significance)


def _travel(direction: Direction) -> Travel:
    match direction:
        case Direction.IMPROVED:
            return Travel.IMPROVED
        case Direction.DECLINED:
            return Travel.DECLINED
        case Direction.CHANGED:
            return Travel.CHANGED
        case Direction.NO_CHANGE:
            return Travel.NO_CHANGE
        case Direction.NOT_COMPARABLE:
            return Travel.NOT_COMPARABLE
        case _:
            assert_never(direction)


class Standing(StrEnum):
    """Where a figure stands against a benchmark (England, region), allowing for chance."""

    BETTER = "significantly better"
    WORSE = "significantly worse"
    HIGHER = "significantly higher"  # polarity "neither"
    LOWER = "significantly lower"
    SIMILAR = "not significantly different"
    UNTESTED = "not tested"
    NOT_COMPARABLE = "not comparable"


def standing_against(
    figure: Observation,
    benchmark: Observation,
    polarity: Polarity,
    *,
    interval: Interval = Interval.WILSON,
) -> tuple[Standing, Significance]:
    """Whether a figure is significantly better or worse than a benchmark.

    The LA is part of England and its region; the test treats them as independent, which
    slightly understates significance (conservative) and matters little for large benchmarks.
    """
    if figure.value is None or benchmark.value is None:
        return Standing.NOT_COMPARABLE, Significance.not_tested()
    significance = significance_of_change(benchmark, figure, interval)
    if significance.method is Method.NOT_TESTED:
        return Standing.UNTESTED, significance
    if not significance.significant or figure.value == benchmark.value:
        return Standing.SIMILAR, significance
    higher = figure.value > benchmark.value
    match polarity:
        case Polarity.NEITHER:
            return (Standing.HIGHER if higher else Standing.LOWER), significance
        case Polarity.LOWER:
            return (Standing.WORSE if higher else Standing.BETTER), significance
        case Polarity.HIGHER:
            return (Standing.BETTER if higher else Standing.WORSE), significance
        case _:
            assert_never(polarity)


# --- Trajectory ------------------------------------------------------------------------------
#
# A straight line fitted by weighted least squares to a series of (date, value), each point
# weighted by its denominator (a year of 2,000 referrals says more than a quarter of 400), and
# projected to a target date with a prediction interval for a period the size of the last one:
#     var = s² (1/w₀ + x₀ᵀ (XᵀWX)⁻¹ x₀),  s² = Σ wᵢ rᵢ² / (n − 2),
# weights scaled to mean 1, the interval from Student's t on n − 2 degrees of freedom.
# On track: the interval's far end (the worse side) still meets the target. At risk: the
# projection meets it but the far end does not. Off track: the projection misses it.


class Outlook(StrEnum):
    ON_TRACK = "on track"
    AT_RISK = "at risk"
    OFF_TRACK = "off track"
    NOT_RATED = "not rated"  # polarity "neither": no side of the target is better
    INSUFFICIENT = "insufficient data"  # fewer than three points


@dataclass(frozen=True)
class Trajectory:
    target: float
    target_date: dt.date
    points: int
    slope_per_year: float | None
    projected: float | None
    lower: float | None
    upper: float | None
    level: float
    outlook: Outlook


def _meets(value: float, target: float, polarity: Polarity) -> bool:
    return _beyond_target(value, target, polarity) <= _EPSILON


def trajectory(
    dates: Sequence[dt.date],
    values: Sequence[float],
    target: float,
    target_date: dt.date,
    polarity: Polarity,
    *,
    denominators: Sequence[float] | None = None,
    target_denominator: float | None = None,
    level: float = 0.95,
) -> Trajectory:
    """Project the trend to `target_date` and say whether the target will be met."""
    if len(dates) != len(values) or (denominators is not None and len(denominators) != len(values)):
        raise ValueError("dates, values and denominators must be the same length")
    points = len(values)
    if points < 3 or len(set(dates)) < 2:
        return Trajectory(
            target, target_date, points, None, None, None, None, level, Outlook.INSUFFICIENT
        )
    origin = min(dates)
    t = np.array([(d - origin).days / 365.25 for d in dates])
    y = np.asarray(values, dtype=float)
    raw = np.ones(points) if denominators is None else np.asarray(denominators, dtype=float)
    if (raw <= 0).any():
        raise ValueError("denominators must be positive")
    scale = raw.mean()
    w = raw / scale
    x = np.column_stack([np.ones(points), t])
    xtwx_inv = np.linalg.inv(x.T @ (w[:, None] * x))
    beta = xtwx_inv @ (x.T @ (w * y))
    residuals = y - x @ beta
    s2 = float(w @ residuals**2) / (points - 2)
    x0 = np.array([1.0, (target_date - origin).days / 365.25])
    w0 = (raw[-1] if target_denominator is None else target_denominator) / scale
    half = float(student_t.ppf((1 + level) / 2, points - 2)) * math.sqrt(
        s2 * (1 / w0 + x0 @ xtwx_inv @ x0)
    )
    projected = float(x0 @ beta)
    lower, upper = projected - half, projected + half
    match polarity:
        case Polarity.NEITHER:
            outlook = Outlook.NOT_RATED
        case Polarity.LOWER | Polarity.HIGHER:
            far = upper if polarity is Polarity.LOWER else lower
            if _meets(far, target, polarity):
                outlook = Outlook.ON_TRACK
            elif _meets(projected, target, polarity):
                outlook = Outlook.AT_RISK
            else:
                outlook = Outlook.OFF_TRACK
        case _:
            assert_never(polarity)
    return Trajectory(
        target, target_date, points, float(beta[1]), projected, lower, upper, level, outlook
    )


# --- Funnel plots ----------------------------------------------------------------------------
#
# Control limits around a pooled mean (the group's total numerator over total denominator) for
# each denominator: mean ± z·√(var/n), var = p(1−p) for proportions and p for Poisson rates
# (Spiegelhalter 2005, normal approximation), clipped at 0 (and 1 for proportions). z = 1.96
# for 95% and 3.09 for 99.8% (two-sided). Units are the indicator's (×100 for percentages).

Z998 = 3.090232306167813


class FunnelPosition(StrEnum):
    ABOVE_998 = "above 99.8% limit"
    ABOVE_95 = "above 95% limit"
    WITHIN = "within limits"
    BELOW_95 = "below 95% limit"
    BELOW_998 = "below 99.8% limit"
    NO_VALUE = "no value"


def funnel_limits(
    denominators: np.ndarray | Sequence[float],
    pooled: float,
    *,
    interval: Interval = Interval.WILSON,
    scale: float = 100.0,
) -> pd.DataFrame:
    """The 95% and 99.8% limits at each denominator around the pooled mean (a 0–1 ratio)."""
    n = np.asarray(denominators, dtype=float)
    match interval:
        case Interval.WILSON:
            variance, ceiling = pooled * (1 - pooled), 1.0
        case Interval.POISSON:
            variance, ceiling = pooled, np.inf
        case Interval.NONE:
            raise ValueError("funnel limits need counts: a proportion or a Poisson rate")
        case _:
            assert_never(interval)
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(variance / n)
    limits = {
        "lower_998": pooled - Z998 * se,
        "lower_95": pooled - Z95 * se,
        "upper_95": pooled + Z95 * se,
        "upper_998": pooled + Z998 * se,
    }
    return pd.DataFrame(
        {k: np.clip(v, 0.0, ceiling) * scale for k, v in limits.items()}, index=range(len(n))
    )


def funnel(
    frame: pd.DataFrame,
    *,
    interval: Interval = Interval.WILSON,
    scale: float = 100.0,
) -> pd.DataFrame:
    """Funnel limits for a group of LAs (`numerator`, `denominator` columns) around their pool.

    Adds `value`, `pooled`, the four limits and `position` to a copy of `frame`.
    """
    num = frame["numerator"].to_numpy(float)
    den = frame["denominator"].to_numpy(float)
    usable = np.isfinite(num) & np.isfinite(den) & (den > 0)
    pooled = num[usable].sum() / den[usable].sum() if usable.any() else float("nan")
    limits = funnel_limits(den, pooled, interval=interval, scale=scale)
    limits.index = frame.index
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(usable, num / den * scale, np.nan)
    position = np.select(
        [
            ~usable,
            value > limits["upper_998"],
            value > limits["upper_95"],
            value < limits["lower_998"],
            value < limits["lower_95"],
        ],
        [
            FunnelPosition.NO_VALUE,
            FunnelPosition.ABOVE_998,
            FunnelPosition.ABOVE_95,
            FunnelPosition.BELOW_998,
            FunnelPosition.BELOW_95,
        ],
        default=FunnelPosition.WITHIN,
    )
    return frame.assign(value=value, pooled=pooled * scale, **limits, position=position)
