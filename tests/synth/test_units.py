"""Building blocks of the generator: dates, stratified draws, scenario files."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from cscmonitor.synth import dates, sampling, scenario


def days(*values: dt.date) -> np.ndarray:
    return np.array([dates.day(v) for v in values], dtype=np.int64)


def test_add_months_maps_missing_days_to_the_month_end() -> None:
    start = days(dt.date(2015, 1, 31), dt.date(2016, 2, 29), dt.date(2014, 10, 1))
    assert list(dates.iso(dates.add_months(start, 1))) == ["2015-02-28", "2016-03-29", "2014-11-01"]
    assert list(dates.iso(dates.add_months(start, -12))) == [
        "2014-01-31",
        "2015-02-28",
        "2013-10-01",
    ]


def test_earliest_date_within_12_months() -> None:
    # 28 Feb 2015 + 12 months is 28 Feb 2016, one day short of 29 Feb 2016.
    later = days(dt.date(2016, 2, 29), dt.date(2015, 6, 15))
    assert list(dates.iso(dates.earliest_within_12_months(later))) == ["2015-03-01", "2014-06-15"]


def test_scenario_year_is_named_by_the_year_it_starts_in() -> None:
    values = days(dt.date(2014, 9, 30), dt.date(2014, 10, 1), dt.date(2015, 3, 31))
    assert list(dates.year_starting(values, 10, 1)) == [2013, 2014, 2014]


def test_working_days_skip_weekends() -> None:
    friday, saturday = days(dt.date(2015, 1, 9)), days(dt.date(2015, 1, 10))
    assert dates.iso(dates.working_days_after(friday, 1))[0] == "2015-01-12"
    # From a Saturday, the first working day after it is Monday.
    assert dates.iso(dates.working_days_after(saturday, 1))[0] == "2015-01-12"
    assert dates.iso(dates.working_days_after(friday, 15))[0] == "2015-01-30"


def test_dmy_text() -> None:
    assert list(dates.dmy(days(dt.date(2015, 3, 31), dt.date(2004, 12, 1)))) == [
        "31/03/2015",
        "01/12/2004",
    ]


def test_stratified_uniform_puts_one_value_in_each_slice_of_each_group() -> None:
    rng = np.random.default_rng(7)
    groups = rng.integers(0, 4, 2000)
    u = sampling.stratified_uniform(rng, groups)
    for g in range(4):
        inside = np.sort(u[groups == g])
        n = len(inside)
        assert np.array_equal(np.floor(inside * n).astype(int), np.arange(n))
        # An event of propensity p happens to p*n members, give or take one.
        assert abs((inside < 0.16).sum() - 0.16 * n) <= 1


def test_stratified_uniform_is_not_ordered_within_a_group() -> None:
    u = sampling.stratified_uniform(np.random.default_rng(1), np.zeros(500, dtype=int))
    assert not np.all(np.diff(u) > 0)


def test_ordered_days_within_gives_distinct_days_inside_each_window() -> None:
    rng = np.random.default_rng(3)
    owner, day = sampling.ordered_days_within(
        rng,
        np.array([10, 11, 12]),
        np.array([3, 2, 5]),
        np.array([100, 50, 0]),
        np.array([102, 400, 3]),
    )
    assert list(day[owner == 10]) == [100, 101, 102]
    assert len(day[owner == 11]) == 2 and 50 <= day[owner == 11].min() < day[owner == 11].max()
    # Only four days fit in [0, 3].
    assert list(day[owner == 12]) == [0, 1, 2, 3]


def test_unknown_scenario_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="doncaster-2014"):
        scenario.load("no-such-place")
    assert "doncaster-2014" in scenario.known()


def test_per_year_values_carry_back_and_forward() -> None:
    section = scenario.Section("s", "referrals", {"rate": {2013: 0.38, 2014: 0.23}, "flat": 0.3})
    assert list(section.by_year("rate", [2005, 2013, 2014, 2020])) == [0.38, 0.38, 0.23, 0.23]
    assert list(section.by_year("flat", [2005, 2020])) == [0.3, 0.3]
    with pytest.raises(ValueError, match=r"referrals\.missing is missing"):
        section.number("missing")


def test_doncaster_scenario_covers_the_baseline_and_first_contract_year() -> None:
    sc = scenario.load("doncaster-2014")
    assert sc.la_code == "371"
    assert sc.year_start == (10, 1)
    assert sc.years[0] <= 2008 and sc.years[-1] >= 2015
    rates = sc.referrals.by_year("rereferral", [2013, 2014])
    assert rates[0] > rates[1]
