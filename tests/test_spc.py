"""Control charts on hand-made series: each rule, polarity, rebasing, assurance, p-chart limits.

Every series is worked by hand in its test: the mean, the mean moving range (MR), the process
limits (mean ± 2.66 × MR) and the 2-sigma lines (mean ± 2/3 × 2.66 × MR), then which points
each rule flags and why.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from cscmonitor.indicators.registry import Indicator, Polarity, Unit
from cscmonitor.periods import Series, series
from cscmonitor.spc import (
    FIRST_PHASE,
    SPC_COLUMNS,
    ChangePoint,
    Chart,
    choose_chart,
    control_charts,
    latest,
)
from tests.conftest import make_indicator

LA = "999"
START = dt.date(2020, 1, 1)


def _results(code: str, values, denominators=None, la: str = LA) -> pd.DataFrame:
    """An engine result table: one sound monthly value per month from January 2020."""
    months = series(Series.MONTHLY, START, dt.date(2040, 12, 31))[: len(values)]
    den = np.full(len(values), np.nan) if denominators is None else np.asarray(denominators, float)
    value = np.asarray(values, float)
    return pd.DataFrame(
        {
            "indicator": code,
            "la_code": la,
            "period_start": [m.start for m in months],
            "period_end": [m.end for m in months],
            "numerator": value if denominators is None else value * den / 100,
            "denominator": den,
            "value": value,
            "ci_lower": np.nan,
            "ci_upper": np.nan,
            "status": "ok",
        }
    )


def _chart(values, polarity=Polarity.LOWER, **options) -> pd.DataFrame:
    # Days: not a proportion, so always an XmR chart.
    indicator = make_indicator("T_DAYS", unit=Unit.DAYS, polarity=polarity)
    return control_charts(_results("T_DAYS", values), indicators={"T_DAYS": indicator}, **options)


def _flagged(chart: pd.DataFrame) -> dict[int, tuple[str, str]]:
    """Position in the series -> (signal, rule) for every flagged point."""
    hit = chart[chart["signal"] != ""]
    return {
        int(i): (s, r) for i, s, r in zip(hit.index, hit["signal"], hit["signal_rule"], strict=True)
    }


ALTERNATING = [9, 11] * 10  # mean 10, every moving range 2: limits 10 ± 5.32


def test_common_cause_only_when_no_rule_fires():
    # 9, 11, 9, 11, ...: mean 10, MR 2, limits 4.68 and 15.32, 2-sigma lines 6.45 and 13.55.
    # Sides alternate (no run), steps alternate (no trend), nothing near a limit.
    chart = _chart(ALTERNATING)
    assert list(chart.columns) == SPC_COLUMNS
    assert chart["mean"].tolist() == pytest.approx([10.0] * 20)
    assert chart["upper_limit"].tolist() == pytest.approx([10 + 2.66 * 2] * 20)
    assert chart["lower_limit"].tolist() == pytest.approx([10 - 2.66 * 2] * 20)
    assert _flagged(chart) == {}
    assert set(chart["variation"]) == {"common cause"}
    assert set(chart["phase"]) == {FIRST_PHASE}


def test_a_point_beyond_the_upper_limit():
    # 8, 12 five times, then 30: mean 130/11 = 11.82; MRs nine of 4 and one of 18: 54/10 = 5.4;
    # upper limit 11.82 + 2.66 × 5.4 = 26.18. Only 30 is beyond it; 8s and 12s alternate sides
    # of the mean (no run) and only 30 is beyond the 2-sigma line 21.39 (no 2 of 3).
    chart = _chart([8, 12] * 5 + [30])
    assert chart["upper_limit"].iloc[0] == pytest.approx(130 / 11 + 2.66 * 5.4)
    # Lower is better: a point high above the limit is a concern.
    assert _flagged(chart) == {10: ("concern", "beyond limit")}
    assert chart["variation"].iloc[-1] == "special cause concerning"


@pytest.mark.parametrize(
    ("polarity", "signal", "variation"),
    [
        (Polarity.HIGHER, "improvement", "special cause improving"),
        (Polarity.LOWER, "concern", "special cause concerning"),
        (Polarity.NEITHER, "neither", "special cause neither"),
    ],
)
def test_polarity_decides_whether_a_high_point_is_good(polarity, signal, variation):
    # The same high point as above: good when higher is better, bad when lower is, and neither
    # when the indicator has no better direction.
    chart = _chart([8, 12] * 5 + [30], polarity=polarity)
    assert _flagged(chart) == {10: (signal, "beyond limit")}
    assert chart["variation"].iloc[-1] == variation


def test_a_run_of_seven_above_the_mean():
    # 8, 12, 8, 12, 8, 12, 8, then 11, 12, 11, 12, 11, 12, 11: mean 148/14 = 10.57.
    # Points 7..13 (11s and 12s) are all above it: a run of 7. Point 5 (12) is above too, but
    # point 6 (8) breaks the run. MRs 6 × 4 + 3 + 6 × 1 = 33 over 13: 2.54; limits 3.82 and
    # 17.32, 2-sigma lines 6.07 and 15.07: nothing beyond either.
    chart = _chart([8, 12, 8, 12, 8, 12, 8, 11, 12, 11, 12, 11, 12, 11])
    assert _flagged(chart) == {i: ("concern", "run of 7") for i in range(7, 14)}


def test_six_on_one_side_is_not_a_run():
    # 8, 12, 8, 12, 8, 12, 8, then 11, 12, 11, 12, 11, 12 and 8: mean 145/15 = 9.67; points
    # 7..12 above it are six, and the last 8 is below. MRs sum 24 + 3 + 5 + 4 = 36 over 14: 2.57;
    # limits 2.83 and 16.50: nothing beyond; 2-sigma 5.11 and 14.23: nothing near.
    chart = _chart([8, 12, 8, 12, 8, 12, 8, 11, 12, 11, 12, 11, 12, 8])
    assert _flagged(chart) == {}


def test_a_trend_of_seven_rising():
    # 10, 12, 10, 12, 10, 12, 10, then 10.5, 11, ..., 13: points 6..12 (10 to 13) each higher
    # than the one before: 7 points, 6 rises. Mean 146.5/13 = 11.27; MRs 6 × 2 + 6 × 0.5 = 15
    # over 12: 1.25; limits 7.94 and 14.59, 2-sigma 9.05 and 13.49: nothing beyond (13 < 13.49).
    # Above the mean: 12s alone, then 11.5..13 (4): no run.
    values = [10, 12, 10, 12, 10, 12, 10, 10.5, 11, 11.5, 12, 12.5, 13]
    chart = _chart(values, polarity=Polarity.HIGHER)
    assert _flagged(chart) == {i: ("improvement", "trend of 7") for i in range(6, 13)}


def test_six_rising_points_are_not_a_trend():
    # The same without the 13: 10 to 12.5 is 6 points (5 rises). Mean 133.5/12 = 11.13; MRs 14.5
    # over 11: 1.32; limits 7.62 and 14.63, 2-sigma 8.79 and 13.46: nothing beyond or near.
    values = [10, 12, 10, 12, 10, 12, 10, 10.5, 11, 11.5, 12, 12.5]
    assert _flagged(_chart(values, polarity=Polarity.HIGHER)) == {}


def test_two_of_three_beyond_two_sigma():
    # 9, 11 eight times, then 15, 10, 15: mean 200/19 = 10.53; MRs 15 × 2 + 4 + 5 + 5 = 44 over
    # 18: 2.44; upper limit 10.53 + 6.50 = 17.03 (nothing beyond), upper 2-sigma line 10.53 +
    # 4.33 = 14.86. The two 15s are beyond it within 3 points: both flagged, the 10 between
    # them not. Sides alternate throughout: no run.
    chart = _chart([9, 11] * 8 + [15, 10, 15], polarity=Polarity.HIGHER)
    assert chart["upper_limit"].iloc[0] == pytest.approx(200 / 19 + 2.66 * 44 / 18)
    assert _flagged(chart) == {
        16: ("improvement", "2 of 3 near limit"),
        18: ("improvement", "2 of 3 near limit"),
    }


def test_one_point_near_a_limit_is_not_a_signal():
    # As above with the last 15 a 10: mean 195/19 = 10.26, MR 39/18 = 2.17, 2-sigma line 14.11;
    # the one 15 alone is not 2 of 3.
    assert _flagged(_chart([9, 11] * 8 + [15, 10, 10], polarity=Polarity.HIGHER)) == {}


def test_a_change_point_rebases_the_limits_and_the_shift_shows_as_improvement():
    # Before 1 August 2020: 19, 21, 19, 21, 19, 21, 19 (mean 139/7 = 19.86, MR 2, limits 14.54
    # and 25.18). From August: 9, 11, ... (mean 69/7 = 9.86, MR 2, limits 4.54 and 15.18).
    # Within each phase sides and steps alternate: no in-phase rule fires. The new phase's
    # first 7 points are all below the old mean 19.86: a shift, an improvement (lower is better).
    values = [19, 21, 19, 21, 19, 21, 19, 9, 11, 9, 11, 9, 11, 9]
    change = ChangePoint(LA, dt.date(2020, 8, 1), "restructure")
    chart = _chart(values, change_points=[change])
    assert chart["mean"].tolist() == pytest.approx([139 / 7] * 7 + [69 / 7] * 7)
    assert chart["upper_limit"].iloc[6] == pytest.approx(139 / 7 + 2.66 * 2)
    assert chart["lower_limit"].iloc[7] == pytest.approx(69 / 7 - 2.66 * 2)
    assert chart["phase"].tolist() == [FIRST_PHASE] * 7 + ["restructure (from 1 August 2020)"] * 7
    assert _flagged(chart) == {i: ("improvement", "shift at change point") for i in range(7, 14)}

    # Without the change point the same series is one process around 208/14 = 14.86: seven
    # points above (a run of concern) then seven below (a run of improvement). MRs 12 × 2 + 10
    # over 13: 2.62, so the 2-sigma lines are 14.86 ± 4.64 = 10.22 and 19.50: the 21s and the
    # 9s are beyond them too, two in every three points.
    plain = _chart(values)
    assert plain["mean"].iloc[0] == pytest.approx(208 / 14)
    both = "2 of 3 near limit; run of 7"
    assert _flagged(plain) == {
        i: ("concern" if i < 7 else "improvement", both if values[i] in (21, 9) else "run of 7")
        for i in range(14)
    }


def test_a_change_point_of_another_la_or_in_the_middle_of_a_period_is_not_a_new_phase():
    values = [19, 21, 19, 21, 19, 21, 19, 9, 11, 9, 11, 9, 11, 9]
    elsewhere = ChangePoint("111", dt.date(2020, 8, 1), "their restructure")
    # 15 August: August began under the old arrangements, so the new phase starts in September.
    mid_month = ChangePoint(LA, dt.date(2020, 8, 15), "restructure")
    chart = _chart(values, change_points=[elsewhere, mid_month])
    assert (chart["phase"] == FIRST_PHASE).sum() == 8
    assert chart["phase_start"].iloc[8] == dt.date(2020, 8, 15)


def test_a_short_new_phase_is_read_point_by_point_against_the_old_limits():
    # Old phase 19, 21, ... (limits 14.54 to 25.18). The new phase has 3 points so far: 10, 20,
    # 10. Fewer than 7, so no shift yet; each 10 is below the old lower limit: flagged, the 20 not.
    values = [19, 21, 19, 21, 19, 21, 19, 10, 20, 10]
    chart = _chart(values, change_points=[ChangePoint(LA, dt.date(2020, 8, 1), "restructure")])
    assert _flagged(chart) == {
        7: ("improvement", "shift at change point"),
        9: ("improvement", "shift at change point"),
    }


@pytest.mark.parametrize(
    ("polarity", "target", "assurance"),
    [
        # Limits 4.68 to 15.32 (mean 10, MR 2).
        (Polarity.LOWER, 20.0, "consistently passing"),  # the whole process runs below 20
        (Polarity.LOWER, 3.0, "consistently failing"),  # the whole process runs above 3
        (Polarity.LOWER, 10.0, "hit and miss"),  # the target is inside the limits
        (Polarity.HIGHER, 3.0, "consistently passing"),
        (Polarity.HIGHER, 20.0, "consistently failing"),
        (Polarity.HIGHER, 15.32, "hit and miss"),  # on the limit counts as inside
        (Polarity.NEITHER, 10.0, ""),  # no better direction: nothing to assure
        (Polarity.LOWER, None, ""),  # no target
    ],
)
def test_assurance_against_the_target(polarity, target, assurance):
    targets = (
        None
        if target is None
        else pd.DataFrame(
            {"indicator": ["T_DAYS"], "la_code": [LA], "from_date": [START], "target": [target]}
        )
    )
    chart = _chart(ALTERNATING, polarity=polarity, targets=targets)
    assert set(chart["assurance"]) == {assurance}
    assert latest(chart)["assurance"].tolist() == [assurance]


def test_a_target_applies_from_its_date():
    # 20 from the start, 3 from July 2020: passing, then failing (lower is better).
    targets = pd.DataFrame(
        {
            "indicator": ["T_DAYS", "T_DAYS"],
            "la_code": [LA, LA],
            "from_date": [dt.date(2000, 1, 1), dt.date(2020, 7, 1)],
            "target": [20.0, 3.0],
        }
    )
    chart = _chart(ALTERNATING, targets=targets)
    assert chart["target"].tolist() == [20.0] * 6 + [3.0] * 14
    assert (
        chart["assurance"].tolist() == ["consistently passing"] * 6 + ["consistently failing"] * 14
    )


def _proportion() -> Indicator:
    return make_indicator("T_PCT", unit=Unit.PERCENT, polarity=Polarity.LOWER)


def test_p_chart_limits_from_the_binomial_per_point():
    # 2 of 10, 5 of 20, 1 of 10, 4 of 20: pooled p = 12/60 = 0.2.
    # n = 10: sigma = sqrt(0.2 × 0.8 / 10) = 0.1265, upper 0.2 + 3 × 0.1265 = 57.95%;
    # n = 20: sigma = sqrt(0.2 × 0.8 / 20) = 0.0894, upper 0.2 + 0.2683 = 46.83%.
    # Lower limits 0.2 - 0.38 and 0.2 - 0.27 are below zero: a proportion stops at 0%.
    chart = control_charts(
        _results("T_PCT", [20, 25, 10, 20], denominators=[10, 20, 10, 20]),
        indicators={"T_PCT": _proportion()},
    )
    assert set(chart["chart"]) == {"p"}  # cohorts under 50
    assert chart["mean"].tolist() == pytest.approx([20.0] * 4)
    assert chart["upper_limit"].tolist() == pytest.approx(
        [57.947, 46.833, 57.947, 46.833], abs=1e-3
    )
    assert chart["lower_limit"].tolist() == [0.0] * 4
    assert _flagged(chart) == {}


def test_which_chart():
    proportion = _proportion()
    days = make_indicator("T_DAYS", unit=Unit.DAYS)
    # Large, even cohorts (all within 25% of the mean of 410): the XmR chart.
    assert choose_chart(proportion, [400, 410, 420]).chart is Chart.XMR
    # A cohort under 50: the binomial's spread changes with it, so a p-chart.
    assert choose_chart(proportion, [40, 45, 48]).chart is Chart.P
    # Cohorts of 100 and 200 (mean 150, 200 is 33% above it): uneven, so a p-chart.
    assert choose_chart(proportion, [100, 200]).chart is Chart.P
    # Not a proportion: always XmR, whatever the denominators.
    assert choose_chart(days, [3, 300]).chart is Chart.XMR


def test_several_series_are_charted_at_once_and_kept_apart():
    # Two LAs in one table: the second's run must not spill into the first's.
    first = _results("T_DAYS", ALTERNATING, la="111")
    second = _results("T_DAYS", [8, 12, 8, 12, 8, 12, 8, 11, 12, 11, 12, 11, 12, 11], la="222")
    indicator = make_indicator("T_DAYS", unit=Unit.DAYS, polarity=Polarity.LOWER)
    chart = control_charts(pd.concat([second, first]), indicators={"T_DAYS": indicator})
    assert (chart[chart["la_code"] == "111"]["signal"] == "").all()
    assert (chart[chart["la_code"] == "222"]["signal"] != "").sum() == 7
    assert latest(chart)["variation"].tolist() == ["common cause", "special cause concerning"]


def test_only_sound_values_are_charted():
    results = _results("T_DAYS", ALTERNATING)
    results.loc[0, "status"] = "lookback incomplete"
    results.loc[1, ["value", "status"]] = [np.nan, "insufficient data"]
    chart = control_charts(results, indicators={"T_DAYS": make_indicator("T_DAYS", unit=Unit.DAYS)})
    assert len(chart) == 18


def test_the_command_prints_the_chart_columns_for_one_la():
    from cscmonitor.spc_cli import COLUMNS

    assert [
        c for c in SPC_COLUMNS if c not in {"la_code", "period_start", "phase_start", "target"}
    ] == COLUMNS
