"""Explain this figure: the engine's own records behind a figure, as the web app shows them."""

from __future__ import annotations

import datetime as dt

import pytest

from cscmonitor.periods import Period
from cscmonitor.warehouse import Warehouse
from cscmonitor.web.performance import Performance

YEAR_1 = Period(dt.date(2014, 10, 1), dt.date(2015, 9, 30))


@pytest.fixture(scope="module")
def performance(demo_dir):
    data = demo_dir / "data"
    return Performance(Warehouse(data / "warehouse"), data / "benchmarks")


@pytest.mark.parametrize("code", ["REREF_12M", "CPP_REPEAT", "CLA_3PLUS", "REF_NFA"])
def test_the_counted_rows_are_the_numerator_and_all_rows_the_denominator(performance, code):
    found = performance.explain(code, "371", YEAR_1)
    assert found.rows["counted"].sum() == found.numerator > 0
    assert len(found.rows) == found.denominator
    assert (found.rows["la_code"] == "371").all()


def test_fte_weighted_figures_add_up_by_fte(performance):
    found = performance.explain("SW_AGENCY", "371", YEAR_1)
    counted = found.rows[found.rows["counted"]]
    assert counted["fte"].sum() == pytest.approx(found.numerator)
    assert found.rows["fte"].sum() == pytest.approx(found.denominator)


def test_rereferral_rows_say_why_each_counts(performance):
    rows = performance.explain("REREF_12M", "371", YEAR_1).rows
    counted = rows[rows["counted"]]
    # A re-referral has an earlier referral of the same child within 12 months.
    assert counted["previous"].notna().all()
    days = (counted["referral_date"] - counted["previous"]).dt.days
    assert (days <= 366).all() and (days > 0).all()
    assert rows.loc[~rows["counted"], "previous"].isna().any()
