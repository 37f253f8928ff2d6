"""The National Framework comparators on the bundled tables: each read by name with its filters,
checked against the same cell read from the file here with `csv`; neighbours by year; and a
missing benchmark told apart as not held, not published or no published benchmark."""

from __future__ import annotations

import csv
import datetime as dt
import functools

import pandas as pd
import pytest

from cscmonitor.assess import Computed
from cscmonitor.benchmarks.comparison import (
    HELD,
    NO_BENCHMARK,
    NOT_HELD,
    NOT_PUBLISHED,
    Comparison,
    comparisons,
)
from cscmonitor.benchmarks.mapping import BY_CODE, DAYS_PER_MONTH, FACTOR_CODES
from cscmonitor.benchmarks.neighbours import grouping_for
from cscmonitor.benchmarks.store import bundled_path
from cscmonitor.benchmarks.values import Published, published_values
from cscmonitor.indicators.code_years import factors
from cscmonitor.periods import Period, financial_year

DONCASTER = "371"


@functools.cache
def rows(file: str) -> tuple[dict[str, str], ...]:
    with bundled_path(file).open(encoding="utf-8-sig", newline="") as handle:
        return tuple(csv.DictReader(handle))


def cell(file: str, column: str, *, la: str | None, period: str, **filters: str) -> str:
    """The one cell of `column` for an LA (or England) and time_period with these filters."""
    level = "Local authority" if la else "National"
    found = [
        r[column]
        for r in rows(file)
        if r["geographic_level"] == level
        and r["time_period"] == period
        and (la is None or r["old_la_code"] == la)
        and all(r[k] == v for k, v in filters.items())
    ]
    assert len(found) == 1, (file, column, la, period, filters, found)
    return found[0]


def mapped(published: pd.DataFrame, code: str, la: str | None, year: int) -> float:
    values = published_values(published, [BY_CODE[code]])
    level = "Local authority" if la else "National"
    row = values[
        (values["geographic_level"] == level)
        & (values["year"] == year)
        & ((values["area_code"] == la) if la else True)
    ]
    assert len(row) == 1
    return float(row["value"].iloc[0])


# (code, file, value column, filters): the DfE comparator columns of INDICATORS-FRAMEWORK.md.
PUBLISHED_VALUES = [
    (
        "CLA_START_RATE",
        "cla_number_and_rate_per_10k_children.csv",
        "rate_per_10000",
        {"population_type": "Children starting to be looked after each year"},
    ),
    (
        "CLA_SCHOOL_MOVE",
        "la_cla_school_moves.csv",
        "percentage",
        {
            "cla_group": "CLA on 31 March",
            "move_measure": "Mid-year moves",
            "school_stability": "With one or more mid-year moves during the year",
        },
    ),
    (
        "CLA_SDQ",
        "la_conviction_health_outcome_cla.csv",
        "children_count",
        {"characteristic": "Ages 5 to 16 years with SDQ score", "breakdown": "SDQ average score"},
    ),
    (
        "CL_EET_17_18",
        "la_care_leavers_activity.csv",
        "care_leaver_percent",
        {
            "care_leaver_age": "17 to 18 years",
            "breakdown": "Total in education, employment or training",
        },
    ),
    (
        "CL_SUITABLE_17_18",
        "la_care_leavers_accommodation_suitability.csv",
        "care_leaver_percent",
        {"care_leaver_age": "17 to 18 years", "breakdown": "Accommodation considered suitable"},
    ),
    (
        "CLA_SW3PLUS",
        "la_cla_swcount.csv",
        "percentage",
        {
            "cla_group": "CLA on 31 March",
            "sw_stability": "3 or more social workers during the year",
        },
    ),
]


@pytest.mark.parametrize(("code", "file", "column", "filters"), PUBLISHED_VALUES)
def test_a_published_value_is_read_by_name_with_its_filters(
    published: pd.DataFrame, code: str, file: str, column: str, filters: dict[str, str]
) -> None:
    # The latest year the file holds, for Doncaster; DfE's time_period Y is financial year Y-1.
    period = max(r["time_period"] for r in rows(file))
    text = cell(file, column, la=DONCASTER, period=period, **filters)
    assert mapped(published, code, DONCASTER, int(period) - 1) == pytest.approx(float(text))
    england = cell(file, column, la=None, period=period, **filters)
    assert mapped(published, code, None, int(period) - 1) == pytest.approx(float(england))


@pytest.mark.parametrize("code", FACTOR_CODES)
def test_a_factor_rate_is_episodes_over_the_population_of_the_year_before(
    published: pd.DataFrame, code: str
) -> None:
    # c3 time_period 2024 (2023-24) over the ONS mid-2023 estimate, as DfE's dashboard reads it.
    column = factors().set_index("indicator").loc[code, "c3_column"]
    c3 = "c3_factors_identified_at_end_of_assessment_2018_to_2025.csv"
    episodes = cell(c3, column, la=DONCASTER, period="2024")
    population = cell(
        "ons_mid-year_population_estimates_2012_to_2024.csv",
        "population_estimate",
        la=DONCASTER,
        period="2023",
        age_group="Children aged 0 to 17 years",
    )
    expected = float(episodes) / float(population) * 10_000
    assert mapped(published, code, DONCASTER, 2023) == pytest.approx(expected)


def test_adoption_timings_are_read_as_days_for_england_only(published: pd.DataFrame) -> None:
    file = "national_cla_adopted_average_time_between_adoption_process_stages.csv"
    filters = {
        "cla_group": "Age on starting final period of care",
        "stage_of_adoption_process": next(
            r["stage_of_adoption_process"]
            for r in rows(file)
            if r["stage_of_adoption_process"].startswith("2. ")
        ),
        "age_start_poc": "Total",
    }
    years, months = cell(file, "number", la=None, period="2025", **filters).split(":")
    expected = (int(years) * 12 + int(months)) * DAYS_PER_MONTH
    assert mapped(published, "ADOPT_DECISION_MATCH", None, 2024) == pytest.approx(expected)


# --- Neighbours by year ------------------------------------------------------------------


def _computed(code: str, span: Period, value: float | None = 10.0) -> dict[str, Computed]:
    return {code: Computed(span, value, None, None, None, None, "ok")}


@pytest.mark.parametrize(("year", "grouping"), [(2015, 2021), (2023, 2021), (2024, 2025)])
def test_recent_years_use_the_2025_neighbour_model(held: Published, year: int, grouping: int):
    span = financial_year(year)
    assert grouping_for(span.end) == grouping
    (found,) = comparisons(held, DONCASTER, _computed("CLA_RATE", span), span).values()
    if year >= 2020:  # cla_number_and_rate holds 2020-21 on
        assert found.state == HELD and found.sn_grouping == grouping
        assert found.sn_count >= 8
    fixed = comparisons(held, DONCASTER, _computed("CLA_RATE", span), span, grouping=2021)
    assert fixed["CLA_RATE"].sn_grouping == (2021 if year >= 2020 else None)


def test_a_contract_year_takes_the_grouping_of_the_dfe_year_it_is_compared_with(held: Published):
    # October 2024 to September 2025 is compared with 2024-25, which the 2025 model serves;
    # October 2023 to September 2024 with 2023-24, under the 2021 groupings.
    later = Period(dt.date(2024, 10, 1), dt.date(2025, 9, 30))
    earlier = Period(dt.date(2023, 10, 1), dt.date(2024, 9, 30))
    for span, year, grouping in ((later, "2024-25", 2025), (earlier, "2023-24", 2021)):
        found = comparisons(held, DONCASTER, _computed("CLA_START_RATE", span), span)
        assert (found["CLA_START_RATE"].year, found["CLA_START_RATE"].sn_grouping) == (
            year,
            grouping,
        )


# --- Not held, not published, no published benchmark -------------------------------------


def test_no_published_benchmark_names_the_table_not_bundled(held: Published) -> None:
    span = financial_year(2024)
    found = comparisons(held, DONCASTER, _computed("CLA_FOSTER", span), span)["CLA_FOSTER"]
    assert found.state == NO_BENCHMARK and found.year is None
    gap = found.gap("england")
    assert gap is not None and gap.state == NO_BENCHMARK
    assert gap.detail == "la_cla_on_31_march_by_characteristics is not bundled"


def test_a_year_before_the_table_starts_is_not_held(held: Published) -> None:
    span = financial_year(2015)  # school moves are held from 2019-20 (time_period 2020)
    found = comparisons(held, DONCASTER, _computed("CLA_SCHOOL_MOVE", span), span)
    moves = found["CLA_SCHOOL_MOVE"]
    assert moves.state == NOT_HELD and moves.england is None
    gap = moves.gap("england")
    assert gap is not None and (gap.state, gap.flag) == (NOT_HELD, None)


def test_a_suppressed_cell_is_not_published_with_dfes_code(held: Published) -> None:
    # Child criminal exploitation was first collected in 2021-22: c3 has `x` before, for
    # England as for every LA. The year is held; its figures are not published.
    c3 = "c3_factors_identified_at_end_of_assessment_2018_to_2025.csv"
    code = cell(c3, "Child_criminal_exploitation", la=None, period="2021")
    span = financial_year(2020)
    found = comparisons(held, DONCASTER, _computed("AF_CCE", span), span)["AF_CCE"]
    assert found.state == HELD and found.year == "2020-21" and found.england is None
    for which in ("england", "region", "sn_mean"):
        gap = found.gap(which)
        assert gap is not None and (gap.state, gap.flag) == (NOT_PUBLISHED, code), which
    # The next year is published.
    later = financial_year(2021)
    found = comparisons(held, DONCASTER, _computed("AF_CCE", later), later)["AF_CCE"]
    assert found.england is not None and found.gap("england") is None


def test_an_england_only_table_has_no_region_neighbours_or_band(held: Published) -> None:
    span = financial_year(2024)
    found = comparisons(held, DONCASTER, _computed("ADOPT_DECISION_MATCH", span, 300.0), span)
    adopt = found["ADOPT_DECISION_MATCH"]
    assert adopt.state == HELD and adopt.england is not None
    for which in ("region", "sn_mean", "band"):
        gap = adopt.gap(which)
        assert gap is not None and (gap.state, gap.detail) == (NOT_PUBLISHED, "England only")


def test_a_comparison_without_tables_says_which_reason(held: Published) -> None:
    assert Comparison.without_tables("CLA_RATE").state == NOT_HELD
    assert Comparison.without_tables("CLA_RESI").state == NO_BENCHMARK
