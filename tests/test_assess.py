"""RAG against target and tolerance, direction of travel, and assessing a contract's basket."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
import pytest

from cscmonitor.assess import (
    RAG,
    Change,
    Direction,
    assess,
    change_between,
    contract_years_with_results,
    direction_of_travel,
    display_decimals,
    rag_rating,
)
from cscmonitor.indicators.registry import Polarity, Unit
from cscmonitor.terms import ContractTerms, parse_contract
from tests.conftest import make_indicator

LOWER, HIGHER, NEITHER = Polarity.LOWER, Polarity.HIGHER, Polarity.NEITHER


# --- RAG -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (10.0, RAG.GREEN),
        (24.9, RAG.GREEN),
        (25.0, RAG.GREEN),  # at the target: meets it
        (25.04, RAG.GREEN),  # shown as 25.0%
        (25.06, RAG.AMBER),  # shown as 25.1%
        (27.9, RAG.AMBER),
        (28.0, RAG.AMBER),  # at target + tolerance: still within tolerance
        (28.04, RAG.AMBER),  # shown as 28.0%
        (28.1, RAG.RED),
        (60.0, RAG.RED),
    ],
)
def test_rag_lower_is_better(value: float, expected: RAG) -> None:
    assert rag_rating(value, "ok", 25, 3, LOWER) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (95.0, RAG.GREEN),
        (80.0, RAG.GREEN),  # at the target
        (79.96, RAG.GREEN),  # shown as 80.0%
        (79.9, RAG.AMBER),
        (75.0, RAG.AMBER),  # at target - tolerance
        (74.9, RAG.RED),
        (0.0, RAG.RED),
    ],
)
def test_rag_higher_is_better(value: float, expected: RAG) -> None:
    assert rag_rating(value, "ok", 80, 5, HIGHER) is expected


def test_rag_zero_tolerance_has_no_amber() -> None:
    assert rag_rating(12.0, "ok", 12, 0, LOWER) is RAG.GREEN
    assert rag_rating(12.1, "ok", 12, 0, LOWER) is RAG.RED


def test_rag_floating_point_sum_at_the_tolerance_edge_is_amber() -> None:
    # 0.1 + 0.2 is 0.30000000000000004 in binary; 0.3 is exactly at the edge.
    assert rag_rating(0.3, "ok", 0.1, 0.2, LOWER, decimals=1) is RAG.AMBER


@pytest.mark.parametrize(
    ("value", "expected"),
    [(300.4, RAG.GREEN), (320.4, RAG.AMBER), (320.6, RAG.RED)],
)
def test_rag_whole_days_are_compared_as_whole_days(value: float, expected: RAG) -> None:
    assert rag_rating(value, "ok", 300, 20, LOWER, decimals=0) is expected


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (None, "insufficient data"),
        (None, "no data"),
        (None, "ok"),
        (20.0, "insufficient data"),  # a status that withholds the value wins over a stray value
    ],
)
def test_rag_grey_without_a_usable_value(value: float | None, status: str) -> None:
    assert rag_rating(value, status, 25, 3, LOWER) is RAG.GREY


def test_rag_rates_a_lookback_incomplete_value() -> None:
    assert rag_rating(29.0, "lookback incomplete", 25, 3, LOWER) is RAG.RED


def test_rag_not_rated_for_polarity_neither_or_no_target() -> None:
    assert rag_rating(400.0, "ok", 500, 50, NEITHER) is RAG.NOT_RATED
    assert rag_rating(None, "insufficient data", 500, 50, NEITHER) is RAG.NOT_RATED
    assert rag_rating(20.0, "ok", None, None, LOWER) is RAG.NOT_RATED


def test_rag_target_without_tolerance_is_refused() -> None:
    with pytest.raises(ValueError, match="tolerance"):
        rag_rating(20.0, "ok", 25, None, LOWER)


# --- Direction of travel ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "polarity", "expected"),
    [
        (38.0, 23.0, LOWER, Direction.IMPROVED),
        (23.0, 38.0, LOWER, Direction.DECLINED),
        (60.0, 70.0, HIGHER, Direction.IMPROVED),
        (70.0, 60.0, HIGHER, Direction.DECLINED),
        (23.44, 23.36, LOWER, Direction.NO_CHANGE),  # both 23.4
        (23.44, 23.46, LOWER, Direction.DECLINED),  # 23.4 then 23.5
        (23.46, 23.44, HIGHER, Direction.DECLINED),  # 23.5 then 23.4
        (None, 23.0, LOWER, Direction.NOT_COMPARABLE),
        (23.0, None, HIGHER, Direction.NOT_COMPARABLE),
        (None, None, LOWER, Direction.NOT_COMPARABLE),
        (400.0, 450.0, NEITHER, Direction.CHANGED),
        (400.0, 400.0, NEITHER, Direction.NO_CHANGE),
        (None, 400.0, NEITHER, Direction.NOT_COMPARABLE),
    ],
)
def test_direction_of_travel(
    before: float | None, after: float | None, polarity: Polarity, expected: Direction
) -> None:
    assert direction_of_travel(before, after, polarity) is expected


def test_direction_at_whole_days() -> None:
    assert direction_of_travel(299.6, 300.4, LOWER, decimals=0) is Direction.NO_CHANGE
    assert direction_of_travel(299.4, 300.4, LOWER, decimals=0) is Direction.DECLINED


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (38.0, 23.0, Change.REDUCTION),
        (23.0, 38.0, Change.INCREASE),
        (18.04, 17.96, Change.NO_CHANGE),
        (0.04, -0.04, Change.NO_CHANGE),  # 0.0 and -0.0
        (None, 1.0, Change.NOT_COMPARABLE),
    ],
)
def test_change_between(before: float | None, after: float | None, expected: Change) -> None:
    assert change_between(before, after) is expected


def test_display_decimals() -> None:
    assert [display_decimals(u) for u in Unit] == [1, 1, 0, 1, 0, 1]
    assert list(Unit) == [Unit.PERCENT, Unit.PER_10K, Unit.DAYS, Unit.RATIO, Unit.COUNT, Unit.MEAN]


# --- Assessing a contract's basket -----------------------------------------------------------

REGISTRY = {
    "REREF_12M": make_indicator("REREF_12M", Unit.PERCENT, LOWER),
    "CL_EET": make_indicator("CL_EET", Unit.PERCENT, HIGHER),
    "REF_RATE": make_indicator("REF_RATE", Unit.PER_10K, NEITHER),
    "ADOPT_A1": make_indicator("ADOPT_A1", Unit.DAYS, LOWER),
}

CONTRACT = """\
name: Test contract
la_code: "371"
start_date: 2014-10-01
contract_year_start_month: 10
parties: [{role: council, name: A Council}]
basket:
  - indicator: REREF_12M
    baseline: 38
    target: 25
    tolerance: 3
    reported: {source: Annual review, baseline: 38, years: {1: 23}}
  - indicator: CL_EET
    baseline: 50
    target: 60
    tolerance: 5
  - indicator: REF_RATE
    baseline: null
  - indicator: ADOPT_A1
    baseline: 600
    target: 500
    tolerance: 30
"""

BASELINE = (dt.date(2013, 10, 1), dt.date(2014, 9, 30))
YEAR_1 = (dt.date(2014, 10, 1), dt.date(2015, 9, 30))
YEAR_2 = (dt.date(2015, 10, 1), dt.date(2016, 9, 30))
QUARTER = (dt.date(2015, 10, 1), dt.date(2015, 12, 31))
# 2016-17 runs October to March: not a contract year, though later than year 2.
LATER = (dt.date(2016, 10, 1), dt.date(2017, 3, 31))


@pytest.fixture
def contract() -> ContractTerms:
    return parse_contract(CONTRACT, "contract.yaml", REGISTRY)


def row(
    code: str,
    period: tuple[dt.date, dt.date],
    value: float | None,
    status: str = "ok",
    *,
    la_code: str = "371",
    ci: tuple[float, float] | None = None,
) -> dict[str, object]:
    low, high = ci if ci else (None, None)
    return {
        "indicator": code,
        "la_code": la_code,
        "period_start": period[0],
        "period_end": period[1],
        "numerator": None if value is None else value * 10,
        "denominator": None if value is None else 1000.0,
        "value": value,
        "ci_lower": low,
        "ci_upper": high,
        "status": status,
    }


@pytest.fixture
def results() -> pd.DataFrame:
    return pd.DataFrame(
        [
            row("REREF_12M", BASELINE, 37.9, "lookback incomplete", ci=(34.9, 41.0)),
            row("REREF_12M", YEAR_1, 23.4, ci=(20.9, 26.1)),
            row("REREF_12M", YEAR_2, 26.5, ci=(24.0, 29.2)),
            row("REREF_12M", QUARTER, 40.0),
            row("REREF_12M", LATER, 10.0),
            # Another LA's figures must never be picked up.
            row("REREF_12M", YEAR_2, 99.0, la_code="372"),
            row("REREF_12M", BASELINE, 99.0, la_code="372"),
            row("CL_EET", BASELINE, None, "insufficient data"),
            row("CL_EET", YEAR_1, 52.0),
            row("CL_EET", YEAR_2, 57.0, ci=(50.0, 63.5)),
            row("REF_RATE", BASELINE, 410.2),
            row("REF_RATE", YEAR_2, 452.6),
            row("ADOPT_A1", YEAR_2, None, "no data"),
            # Not in the basket.
            row("SW_AGENCY", YEAR_2, 12.0),
        ]
    )


def test_contract_years_with_results(results: pd.DataFrame, contract: ContractTerms) -> None:
    assert contract_years_with_results(results, contract) == [1, 2]


def test_assess_picks_the_latest_contract_year(
    results: pd.DataFrame, contract: ContractTerms
) -> None:
    assessments = assess(results, contract, REGISTRY)
    assert [a.indicator.code for a in assessments] == [
        "REREF_12M",
        "CL_EET",
        "REF_RATE",
        "ADOPT_A1",
    ]
    assert {a.year for a in assessments} == {2}
    reref = assessments[0]
    assert reref.latest.period.start == YEAR_2[0] and reref.latest.period.end == YEAR_2[1]
    assert (reref.latest.value, reref.latest.ci_lower, reref.latest.ci_upper) == (26.5, 24.0, 29.2)
    assert reref.latest.status == "ok"
    assert (reref.baseline_year.value, reref.baseline_year.status) == (37.9, "lookback incomplete")
    assert reref.baseline_year.lookback_incomplete
    assert (reref.contract_baseline, reref.target, reref.tolerance) == (38, 25, 3)
    # 26.5 is above 25 but within 28: amber; down from 37.9: improved.
    assert (reref.rag, reref.change, reref.direction) == (
        RAG.AMBER,
        Change.REDUCTION,
        Direction.IMPROVED,
    )
    assert reref.reported is not None and reref.reported.source == "Annual review"
    assert reref.reported_latest is None  # nothing was published for year 2


def test_assess_a_chosen_year(results: pd.DataFrame, contract: ContractTerms) -> None:
    reref, eet, ref_rate, _ = assess(results, contract, REGISTRY, year=1)
    assert reref.year == 1
    assert (reref.latest.value, reref.rag, reref.direction) == (23.4, RAG.GREEN, Direction.IMPROVED)
    assert reref.reported_latest == 23
    assert (eet.latest.value, eet.rag) == (52.0, RAG.RED)  # below 60 - 5
    assert (ref_rate.latest.value, ref_rate.latest.status) == (None, "no data")
    assert ref_rate.rag is RAG.NOT_RATED


def test_assess_grey_and_not_comparable_without_data(
    results: pd.DataFrame, contract: ContractTerms
) -> None:
    _, eet, ref_rate, adopt = assess(results, contract, REGISTRY)
    # Within tolerance of a higher-is-better target, but no usable baseline to compare with.
    assert (eet.latest.value, eet.rag) == (57.0, RAG.AMBER)
    assert (eet.baseline_year.value, eet.baseline_year.status) == (None, "insufficient data")
    assert eet.direction is Direction.NOT_COMPARABLE
    # No row at all for the baseline year is "no data", not an error.
    assert (adopt.baseline_year.status, adopt.latest.status) == ("no data", "no data")
    assert (adopt.rag, adopt.direction) == (RAG.GREY, Direction.NOT_COMPARABLE)
    assert ref_rate.contract_baseline is None
    assert (ref_rate.rag, ref_rate.direction) == (RAG.NOT_RATED, Direction.CHANGED)


def test_assess_reads_datetime_columns(results: pd.DataFrame, contract: ContractTerms) -> None:
    as_datetimes = results.assign(
        period_start=pd.to_datetime(results["period_start"]),
        period_end=pd.to_datetime(results["period_end"]),
    )
    assert assess(as_datetimes, contract, REGISTRY) == assess(results, contract, REGISTRY)


def test_assess_refuses_duplicate_rows(results: pd.DataFrame, contract: ContractTerms) -> None:
    # The same figure twice: the first CL_EET row of year 2, repeated.
    first = results[(results["indicator"] == "CL_EET") & (results["period_end"] == YEAR_2[1])]
    doubled = pd.concat([results, first.head(1)])
    with pytest.raises(ValueError, match="more than one row for CL_EET in Oct 2015–Sep 2016"):
        assess(doubled, contract, REGISTRY)


def test_assess_needs_a_contract_year(results: pd.DataFrame, contract: ContractTerms) -> None:
    only_quarters = results[results["period_end"] == QUARTER[1]]
    with pytest.raises(ValueError, match="no whole contract year for LA 371"):
        assess(only_quarters, contract, REGISTRY)


def test_assess_names_missing_columns(results: pd.DataFrame, contract: ContractTerms) -> None:
    with pytest.raises(ValueError, match="ci_lower, status"):
        assess(results.drop(columns=["ci_lower", "status"]), contract, REGISTRY)


def test_assess_reads_the_engines_results(computed: Callable[..., pd.DataFrame]) -> None:
    """REREF_12M from tests/data/rereferrals (LA 999; returns from 1 Apr 2014), assessed.

    Baseline year Oct 2013–Sep 2014: the returns start 1 Apr 2014, so only half the year is held:
    incomplete data, no value (its two referrals, A and B on 1 Jun 2014, are still counted).
    Contract year 1, Oct 2014–Sep 2015: referrals I (Oct), D (Jan), E (Mar), H (Apr), A, B (Jun),
    C (Jul), I (Aug), D and I (Sep) = 10; re-referrals A, D (Sep), I (Aug), I (Sep) = 4: 40.0%,
    flagged because the returns do not reach back to Oct 2013. 40.0 is beyond 25 + 3: red.
    """
    text = CONTRACT.replace('la_code: "371"', 'la_code: "999"')
    contract = parse_contract(text[: text.index("  - indicator: CL_EET")], "c.yaml", REGISTRY)
    results = computed(
        ["rereferrals"], "REREF_12M", ["2013-10-01:2014-09-30", "2014-10-01:2015-09-30"]
    )
    (reref,) = assess(results, contract)  # the built-in registry
    assert (reref.year, reref.indicator.code) == (1, "REREF_12M")
    assert (reref.baseline_year.denominator, reref.baseline_year.status) == (2, "incomplete data")
    assert reref.baseline_year.value is None
    assert (reref.latest.numerator, reref.latest.denominator) == (4, 10)
    assert reref.latest.value == pytest.approx(40.0)
    assert reref.latest.status == "lookback incomplete"
    assert (reref.rag, reref.direction) == (RAG.RED, Direction.NOT_COMPARABLE)
