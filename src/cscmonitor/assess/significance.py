"""Significance: whether a change, or a gap to a benchmark, is larger than chance.

"Improved" is said only when a change is larger than chance. Proportions (a cohort and those
in it who met the definition) are compared with the two-proportion z-test on the pooled
proportion; when any of the four expected cell counts is below 5 the normal approximation is
poor, so Fisher's exact test is used instead. Counts over an exposure (turnover: leavers per
FTE in post, which can exceed 100%; rates per 10,000) are compared with the exact test for
two Poisson rates, conditional on their total (a binomial test). Means of durations carry no
counts to test and are "not tested". Two-sided, significant when p < 0.05.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import assert_never

import numpy as np
from scipy.stats import binomtest, fisher_exact, norm

from cscmonitor.assess.rag import Direction, direction_of_travel
from cscmonitor.assess.results import Computed
from cscmonitor.indicators.registry import Interval, Polarity

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
        case Interval.NONE | Interval.NORMAL:
            # A mean's test would need each period's spread, which the figure does not carry.
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
