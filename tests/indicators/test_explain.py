"""--explain lists exactly the records behind each figure of the known-answer tests."""

import pytest

from cscmonitor.backends import Backend, SnapshotTables
from cscmonitor.indicators.engine import compute, explain
from cscmonitor.indicators.registry import Unit, all_indicators
from cscmonitor.ingest import ingest
from cscmonitor.periods import Period
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
}


def test_every_indicator_has_an_explain_case():
    assert {i.code for i in all_indicators()} == set(CASES)


@pytest.mark.parametrize("code", sorted(CASES))
def test_explain_matches_the_figure(settings, code):
    dataset, la, text = CASES[code]
    ingest([DATA / dataset], settings, la_code=la)
    tables = SnapshotTables(Warehouse(settings.warehouse_dir).require_current(), Backend.DUCKDB)
    period = Period.parse(text)
    figure = compute(tables, [period], codes=[code]).iloc[0]
    rows = explain(tables, code, period, la)
    assert set(rows["la_code"]) == {la}
    counted = rows[rows["counted"]]
    ident = "worker_id" if "worker_id" in rows else "child_id"
    if code == "SW_CASELOAD":
        # Cases over FTE: every case holder counts in both.
        assert counted["cases"].sum() == figure.numerator
        assert counted["fte"].sum() == pytest.approx(figure.denominator)
    elif code.startswith("SW_"):
        # FTE-weighted: the counted workers' FTE is the numerator.
        assert counted["fte"].sum() == pytest.approx(figure.numerator)
    elif code in ("CIN_RATE", "CPP_RATE", "CLA_RATE"):
        assert counted[ident].nunique() == figure.numerator  # children, each once
    elif get_unit(code) is Unit.DAYS:
        # A mean: each child's days sum to the numerator; the children are the denominator.
        assert counted["days"].sum() == figure.numerator
        assert len(rows) == figure.denominator
    else:
        assert len(counted) == figure.numerator
        if get_unit(code) is Unit.PERCENT:
            assert len(rows) == figure.denominator


def get_unit(code: str) -> Unit:
    return next(i.unit for i in all_indicators() if i.code == code)
