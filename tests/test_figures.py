"""The figure model on hand-made figures: trajectories as at a date, benchmark states, words."""

from __future__ import annotations

import datetime as dt

from cscmonitor.assess import Computed, Outlook, Standing, Travel
from cscmonitor.benchmarks.comparison import (
    NO_BENCHMARK,
    NOT_HELD,
    NOT_PUBLISHED,
    Comparison,
    Gap,
)
from cscmonitor.figures import Asked, Figure, Milestone, figure_of, year_earlier
from cscmonitor.indicators.registry import Polarity, Unit
from cscmonitor.periods import Period, twelve_months_to
from tests.conftest import make_indicator

BASELINE = Period(dt.date(2013, 10, 1), dt.date(2014, 9, 30))
YEAR_1 = Period(dt.date(2014, 10, 1), dt.date(2015, 9, 30))
ENDS = [
    dt.date(2014, 12, 31),
    dt.date(2015, 3, 31),
    dt.date(2015, 6, 30),
    dt.date(2015, 9, 30),
    dt.date(2015, 12, 31),
]
# Falling two points a quarter to September 2015, then a jump to 50% in December 2015.
VALUES = [30.0, 28.0, 26.0, 24.0, 50.0]
TREND = tuple(
    Computed(twelve_months_to(end), value, None, None, value, 100.0, "ok")
    for end, value in zip(ENDS, VALUES, strict=True)
)
BY_YEAR_2 = Milestone("contract year 2 target", dt.date(2016, 9, 30), 25.0)
BY_YEAR_1 = Milestone("contract year 1 target", dt.date(2015, 9, 30), 25.0)


def figure(as_at: dt.date, comparison: Comparison | None = None) -> Figure:
    return figure_of(
        make_indicator("REREF_12M", Unit.PERCENT, Polarity.LOWER),
        Asked("REREF_12M", 38.0, 25.0, 3.0, milestones=(BY_YEAR_1, BY_YEAR_2)),
        "371",
        1,
        as_at,
        TREND[3],
        Computed(BASELINE, 38.0, None, None, 380.0, 1000.0, "ok"),
        Computed.missing(year_earlier(YEAR_1)),
        TREND,
        comparison or Comparison.none(),
    )


def test_the_trend_is_fitted_to_the_figures_known_as_at_the_date() -> None:
    # As at 31 October 2015 the December figure is not known: four points falling about
    # 8 a year reach about 16% by September 2016, well within the 25% target whatever the
    # interval, so on track. The year 1 milestone is already past and is not projected.
    early = figure(dt.date(2015, 10, 31))
    assert [p.milestone for p in early.projections] == [BY_YEAR_2]
    (ahead,) = early.projections
    assert ahead.trajectory.points == 4
    assert ahead.outlook is Outlook.ON_TRACK
    assert ahead.trajectory.projected is not None and 14 < ahead.trajectory.projected < 18
    # As at 31 January 2016 the jump to 50% is known: the fitted line now rises, and the
    # projection misses the target (lower is better), so off track.
    late = figure(dt.date(2016, 1, 31))
    (ahead,) = late.projections
    assert ahead.trajectory.points == 5 and ahead.outlook is Outlook.OFF_TRACK
    assert late.outlook_texts[0].startswith(
        "Off track for the contract year 2 target of 25% by 30 September 2016 (projected "
    )


def test_rag_travel_and_their_words_come_with_the_figure() -> None:
    f = figure(dt.date(2016, 1, 29))
    # 24% against a target of 25%, lower is better: green.
    assert f.rag_text == "Green" and f.value_text() == "24.0%"
    # 380 of 1,000 then 24 of 100: z = −2.77 on the pooled 36.7%, p = 0.0056.
    assert f.travel.travel is Travel.IMPROVED
    assert f.travel_text == "Improved significantly (p = 0.006)"
    assert f.travel_clause == ", an improvement larger than chance (p = 0.006)"
    assert f.travel_last_text == "Not comparable"  # no figure a year earlier
    assert f.target_text == "25%" and f.tolerance_text == "3 percentage points"


def test_a_benchmark_says_whether_there_is_none_or_it_is_not_held() -> None:
    unpublished = figure(dt.date(2016, 1, 29))
    assert unpublished.record()["benchmark_state"] == NO_BENCHMARK
    assert unpublished.benchmark_text(None) == "no published benchmark"
    assert unpublished.england_text == "no published benchmark"
    unheld = figure(dt.date(2016, 1, 29), Comparison.none(NOT_HELD))
    assert unheld.benchmark_text(None) == "not held" and unheld.band_text == "no band"
    assert unheld.record()["sn_mean_text"] == "not held"


def test_each_missing_benchmark_says_why_in_the_figures_words() -> None:
    # DfE's 2014-15 year is held: England is there, the region's cell is suppressed (c), no
    # neighbour's table row is held, and the figure's band is there.
    held = Comparison(
        "held",
        "2014-15",
        24.2,
        None,
        "Yorkshire and The Humber",
        None,
        0,
        "B",
        20.0,
        Standing.NOT_COMPARABLE,
        Standing.NOT_COMPARABLE,
        (),
        sn_grouping=2021,
        gaps={"region": Gap(NOT_PUBLISHED, "c"), "sn_mean": Gap(NOT_HELD)},
    )
    f = figure(dt.date(2016, 1, 29), held)
    assert f.england_text == "24.2%"
    assert f.region_text == "not published (DfE: c)"
    assert f.neighbours_text == "not held"
    assert f.neighbours_model_text == "neighbours: 2021 model"
    record = f.record()
    assert (record["region_text"], record["sn_mean_text"]) == ("not published (DfE: c)", "not held")
    assert (record["sn_grouping"], record["sn_model_text"]) == (2021, "neighbours: 2021 model")
    # Published for England only: the region says so, not "not held".
    england_only = Comparison.none(NOT_PUBLISHED, "England only")
    assert figure(dt.date(2016, 1, 29), england_only).region_text == "not published (England only)"


def test_units_scale_round_and_write_their_figures() -> None:
    assert [u.scale for u in Unit] == [100.0, 10_000.0, 1.0, 1.0, 1.0, 1.0]
    assert [u.decimals for u in Unit] == [1, 1, 0, 1, 0, 1]
    assert Unit.PERCENT.display(23.44) == "23.4%" and Unit.DAYS.display(312.4) == "312 days"
    assert Unit.MEAN.display(15.66) == "15.7"  # a mean score, in the score's own points
    assert Unit.PERCENT.display_agreed(38.0) == "38%"
    assert Unit.PERCENT.display_tolerance(3.0) == "3 percentage points"
