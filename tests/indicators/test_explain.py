"""Explain lists exactly the records behind each figure of the known-answer tests: aggregated as
the indicator's measure kind declares, they are the figure, on DuckDB and on Spark."""

from dataclasses import replace
from typing import assert_never

import numpy as np
import pandas as pd
import pytest

from cscmonitor.backends import Backend, SnapshotTables
from cscmonitor.indicators.engine import compute, explain, periods_table
from cscmonitor.indicators.framework import Framework, serves
from cscmonitor.indicators.measures import records
from cscmonitor.indicators.population import population_frame
from cscmonitor.indicators.registry import (
    REGISTRY,
    Domain,
    Indicator,
    Interval,
    Measure,
    Polarity,
    Source,
    Unit,
    all_indicators,
    get,
    indicator,
)
from cscmonitor.ingest import ingest
from cscmonitor.periods import Period, twelve_months_to
from cscmonitor.warehouse import Warehouse
from tests.conftest import DATA

# Each indicator with a hand-made dataset, the LA it is ingested as, and a period.
CASES = {
    "REREF_12M": ("rereferrals", "999", "2015-04-01:2016-03-31"),
    "CPP_REPEAT": ("repeat_plans", "999", "2015-04-01:2016-03-31"),
    "CLA_3PLUS": ("placements", "999", "2015-04-01:2016-03-31"),
    "SW_AGENCY": ("workforce", "999", "2014-10-01:2015-09-30"),
    "SW_TURNOVER": ("workforce", "999", "2014-10-01:2015-09-30"),
    "SW_VACANCY": ("vacancies", "999", "2014-10-01:2015-09-30"),
    "SW_CASELOAD": ("vacancies", "999", "2014-10-01:2015-09-30"),
    "EH_ASSESS_RATE": ("early_help", "371", "2015-04-01:2016-03-31"),
    "EH_NEEDS_MET": ("early_help", "371", "2015-04-01:2016-03-31"),
    "EH_STEP_UP": ("early_help", "371", "2015-04-01:2016-03-31"),
    "EH_REREF": ("early_help", "371", "2016-04-01:2017-03-31"),
    "VS_GOOD_SCHOOL": ("virtual_school", "999", "2015-09-01:2016-08-31"),
    "VS_PEP_TIMELY": ("virtual_school", "999", "2015-09-01:2016-08-31"),
    "VS_PEP_QUALITY": ("virtual_school", "999", "2015-09-01:2016-08-31"),
    "VS_PERSIST_ABS": ("virtual_school", "999", "2015-09-01:2016-08-31"),
    "VS_SUSPENDED": ("virtual_school", "999", "2015-09-01:2016-08-31"),
    "VS_PERM_EXCL": ("virtual_school", "999", "2015-09-01:2016-08-31"),
    "REF_RATE": ("referral_measures", "371", "2015-04-01:2016-03-31"),
    "REF_NFA": ("referral_measures", "371", "2015-04-01:2016-03-31"),
    "CIN_RATE": ("referral_measures", "371", "2015-04-01:2016-03-31"),
    "ASSESS_45WD": ("assessments", "371", "2015-04-01:2016-03-31"),
    "ICPC_15WD": ("conferences", "371", "2015-04-01:2016-03-31"),
    "CPP_REPEAT_2Y": ("plans", "371", "2015-04-01:2016-03-31"),
    "CPP_RATE": ("plans", "371", "2015-04-01:2016-03-31"),
    "CPP_OPEN_2Y": ("plans", "371", "2015-04-01:2016-03-31"),
    "CPP_ENDED_2Y": ("plans", "371", "2015-04-01:2016-03-31"),
    "CPP_REVIEW_TIMELY": ("plans", "371", "2015-04-01:2016-03-31"),
    "CLA_RATE": ("stability", "371", "2015-04-01:2016-03-31"),
    "CLA_LT_STABLE": ("stability", "371", "2015-04-01:2016-03-31"),
    "CLA_MISSING": ("missing", "999", "2015-04-01:2016-03-31"),
    "CLA_AWAY": ("missing", "999", "2015-04-01:2016-03-31"),
    "CLA_REVIEWS_TIMELY": ("cla_reviews", "999", "2015-04-01:2016-03-31"),
    "CL_EET": ("care_leavers", "999", "2015-04-01:2016-03-31"),
    "CL_SUITABLE": ("care_leavers", "999", "2015-04-01:2016-03-31"),
    "CL_IN_TOUCH": ("care_leavers", "999", "2015-04-01:2016-03-31"),
    "ADOPT_A1": ("adoption", "999", "2015-04-01:2016-03-31"),
    "ADOPT_A10": ("adoption", "999", "2015-04-01:2016-03-31"),
    "ADOPT_A2": ("adoption", "999", "2015-04-01:2016-03-31"),
    "CLA_START_RATE": ("framework_care", "371", "2018-04-01:2019-03-31"),
    "UASC_START_RATE": ("framework_care", "371", "2018-04-01:2019-03-31"),
    "UASC_END_RATE": ("framework_care", "371", "2018-04-01:2019-03-31"),
    "CLA_CEASE_SGO": ("framework_care", "371", "2018-04-01:2019-03-31"),
    "CLA_CEASE_CAO": ("framework_care", "371", "2018-04-01:2019-03-31"),
    "CLA_FOSTER": ("framework_care", "371", "2018-04-01:2019-03-31"),
    "CLA_RESI": ("framework_care", "371", "2018-04-01:2019-03-31"),
    "CLA_SUPPORTED": ("framework_care", "371", "2018-04-01:2019-03-31"),
    "ADOPT_DECISION_MATCH": ("adoption_match", "999", "2019-04-01:2020-03-31"),
    "S47_ICPC": ("framework_cin", "371", "2021-04-01:2022-03-31"),
    "AF_DA_CHILD": ("framework_cin", "371", "2021-04-01:2022-03-31"),
    "AF_DA_PARENT": ("framework_cin", "371", "2021-04-01:2022-03-31"),
    "AF_DA_PERSON": ("framework_cin", "371", "2021-04-01:2022-03-31"),
    "AF_EMOTIONAL": ("framework_cin", "371", "2021-04-01:2022-03-31"),
    "AF_NEGLECT": ("framework_cin", "371", "2021-04-01:2022-03-31"),
    "AF_FAITH": ("framework_cin", "371", "2021-04-01:2022-03-31"),
    "AF_PHYS_ADULT": ("framework_cin", "371", "2021-04-01:2022-03-31"),
    "AF_PHYS_CHILD": ("framework_cin", "371", "2021-04-01:2022-03-31"),
    "AF_SEX_ADULT": ("framework_cin", "371", "2021-04-01:2022-03-31"),
    "AF_SEX_CHILD": ("framework_cin", "371", "2021-04-01:2022-03-31"),
    "AF_PHYS_UNKNOWN": ("framework_cin", "371", "2021-04-01:2022-03-31"),
    "AF_SEX_UNKNOWN": ("framework_cin", "371", "2021-04-01:2022-03-31"),
    "AF_CCE": ("framework_cin", "371", "2021-04-01:2022-03-31"),
    "AF_CSE": ("framework_cin", "371", "2021-04-01:2022-03-31"),
    "AF_GANGS": ("framework_cin", "371", "2021-04-01:2022-03-31"),
    "AF_MISSING": ("framework_cin", "371", "2021-04-01:2022-03-31"),
    "AF_TRAFFICKING": ("framework_cin", "371", "2021-04-01:2022-03-31"),
    "CLA_SCHOOL_MOVE": ("school_moves", "999", "2018-04-01:2019-03-31"),
    "CLA_SDQ": ("framework_sdq", "999", "2018-04-01:2019-03-31"),
    "CL_EET_17_18": ("young_care_leavers", "999", "2021-04-01:2022-03-31"),
    "CL_SUITABLE_17_18": ("young_care_leavers", "999", "2021-04-01:2022-03-31"),
    "CLA_20MILES": ("placement_distance", "999", "2024-04-01:2025-03-31"),
    "CLA_DOLO": ("dolo", "999", "2026-04-01:2027-03-31"),
    "CLA_DOLO_SHARE": ("dolo", "999", "2026-04-01:2027-03-31"),
    "PP_NO_COURT": ("pre_proceedings", "371", "2026-04-01:2027-03-31"),
    "PP_FGDM_OFFERED": ("pre_proceedings", "371", "2026-04-01:2027-03-31"),
    "PP_FGDM_HELD": ("pre_proceedings", "371", "2026-04-01:2027-03-31"),
    "PP_16WK": ("pre_proceedings", "371", "2026-04-01:2027-03-31"),
    "CLA_SW3PLUS": ("sw_stability", "999", "2023-04-01:2024-03-31"),
    "SW_ETHNIC_MINORITY": ("workforce_ethnicity", "999", "2025-10-01:2026-09-30"),
}


def test_every_indicator_has_an_explain_case():
    assert {i.code for i in all_indicators()} == set(CASES)


@pytest.mark.parametrize("code", sorted(CASES))
def test_explain_rows_aggregate_to_the_figure(settings, backend, code):
    """Explain's records, summed here in pandas as the measure kind says, are the figure."""
    dataset, la, text = CASES[code]
    ingest([DATA / dataset], settings, la_code=la)
    tables = SnapshotTables(Warehouse(settings.warehouse_dir).require_current(), backend)
    period = Period.parse(text)
    ind = get(code)
    figure = compute(tables, [period], codes=[code]).iloc[0]
    rows = explain(tables, code, period, la)
    assert len(rows) > 0, "each case's dataset has records behind the figure"
    assert set(rows["la_code"]) == {la}
    assert set(rows["period_start"].astype(str)) == {str(period.start)}
    counted = rows["counted"].astype(bool)
    numerator, denominator = _by_hand(ind, rows, counted, la, period)
    assert figure.numerator == pytest.approx(numerator, abs=1e-9)
    if ind.measure is Measure.COUNT:
        assert np.isnan(figure.denominator)
    else:
        assert figure.denominator == pytest.approx(denominator, abs=1e-9)


def _by_hand(
    ind: Indicator, rows: pd.DataFrame, counted: pd.Series, la: str, period: Period
) -> tuple[float, float]:
    """Numerator and denominator from the records, as the measure kind defines them."""
    match ind.measure:
        case Measure.PROPORTION:
            return counted.sum(), len(rows)
        case Measure.WEIGHTED:
            weight = rows[str(ind.weight)].astype(float)
            return weight[counted].sum(), weight[rows["in_denominator"].astype(bool)].sum()
        case Measure.MEAN:
            value = rows[str(ind.value)].astype(float).sum()
            return value, rows[ind.weight].astype(float).sum() if ind.weight else len(rows)
        case Measure.COUNT:
            assert counted.all()
            return len(rows), float("nan")
        case Measure.RATE:
            # Every record is one thing counted: a child counted twice would be a defect.
            assert counted.all()
            ident = next(c for c in ("child_id", "worker_id") if c in rows)
            if ind.unit is Unit.PER_10K and not ind.annualised:
                assert rows[ident].is_unique
            people = population_frame()
            held = people[(people["la_code"] == la) & (people["year"] == period.start.year)]
            exposure = float(held["population"].iloc[0])
            if ind.annualised:
                exposure *= period.days / twelve_months_to(period.end).days
            return len(rows), exposure
        case _:
            assert_never(ind.measure)


def test_a_measure_names_the_columns_it_reads():
    # A mean sums a value column: declaring none is refused when the indicator registers.
    with pytest.raises(ValueError, match="TEST_MEAN: a mean measure reads a value column"):
        indicator(
            "TEST_MEAN",
            "A mean without a value",
            unit=Unit.DAYS,
            polarity=Polarity.LOWER,
            source=Source.SSDA903,
            measure=Measure.MEAN,
            domain=Domain.ADOPTION,
            framework=serves(Framework.STABLE_HOMES, "a test"),
        )(lambda tables, periods: periods)
    with pytest.raises(ValueError, match="only a rate is annualised"):
        indicator(
            "TEST_ANNUAL",
            "An annualised proportion",
            unit=Unit.PERCENT,
            polarity=Polarity.LOWER,
            source=Source.SSDA903,
            measure=Measure.PROPORTION,
            domain=Domain.LOOKED_AFTER,
            framework=serves(Framework.STABLE_HOMES, "a test"),
            annualised=True,
        )(lambda tables, periods: periods)
    with pytest.raises(ValueError, match="a normal interval is for an unweighted mean"):
        indicator(
            "TEST_NORMAL",
            "A proportion with a mean's interval",
            unit=Unit.PERCENT,
            polarity=Polarity.LOWER,
            source=Source.SSDA903,
            measure=Measure.PROPORTION,
            domain=Domain.LOOKED_AFTER,
            framework=serves(Framework.STABLE_HOMES, "a test"),
            interval=Interval.NORMAL,
        )(lambda tables, periods: periods)
    assert not {"TEST_MEAN", "TEST_ANNUAL", "TEST_NORMAL"} & set(REGISTRY)


def test_records_without_the_measures_columns_are_refused(settings):
    """A body that forgets its `counted` flag fails with the indicator's name, never a total."""
    ingest([DATA / "rereferrals"], settings, la_code="999")
    tables = SnapshotTables(Warehouse(settings.warehouse_dir).require_current(), Backend.DUCKDB)
    forgetful = replace(get("REREF_12M"), body=lambda tables, periods: periods)
    with pytest.raises(ValueError, match="REREF_12M: its proportion records lack la_code, counted"):
        records(forgetful, tables, periods_table([Period.parse("2015-04-01:2016-03-31")]))


def test_every_indicator_declares_its_domain():
    # The web groups by the declared domain, never by the module that holds the body.
    by_domain = {i.code: i.domain for i in all_indicators()}
    assert by_domain["CLA_LT_STABLE"] is Domain.LOOKED_AFTER
    assert by_domain["ADOPT_A2"] is Domain.ADOPTION
    assert by_domain["EH_REREF"] is Domain.EARLY_HELP
    assert {d.label for d in by_domain.values()} >= {"Children looked after", "Adoption"}
