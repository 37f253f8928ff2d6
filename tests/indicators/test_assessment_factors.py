"""AF_* (factors identified at the end of assessment, episodes per 10,000) on hand-made CIN
census returns (tests/data/framework_cin, LA 371: the 2020-21 and 2021-22 censuses).

Doncaster's children aged 0-17: 64,165 (ONS mid-2020), 64,097 (mid-2021).

2021-22 (assessments authorised 1 Apr 2021 - 31 Mar 2022), by episode (child and referral):
  F1  authorised 1 Jun 2021: 3A, 16A                        -> AF_DA_CHILD, AF_NEGLECT
  F2  two assessments, 1 Jul (24A) and 1 Oct 2021 (24A, 10A) -> AF_CCE once, AF_MISSING
  F3  two episodes, each with an assessment finding 16A (10 May and 1 Dec 2021)
                                                            -> AF_NEGLECT twice (once per episode)
  F4  16A, authorised 20 Mar 2021, before the year          -> not counted
  F5  16A, assessment started 1 Mar 2022, not authorised    -> not counted
  F6  authorised 1 Aug 2021: 18C, 18A                       -> AF_PHYS_ADULT, AF_PHYS_UNKNOWN
  F7  3A, authorised 31 Mar 2022 (the year's last day)      -> AF_DA_CHILD
  F8  one assessment, 15 Nov 2021, with all seventeen of the dashboard's factors -> each, once
2021-22: AF_NEGLECT 4, AF_DA_CHILD 3, AF_CCE 2, AF_MISSING 2, AF_PHYS_ADULT 2, AF_PHYS_UNKNOWN 2,
AF_GANGS 1, AF_TRAFFICKING 1.
2020-21 (each referral closed within the year, so the 2021-22 census need not carry it):
G1 16A, and F4's 16A authorised 20 Mar 2021 (in the 2021-22 census) -> AF_NEGLECT 2; G2 24A, a
code the census collects only from 2021-22 -> AF_CCE has no value for 2020-21; G3 18C
(collected from 2020-21) -> AF_PHYS_ADULT 1; no 23A -> AF_FAITH 0.
"""

import ibis
import ibis.expr.types as ir
import pandas as pd
import pandas.testing as pdt
import pytest

from cscmonitor.backends import Backend, SnapshotTables
from cscmonitor.indicators.assessment_factors import authorised_factors
from cscmonitor.indicators.code_years import factors
from cscmonitor.indicators.common import shared
from cscmonitor.indicators.engine import Basket, compute, explain, periods_table
from cscmonitor.indicators.measures import totals
from cscmonitor.indicators.registry import all_indicators, get
from cscmonitor.ingest import ingest
from cscmonitor.periods import Period
from cscmonitor.settings import Settings
from cscmonitor.warehouse import Snapshot, Warehouse
from tests.conftest import DATA

FY2021 = "2021-04-01:2022-03-31"
FY2020 = "2020-04-01:2021-03-31"
POPULATION_2021 = 64_097
POPULATION_2020 = 64_165


@pytest.mark.parametrize(
    ("code", "episodes"),
    [
        ("AF_NEGLECT", 4),
        ("AF_DA_CHILD", 3),
        ("AF_CCE", 2),
        ("AF_MISSING", 2),
        ("AF_PHYS_ADULT", 2),
        ("AF_PHYS_UNKNOWN", 2),
        ("AF_GANGS", 1),
        ("AF_TRAFFICKING", 1),
    ],
)
def test_episodes_with_a_factor_per_10000(computed, code, episodes):
    year = computed(["framework_cin"], code, [FY2021], la_code="371").loc["2021-04-01"]
    assert year.numerator == episodes
    assert year.denominator == pytest.approx(POPULATION_2021)
    assert year.value == pytest.approx(episodes / POPULATION_2021 * 10_000)
    assert year.status == "ok"


@pytest.mark.parametrize(
    ("code", "episodes", "status"),
    [
        ("AF_NEGLECT", 2, "ok"),
        ("AF_PHYS_ADULT", 1, "ok"),
        ("AF_FAITH", 0, "ok"),  # none found: a rate of zero, not a gap
        ("AF_CCE", 1, "no data"),
    ],
)
def test_a_factor_has_no_value_before_the_census_collects_it(computed, code, episodes, status):
    year = computed(["framework_cin"], code, [FY2020], la_code="371").loc["2020-04-01"]
    assert (year.numerator, year.status) == (episodes, status)
    if status == "ok":
        assert year.value == pytest.approx(episodes / POPULATION_2020 * 10_000)
    else:
        assert year.value != year.value  # NaN: no value, not a zero


def test_the_seventeen_dashboard_factors_are_registered_with_their_first_years():
    codes = {i.code: i for i in all_indicators() if i.code.startswith("AF_")}
    assert len(codes) == 17
    assert str(get("AF_CCE").collected_from) == "2021-04-01"
    assert {c for c, i in codes.items() if i.collected_from is not None} == {
        "AF_CCE",
        "AF_PHYS_ADULT",
        "AF_PHYS_CHILD",
        "AF_SEX_ADULT",
        "AF_SEX_CHILD",
    }


def test_a_basket_reads_the_factors_once(settings):
    """Every factor indicator of one `compute` reads one shared table of the authorised
    factors (on DuckDB one table, made once), and the basket gives what each indicator
    computed alone gives."""
    ingest([DATA / "framework_cin"], settings, la_code="371")
    tables = SnapshotTables(Warehouse(settings.warehouse_dir).require_current(), Backend.DUCKDB)
    made = "SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'shared_%'"
    codes = [i.code for i in all_indicators() if i.code.startswith("AF_")]
    periods = [Period.parse(FY2020), Period.parse(FY2021)]
    with Basket(tables, None) as basket:
        for code in codes:
            totals(get(code), basket, periods_table(periods))
        assert tables.con.con.sql(made).fetchall() == [(1,)]
        joined = shared(basket, authorised_factors).execute()
    # F8's one assessment found all seventeen of the dashboard's factors: a row for each.
    f8 = joined[pd.to_datetime(joined.authorised_date) == pd.Timestamp(2021, 11, 15)]
    assert sorted(f8.factor) == sorted(factors()["code"])
    together = compute(tables, periods, codes=codes)
    alone = pd.concat([compute(tables, periods, codes=[c]) for c in codes], ignore_index=True)
    pdt.assert_frame_equal(
        together, alone.sort_values(list(together.columns[:4]), ignore_index=True)
    )


# tests/data/factors_twice: one child of LA 371 whose assessment starting 2 June 2021 is
# recorded twice, authorised on different days, with different factors: A (20 June 2021)
# found 3A (listed twice), B (1 November 2021) 16A.
Q1 = "2021-04-01:2021-06-30"
Q3 = "2021-10-01:2021-12-31"


def test_a_factor_is_placed_by_its_own_assessments_authorisation(settings):
    """Each factor carries its assessment's authorisation date from ingest, so an assessment
    recorded twice with the same start places each factor on its own day: 3A (A) in the
    first quarter only, 16A (B) in the third only. Joined to the assessments by child,
    referral and start date, as factors were before December 2026, each factor would pair
    with both A and B and count in both quarters."""
    ingest([DATA / "factors_twice"], settings, la_code="371")
    tables = SnapshotTables(Warehouse(settings.warehouse_dir).require_current(), Backend.DUCKDB)
    periods = [Period.parse(Q1), Period.parse(Q3)]
    found = compute(tables, periods, codes=["AF_DA_CHILD", "AF_NEGLECT"])
    counts = {(row.indicator, str(row.period_start)): row.numerator for row in found.itertuples()}
    assert counts == {
        ("AF_DA_CHILD", "2021-04-01"): 1,
        ("AF_DA_CHILD", "2021-10-01"): 0,
        ("AF_NEGLECT", "2021-04-01"): 0,
        ("AF_NEGLECT", "2021-10-01"): 1,
    }


class FactorsIngestedBefore(SnapshotTables):
    """The same snapshot, its factors as a warehouse written before they carried their
    assessment's authorisation date holds them: without the column (a file written then),
    or blank for every factor or for one code (a lake read in today's schema, or a snapshot
    whose older rows were ingested then)."""

    def __init__(self, snapshot: Snapshot, backend: Backend, blank: str | None) -> None:
        super().__init__(snapshot, backend)
        self.blank = blank

    def table(self, name: str) -> ir.Table:
        table = super().table(name)
        if name != "cin_assessment_factors":
            return table
        if self.blank is None:
            return table.drop("assessment_authorised_date")
        dated = table.assessment_authorised_date
        hidden = ibis.literal(True) if self.blank == "every" else table.factor == self.blank
        kept = ibis.cases((hidden, ibis.null("date")), else_=dated)
        return table.mutate(assessment_authorised_date=kept)


@pytest.mark.parametrize("blank", [None, "every", "16A"], ids=["no column", "all blank", "16A"])
def test_factors_ingested_before_are_joined_to_their_assessments(
    settings: Settings, backend: Backend, blank: str | None
):
    """Factors without their assessment's date (all of them, or some) give the same figures
    for every factor indicator as those carrying it: each is joined to the authorised
    assessments of its child, referral and start date. Carried dates alone would count none
    of the blank ones."""
    ingest([DATA / "framework_cin"], settings, la_code="371")
    snapshot = Warehouse(settings.warehouse_dir).require_current()
    codes = [i.code for i in all_indicators() if i.code.startswith("AF_")]
    periods = [Period.parse(FY2020), Period.parse(FY2021)]
    carried = compute(SnapshotTables(snapshot, backend), periods, codes=codes)
    before = compute(FactorsIngestedBefore(snapshot, backend, blank), periods, codes=codes)
    assert carried.numerator.sum() > 0
    pdt.assert_frame_equal(before, carried)


def test_a_factor_listed_twice_counts_once(settings, backend):
    """A lists 3A twice: one finding after another on the same day, so the episode's one
    record in the quarter is the first, with no earlier finding."""
    ingest([DATA / "factors_twice"], settings, la_code="371")
    tables = SnapshotTables(Warehouse(settings.warehouse_dir).require_current(), backend)
    records = explain(tables, "AF_DA_CHILD", Period.parse(Q1), "371")
    assert _findings(records) == [("2021-06-20", "NaT")]


def _findings(records: pd.DataFrame) -> list[tuple[str, str]]:
    """Each record's first finding in the period and the episode's previous one, as text."""
    days = records[["first_authorised", "previous_authorised"]].astype(str)
    return sorted((r.first_authorised[:10], r.previous_authorised[:10]) for r in days.itertuples())


def test_an_episode_counts_once_a_period_from_its_first_finding_in_it(settings, backend):
    """F2's assessments found 24A on 1 July and 1 October 2021, F8's on 15 November. In
    2021-22 F2 counts once, from 1 July (1 October's previous finding is in the year); in
    October to December it counts from 1 October, whose previous finding (1 July) is before
    the quarter."""
    ingest([DATA / "framework_cin"], settings, la_code="371")
    tables = SnapshotTables(Warehouse(settings.warehouse_dir).require_current(), backend)
    year = explain(tables, "AF_CCE", Period.parse(FY2021), "371")
    assert _findings(year) == [("2021-07-01", "NaT"), ("2021-11-15", "NaT")]
    quarter = explain(tables, "AF_CCE", Period.parse(Q3), "371")
    assert _findings(quarter) == [("2021-10-01", "2021-07-01"), ("2021-11-15", "NaT")]
