"""The framework figure model's own words: why a measure has no value, what is published for
the benchmark-only measures, and the order measures are shown in."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from cscmonitor.assess import Computed
from cscmonitor.figures import absence_text
from cscmonitor.framework_figures import (
    framework_indicators,
    is_bundled,
    published_measures,
)
from cscmonitor.indicators.engine import (
    INCOMPLETE_DATA,
    INSUFFICIENT_DATA,
    NO_DATA,
    RETURN_MISSING,
)
from cscmonitor.indicators.framework import BENCHMARK_ONLY
from cscmonitor.indicators.registry import get
from cscmonitor.periods import Period

YEAR = Period(dt.date(2014, 4, 1), dt.date(2015, 3, 31))


def _missing(status: str, period: Period = YEAR) -> Computed:
    return Computed(period, None, None, None, 3.0, 4.0, status)


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (INSUFFICIENT_DATA, "too few to show for Apr 2014–Mar 2015: fewer than 5 in the cohort"),
        (INCOMPLETE_DATA, "the SSDA903 return held cover only part of Apr 2014–Mar 2015"),
        (RETURN_MISSING, "a SSDA903 return between two held is missing"),
        (NO_DATA, "needs the SSDA903 return for Apr 2014–Mar 2015"),
    ],
)
def test_why_a_figure_has_no_value(status: str, words: str) -> None:
    assert absence_text(get("CLA_FOSTER"), _missing(status)).startswith(words)


def test_a_measure_needing_a_field_names_it() -> None:
    distance = replace(get("CLA_FOSTER"), needs="PL_DISTANCE or a postcode lookup")
    assert absence_text(distance, _missing(NO_DATA)) == "needs PL_DISTANCE or a postcode lookup"
    # Too few children is still too few, whatever the measure needs.
    assert absence_text(distance, _missing(INSUFFICIENT_DATA)).startswith("too few")


def test_a_cohort_without_the_field_says_what_it_needs() -> None:
    # Workers files before 2026 have no ETHNICITY column: nobody has a known ethnicity, so the
    # cohort is empty and the measure says what it needs rather than "too few".
    nobody = Computed(YEAR, None, None, None, 0.0, 0.0, INSUFFICIENT_DATA)
    words = absence_text(get("SW_ETHNIC_MINORITY"), nobody)
    assert words == (
        "needs the workers file's ETHNICITY column (no record held for Apr 2014–Mar 2015 has it)"
    )
    # With workers of known ethnicity but fewer than five, it is too few.
    few = Computed(YEAR, None, None, None, 1.0, 3.0, INSUFFICIENT_DATA)
    assert absence_text(get("SW_ETHNIC_MINORITY"), few).startswith("too few")


def test_the_framework_measures_the_returns_may_lack_say_what_they_need() -> None:
    # A 903 read with neither PL_DISTANCE nor a postcode lookup leaves CLA_20MILES's cohort
    # empty; a 903 before 2026-27 has no DoLo table.
    nobody = Computed(YEAR, None, None, None, 0.0, 0.0, INSUFFICIENT_DATA)
    assert absence_text(get("CLA_20MILES"), nobody).startswith(
        "needs PL_DISTANCE or a postcode lookup (no record held"
    )
    dolo = absence_text(get("CLA_DOLO"), _missing(NO_DATA))
    assert dolo == "needs the 2026-27 SSDA903 deprivation of liberty table"


def test_a_measure_the_return_collects_later_names_the_first_return() -> None:
    # AF_CCE (factor 24A) is collected from the 2021-22 CIN census.
    words = absence_text(get("AF_CCE"), _missing(NO_DATA))
    assert words.startswith("needs the CIN census return from 1 April 2021, the first to collect")
    # Read by a second return: both are named.
    school = absence_text(get("CLA_SCHOOL_MOVE"), _missing(NO_DATA))
    assert school == "needs the Virtual school and SSDA903 returns for Apr 2014–Mar 2015"


def test_dashboard_measures_come_first_in_the_dashboards_order() -> None:
    shown = framework_indicators()
    rows = [i.framework.row for i in shown]
    tagged = [r for r in rows if r is not None]
    assert tagged == sorted(tagged)
    assert rows.index(None) == len(tagged)  # every dashboard measure before the rest
    others = [i.code for i in shown if i.framework.row is None]
    assert others == sorted(others)


def test_only_the_ofsted_workbook_is_bundled() -> None:
    bundled = {p.code for p in BENCHMARK_ONLY if is_bundled(p)}
    assert bundled == {"OFSTED_LEADERSHIP"}
    spend = next(p for p in published_measures("371", dt.date(2025, 6, 1)) if p.code == "SPEND")
    assert not spend.bundled
    assert spend.value.startswith("not bundled: published in spend/RSX_LA_Data_2024-25")


@pytest.mark.parametrize(
    ("as_at", "words"),
    [
        # Doncaster's ILACS inspections in the workbook: February 2022 (leaders Inadequate,
        # published 8 April 2022) and January 2025 (Good, published 18 March 2025).
        (dt.date(2025, 6, 1), "Good (inspection from 20 January 2025, published 18 March 2025)"),
        (
            dt.date(2024, 1, 1),
            "Inadequate (inspection from 14 February 2022, published 8 April 2022)",
        ),
        (dt.date(2022, 4, 7), "no judgement of leaders published by 7 April 2022"),
    ],
)
def test_the_las_leadership_judgement_is_the_latest_published_by_the_date(
    as_at: dt.date, words: str
) -> None:
    leaders = next(p for p in published_measures("371", as_at) if p.code == "OFSTED_LEADERSHIP")
    assert leaders.bundled
    assert leaders.value.startswith(words)
    # Without the published tables there is no region to count in; England is counted.
    assert leaders.region == "no region known for this LA"
    assert leaders.england.startswith("England: ")
