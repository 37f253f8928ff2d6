"""Significance, direction of travel that respects chance, trajectories and funnel limits."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from cscmonitor.assess import (
    Computed,
    Direction,
    FunnelPosition,
    Method,
    Observation,
    Outlook,
    Standing,
    Travel,
    compare_proportions,
    compare_rates,
    funnel,
    funnel_limits,
    significant_travel,
    standing_against,
    trajectory,
    two_proportion_z,
)
from cscmonitor.indicators.registry import Interval, Polarity
from cscmonitor.periods import Period

LOWER, HIGHER, NEITHER = Polarity.LOWER, Polarity.HIGHER, Polarity.NEITHER


def _two_sided(z: float) -> float:
    return math.erfc(abs(z) / math.sqrt(2))


# --- Tests of a difference -------------------------------------------------------------------


def test_two_proportion_z_by_hand() -> None:
    # 30/100 then 20/100: pooled 0.25, SE = √(0.25 × 0.75 × (1/100 + 1/100)) = 0.0612372,
    # z = (0.20 − 0.30) / 0.0612372 = −1.63299, p = 0.1025.
    z, p = two_proportion_z(np.array([30]), np.array([100]), np.array([20]), np.array([100]))
    assert z[0] == pytest.approx(-1.632993, abs=1e-6)
    assert p[0] == pytest.approx(_two_sided(-1.632993), abs=1e-6)
    assert p[0] == pytest.approx(0.1025, abs=1e-4)


def test_two_proportion_z_is_vectorised_and_handles_no_variation() -> None:
    z, p = two_proportion_z(
        np.array([30, 0, 300]),
        np.array([100, 50, 1000]),
        np.array([20, 0, 200]),
        np.array([100, 60, 1000]),
    )
    assert z[1] == 0.0 and p[1] == 1.0  # nobody in either cohort met the definition
    # Ten times the cohorts, same proportions: z grows by √10 (−1.633 → −5.164).
    assert z[2] == pytest.approx(z[0] * math.sqrt(10), rel=1e-6)


def test_large_cohorts_make_a_small_change_significant() -> None:
    # Doncaster 2013-14 → 2014-15: 2528/6782 (37.3%) → 1031/3725 (27.7%).
    result = compare_proportions(2528, 6782, 1031, 3725)
    pooled = (2528 + 1031) / (6782 + 3725)
    se = math.sqrt(pooled * (1 - pooled) * (1 / 6782 + 1 / 3725))
    z = (1031 / 3725 - 2528 / 6782) / se
    assert result.method is Method.Z_PROPORTIONS
    assert result.statistic == pytest.approx(z)
    assert result.p_value == pytest.approx(_two_sided(z))
    assert result.significant


def test_small_cohorts_use_fishers_exact_test() -> None:
    # 2/10 then 6/10: expected counts of 4 (< 5), so Fisher's exact test. Hypergeometric
    # (20 children, 8 met, 10 drawn): the tables as or less likely than the one seen are
    # 0, 1, 2, 6, 7, 8 met in the first cohort: 2 × (66 + 1760 + 13860) / 184756 = 0.16980.
    result = compare_proportions(2, 10, 6, 10)
    assert result.method is Method.FISHER
    assert result.p_value == pytest.approx(2 * (66 + 1760 + 13860) / 184_756)
    assert not result.significant


def test_poisson_rates_by_hand() -> None:
    # 29 then 18 leavers over 100 FTE each: given 47 leavers, the second year's count is
    # Binomial(47, ½) when rates are equal; two-sided p = 2 × P(X ≤ 18).
    result = compare_rates(29, 100, 18, 100)
    tail = sum(math.comb(47, k) for k in range(19)) / 2**47
    assert result.method is Method.POISSON_RATES
    assert result.p_value == pytest.approx(2 * tail)
    assert not result.significant
    assert compare_rates(290, 1000, 180, 1000).significant


def test_nothing_to_test_is_said_so() -> None:
    assert compare_proportions(1, 0, 1, 10).method is Method.NOT_TESTED
    assert compare_proportions(11, 10, 1, 10).method is Method.NOT_TESTED
    assert compare_rates(0, 100, 0, 100).p_value == 1.0


# --- Direction of travel with significance ---------------------------------------------------


def test_a_small_cohort_moving_20_points_is_not_said_to_decline() -> None:
    # 1 of 5 (20%) to 2 of 5 (40%): displayed as worse, but well within chance.
    judged = significant_travel(Observation(20.0, 1, 5), Observation(40.0, 2, 5), LOWER)
    assert judged.direction is Direction.DECLINED
    assert judged.travel is Travel.NOT_SIGNIFICANT
    assert judged.significance.method is Method.FISHER


def test_the_same_move_in_large_cohorts_is_a_decline() -> None:
    judged = significant_travel(Observation(20.0, 200, 1000), Observation(40.0, 400, 1000), LOWER)
    assert judged.travel is Travel.DECLINED
    assert judged.significance.p_value is not None and judged.significance.p_value < 1e-15
    better = significant_travel(Observation(20.0, 200, 1000), Observation(40.0, 400, 1000), HIGHER)
    assert better.travel is Travel.IMPROVED
    neither = significant_travel(
        Observation(20.0, 200, 1000), Observation(40.0, 400, 1000), NEITHER
    )
    assert neither.travel is Travel.CHANGED


@pytest.mark.parametrize(
    ("before", "after", "travel"),
    [
        (Observation(23.44, 234, 1000), Observation(23.36, 2336, 10000), Travel.NO_CHANGE),
        (Observation(None), Observation(23.0, 23, 100), Travel.NOT_COMPARABLE),
        (Observation(30.0), Observation(20.0), Travel.UNTESTED),  # no counts
    ],
)
def test_travel_without_a_test(before: Observation, after: Observation, travel: Travel) -> None:
    assert significant_travel(before, after, LOWER).travel is travel


@pytest.mark.parametrize("interval", [Interval.NONE, Interval.NORMAL])
def test_means_are_not_tested(interval: Interval) -> None:
    # Means of days carry no interval; a mean score's test would need each period's spread.
    judged = significant_travel(
        Observation(600.0, 6000, 10), Observation(400.0, 4000, 10), LOWER, interval=interval
    )
    assert (judged.direction, judged.travel) == (Direction.IMPROVED, Travel.UNTESTED)


def test_observation_from_the_engine_withholds_small_cohorts() -> None:
    period = Period(dt.date(2015, 4, 1), dt.date(2016, 3, 31))
    ok = Computed(period, 25.0, 20.0, 30.0, 25.0, 100.0, "ok")
    small = Computed(period, 50.0, None, None, 2.0, 4.0, "insufficient data")
    assert Observation.from_computed(ok) == Observation(25.0, 25.0, 100.0)
    assert Observation.from_computed(small) == Observation(None)


# --- Standing against a benchmark ------------------------------------------------------------


def test_standing_against_england() -> None:
    england = Observation(22.5, 139_900, 621_470)
    # Doncaster 2015-16: 1030/4479 = 23.0%: within chance of England's 22.5%.
    similar, test = standing_against(Observation(23.0, 1030, 4479), england, LOWER)
    assert similar is Standing.SIMILAR and not test.significant
    # 2023-24: 1763/5810 = 30.3% against 22.4%: significantly worse (lower is better).
    worse, _ = standing_against(
        Observation(30.3, 1763, 5810), Observation(22.4, 142_000, 633_000), LOWER
    )
    assert worse is Standing.WORSE
    better, _ = standing_against(
        Observation(30.3, 1763, 5810), Observation(22.4, 142_000, 633_000), HIGHER
    )
    assert better is Standing.BETTER
    assert standing_against(Observation(None), england, LOWER)[0] is Standing.NOT_COMPARABLE


# --- Trajectory ------------------------------------------------------------------------------

START = dt.date(2012, 4, 1)
# Four yearly points on the line 40 − 5t with residuals +1, −1, −1, +1 (orthogonal to 1 and t,
# so the fit is exactly 40 − 5t): 41, 34, 29, 26. Residual sum of squares 4, s² = 4 / 2 = 2.
# At t = 5: projection 15; variance 2 × (1 + 1/4 + (5 − 1.5)² / 5) = 7.4;
# half-width t(0.975, 2) × √7.4 = 4.302653 × 2.720294 = 11.7045: interval 3.2955 to 26.7045.
DATES = [START + dt.timedelta(days=365 * k) for k in range(4)]
VALUES = [41.0, 34.0, 29.0, 26.0]
TARGET_DATE = START + dt.timedelta(days=365 * 5)


def test_trajectory_projection_and_interval_by_hand() -> None:
    result = trajectory(DATES, VALUES, 20.0, TARGET_DATE, LOWER)
    assert result.projected == pytest.approx(15.0)
    assert result.lower == pytest.approx(15 - 11.7045, abs=1e-4)
    assert result.upper == pytest.approx(15 + 11.7045, abs=1e-4)
    assert result.slope_per_year == pytest.approx(-5 * 365.25 / 365)
    assert result.points == 4


@pytest.mark.parametrize(
    ("target", "polarity", "outlook"),
    [
        (30.0, LOWER, Outlook.ON_TRACK),  # even the interval's top, 26.7, is below 30
        (20.0, LOWER, Outlook.AT_RISK),  # 15 meets 20, 26.7 does not
        (10.0, LOWER, Outlook.OFF_TRACK),  # 15 misses 10
        (2.0, HIGHER, Outlook.ON_TRACK),  # the interval's bottom, 3.3, still reaches 2
        (10.0, HIGHER, Outlook.AT_RISK),
        (20.0, HIGHER, Outlook.OFF_TRACK),
        (20.0, NEITHER, Outlook.NOT_RATED),
    ],
)
def test_trajectory_outlook(target: float, polarity: Polarity, outlook: Outlook) -> None:
    assert trajectory(DATES, VALUES, target, TARGET_DATE, polarity).outlook is outlook


def test_equal_denominators_give_the_unweighted_fit() -> None:
    weighted = trajectory(DATES, VALUES, 20.0, TARGET_DATE, LOWER, denominators=[500] * 4)
    assert weighted.projected == pytest.approx(15.0)
    assert weighted.upper == pytest.approx(15 + 11.7045, abs=1e-4)


def test_denominators_weight_the_fit() -> None:
    # The third point rests on almost nobody: the line follows the first two (10 → 20).
    dates = DATES[:3]
    result = trajectory(
        dates, [10.0, 20.0, 90.0], 0.0, DATES[3], LOWER, denominators=[1e6, 1e6, 1.0]
    )
    assert result.slope_per_year == pytest.approx(10 * 365.25 / 365, rel=1e-3)
    assert result.projected == pytest.approx(40.0, rel=1e-3)


def test_a_perfect_line_has_no_spread() -> None:
    result = trajectory(DATES, [40.0, 35.0, 30.0, 25.0], 15.0, TARGET_DATE, LOWER)
    assert result.projected == pytest.approx(15.0)
    assert result.upper == pytest.approx(15.0)
    assert result.outlook is Outlook.ON_TRACK  # exactly at the target meets it


def test_two_points_are_not_a_trend() -> None:
    result = trajectory(DATES[:2], VALUES[:2], 20.0, TARGET_DATE, LOWER)
    assert result.outlook is Outlook.INSUFFICIENT
    assert result.projected is None
    with pytest.raises(ValueError, match="same length"):
        trajectory(DATES, VALUES[:3], 20.0, TARGET_DATE, LOWER)


# --- Funnel limits ---------------------------------------------------------------------------


def test_funnel_limits_for_proportions_by_hand() -> None:
    # Pool 20%; at n = 100 the SE is √(0.2 × 0.8 / 100) = 0.04.
    limits = funnel_limits([100, 10_000], 0.2)
    first = limits.iloc[0]
    assert first["lower_95"] == pytest.approx((0.2 - 1.959964 * 0.04) * 100, abs=1e-4)
    assert first["upper_95"] == pytest.approx((0.2 + 1.959964 * 0.04) * 100, abs=1e-4)
    assert first["lower_998"] == pytest.approx((0.2 - 3.090232 * 0.04) * 100, abs=1e-4)
    assert first["upper_998"] == pytest.approx((0.2 + 3.090232 * 0.04) * 100, abs=1e-4)
    # The funnel narrows with √n: 100 times the denominator, a tenth of the width.
    width = limits["upper_95"] - limits["lower_95"]
    assert width.iloc[1] == pytest.approx(width.iloc[0] / 10)


def test_funnel_limits_are_clipped_and_poisson_has_no_ceiling() -> None:
    tiny = funnel_limits([4], 0.05).iloc[0]
    assert tiny["lower_998"] == 0.0
    rates = funnel_limits([100], 0.9, interval=Interval.POISSON).iloc[0]
    # Poisson: SE = √(0.9 / 100) = 0.094868; upper 99.8% = 0.9 + 3.090232 × 0.094868 > 1.
    assert rates["upper_998"] == pytest.approx((0.9 + 3.090232 * math.sqrt(0.009)) * 100)
    for no_counts in (Interval.NONE, Interval.NORMAL):
        with pytest.raises(ValueError, match="counts"):
            funnel_limits([100], 0.2, interval=no_counts)


def test_funnel_positions_around_the_pool() -> None:
    # Pool (14 + 50 + 40) / (100 + 100 + 200) = 26%. At n = 100 the SE is √(0.26 × 0.74 / 100)
    # = 0.043863: 95% limits 17.40–34.60, 99.8% limits 12.45–39.55. At n = 200 the SE is
    # 0.031016: 95% limits 19.92–32.08. The LA without a numerator is left out of the pool.
    frame = pd.DataFrame(
        {
            "la_code": ["a", "b", "c", "d"],
            "numerator": [14, 50, 40, np.nan],
            "denominator": [100, 100, 200, 50],
        }
    )
    plotted = funnel(frame).set_index("la_code")
    assert plotted["pooled"].iloc[0] == pytest.approx(26.0)
    assert plotted.loc["a", "lower_95"] == pytest.approx(17.40, abs=0.01)
    assert plotted.loc["a", "lower_998"] == pytest.approx(12.45, abs=0.01)
    assert plotted.loc["c", "lower_95"] == pytest.approx(19.92, abs=0.01)
    assert plotted.loc["a", "position"] == FunnelPosition.BELOW_95  # 14%
    assert plotted.loc["b", "position"] == FunnelPosition.ABOVE_998  # 50%
    assert plotted.loc["c", "position"] == FunnelPosition.WITHIN  # 20% at n = 200
    assert plotted.loc["d", "position"] == FunnelPosition.NO_VALUE
