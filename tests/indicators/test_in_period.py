"""Events a body hands the engine to place in the periods (`common.InPeriod`): summed by LA
and day first, then by period, they give the totals of the events placed and summed."""

import datetime as dt
from dataclasses import replace

import ibis
import pandas as pd
import pytest

from cscmonitor.indicators.common import InPeriod
from cscmonitor.indicators.engine import periods_table
from cscmonitor.indicators.measures import records, totals
from cscmonitor.indicators.registry import Measure
from cscmonitor.periods import Period
from tests.conftest import make_indicator

QUARTER = Period.parse("2020-04-01:2020-06-30")
YEAR = Period.parse("2019-07-01:2020-06-30")  # holds the quarter: an event can be in both
D = dt.date.fromisoformat

# la, date, counted, weight, value. Two events of 371 share a day (summed together first);
# one has no date and one falls after both periods, so neither is in any period.
EVENTS = pd.DataFrame(
    [
        ("371", D("2020-05-01"), True, 1.5, 10.0),
        ("371", D("2020-05-01"), False, 0.5, 20.0),
        ("371", D("2019-08-15"), True, 2.0, 4.0),
        ("371", None, True, 8.0, 99.0),
        ("371", D("2020-07-01"), True, 8.0, 99.0),
        ("372", D("2020-06-30"), False, 1.0, 7.0),
    ],
    columns=["la_code", "on", "counted", "weight", "value"],
)

# By hand, (numerator, denominator) for each LA and period:
# proportion: counted events over events; 371's quarter holds the two of 1 May, its year those
#   and 15 August.
# weighted: the weight of those counted over the weight of all (each in the denominator).
# mean: the values summed over the events (squares 10² + 20² = 500, and + 4² = 516).
# count: the events, twice as denominator (the engine sets none).
EXPECTED = {
    Measure.PROPORTION: {
        ("371", QUARTER): (1, 2),
        ("371", YEAR): (2, 3),
        ("372", QUARTER): (0, 1),
        ("372", YEAR): (0, 1),
    },
    Measure.WEIGHTED: {
        ("371", QUARTER): (1.5, 2.0),
        ("371", YEAR): (3.5, 4.0),
        ("372", QUARTER): (0.0, 1.0),
        ("372", YEAR): (0.0, 1.0),
    },
    Measure.MEAN: {
        ("371", QUARTER): (30.0, 2),
        ("371", YEAR): (34.0, 3),
        ("372", QUARTER): (7.0, 1),
        ("372", YEAR): (7.0, 1),
    },
    Measure.COUNT: {
        ("371", QUARTER): (2, 2),
        ("371", YEAR): (3, 3),
        ("372", QUARTER): (1, 1),
        ("372", YEAR): (1, 1),
    },
}
SQUARES = {("371", QUARTER): 500.0, ("371", YEAR): 516.0, ("372", QUARTER): 49.0}


def _events(measure: Measure) -> ibis.Table:
    events = ibis.memtable(
        EVENTS,
        schema={
            "la_code": "string",
            "on": "date",
            "counted": "boolean",
            "weight": "float64",
            "value": "float64",
        },
    )
    if measure is Measure.WEIGHTED:
        events = events.mutate(in_denominator=ibis.literal(True))
    return events


def _indicator(measure: Measure, as_events: bool):
    def body(tables, periods):
        dated = InPeriod(_events(measure), "on")
        return dated if as_events else dated.records(periods)

    ind = replace(make_indicator("TEST_IN_PERIOD"), measure=measure, body=body)
    if measure is Measure.WEIGHTED:
        ind = replace(ind, weight="weight")
    if measure is Measure.MEAN:
        ind = replace(ind, value="value")
    return ind


def _by_period(frame: pd.DataFrame) -> dict:
    found = {}
    for row in frame.itertuples():
        period = Period(pd.Timestamp(row.period_start).date(), pd.Timestamp(row.period_end).date())
        found[(row.la_code, period)] = row
    return found


@pytest.mark.parametrize("measure", sorted(EXPECTED))
def test_events_placed_in_the_periods_sum_as_the_measure_says(measure):
    periods = periods_table([QUARTER, YEAR])
    found = _by_period(totals(_indicator(measure, as_events=True), None, periods).execute())
    assert {key: (row.numerator, row.denominator) for key, row in found.items()} == EXPECTED[
        measure
    ]
    if measure is Measure.MEAN:
        assert {key: found[key].squares for key in SQUARES} == SQUARES


@pytest.mark.parametrize("measure", sorted(EXPECTED))
def test_events_give_the_totals_of_their_records(measure):
    """The same events returned already placed (a table body) total the same."""
    periods = periods_table([QUARTER, YEAR])
    by_day = totals(_indicator(measure, as_events=True), None, periods).execute()
    placed = totals(_indicator(measure, as_events=False), None, periods).execute()
    columns = list(placed.columns)
    order = ["la_code", "period_start", "period_end"]
    pd.testing.assert_frame_equal(
        by_day[columns].sort_values(order, ignore_index=True),
        placed.sort_values(order, ignore_index=True),
    )


def test_explain_shows_each_event_in_each_period_holding_it():
    periods = periods_table([QUARTER, YEAR])
    rows = records(_indicator(Measure.PROPORTION, as_events=True), None, periods).execute()
    # Three events of 371 and one of 372 in the year, two of 371 and one of 372 in the quarter.
    assert sorted(rows.groupby(["la_code", "period_start"]).size().tolist()) == [1, 1, 2, 3]
    assert {"period_start", "period_end", "on", "counted"} <= set(rows.columns)
