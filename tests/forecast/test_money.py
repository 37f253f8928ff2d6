"""Unit costs, spend, the modelled outturn and the risk-share split, on hand-made figures."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from cscmonitor.forecast import outturn, store
from cscmonitor.forecast.adjust import Adjustments, Transition
from cscmonitor.forecast.costs import (
    CostError,
    Rate,
    Spend,
    read_rates,
    spend,
    spend_summary,
    weekly_costs,
)
from cscmonitor.forecast.fit import fit
from cscmonitor.forecast.history import FAR, History
from cscmonitor.forecast.simulate import Projection
from cscmonitor.records import finance, riskshare
from cscmonitor.records.errors import RecordsError
from cscmonitor.records.finance import Line
from cscmonitor.records.models import ModelledForecast
from cscmonitor.returns.issues import ReturnError
from tests.forecast.synthetic import generate

K = 100_000  # £1,000 in pence
D = np.datetime64


@pytest.fixture(scope="module")
def model():
    """A fitted model whose provider mix is set by hand: fostering 75% PR1, 25% PR4;
    residential all PR4."""
    history, population = generate(np.random.default_rng(0), initial=30)
    fitted = fit(history, history.end, window_months=48, population=population)
    mix = np.zeros((4, 2))
    mix[0] = [0.75, 0.25]
    mix[1] = [0.0, 1.0]
    return dataclasses.replace(fitted, providers=("PR1", "PR4"), provider_mix=mix)


RATES = [
    Rate("fostering", "PR1", dt.date(2015, 4, 1), 500_00, 1000),  # £500 a week, 10% a year
    Rate("fostering", "all", dt.date(2015, 4, 1), 800_00, 0),  # any other provider: £800
    Rate("fostering", "PR1", dt.date(2016, 1, 1), 600_00, 0),  # a new rate from January
    Rate("residential", "PR4", dt.date(2015, 4, 1), 3_000_00, 0),
]


def test_weekly_costs_by_provider_mix_inflation_and_dates(model) -> None:
    dates = np.array([D("2015-04-01"), D("2015-10-01"), D("2016-02-01")])
    costs = weekly_costs(RATES, model, dates)
    # 1 Apr 2015: 0.75 × £500 + 0.25 × £800 (PR4 has no fostering rate: the `all` one).
    assert costs[0, 0] == pytest.approx(575.0)
    # 1 Oct 2015, 183 days on: £500 × 1.1^(183/365.25) = £524.37; 0.75 × that + £200.
    assert costs[1, 0] == pytest.approx(0.75 * 500 * 1.1 ** (183 / 365.25) + 200)
    # 1 Feb 2016: the January rate, £600 with no inflation: 450 + 200.
    assert costs[2, 0] == pytest.approx(650.0)
    assert costs[:, 1] == pytest.approx([3000.0] * 3)
    assert costs[:, 2:].sum() == 0  # no child-months seen in supported or other


def test_a_category_without_a_rate_is_named(model) -> None:
    with pytest.raises(CostError, match=r"no unit cost for residential \(PR4\)"):
        weekly_costs(RATES[:3], model, np.array([D("2015-04-01")]))
    with pytest.raises(CostError, match="on 2015-03-01: the first rate is from 2015-04-01"):
        weekly_costs(RATES, model, np.array([D("2015-03-01")]))


def _projection(model) -> Projection:
    """Two paths, three months from 1 Jan 2016: 10 and 12 children fostered throughout."""
    dates = np.array([D("2016-01-01"), D("2016-02-01"), D("2016-03-01"), D("2016-04-01")])
    stock = np.zeros((2, 4, 4), dtype=np.int32)
    stock[0, :, 0], stock[1, :, 0] = 10, 12
    days = np.diff(dates).astype(np.int64)  # 31, 29, 31
    weeks = (stock[:, :-1] + stock[:, 1:]) / 2 * (days / 7)[None, :, None]
    return Projection(model, dates, stock, weeks)


def test_spend_is_child_weeks_times_cost_with_scenario_factors(model) -> None:
    projection = _projection(model)
    weekly = np.array([[700.0, 3000.0, 0, 0]] * 3)
    pounds = spend(projection, weekly, np.array([1.1, 1.0, 1.0, 1.0]))
    # Path 0, January: 10 children × 31/7 weeks × £700 × 1.1 = £34,100.
    assert pounds.paths[0, 0, 0] == pytest.approx(10 * 31 / 7 * 700 * 1.1)
    assert pounds.paths[1, 1, 0] == pytest.approx(12 * 29 / 7 * 700 * 1.1)
    assert pounds.paths[:, :, 1:].sum() == 0
    # A projection with no separate paths at the fitted rates prices its own as the central.
    assert np.array_equal(pounds.central, pounds.paths)


def test_the_forecast_is_the_central_paths_median_and_the_intervals_the_others(model) -> None:
    """Central paths of 20 children (£700 a week) beside the two paths of 10 and 12: the
    forecast spend is the central paths' median, the interval ends are the two paths'."""
    projection = _projection(model)
    central = np.zeros_like(projection.stock)
    central[:, :, 0] = 20
    weeks = (central[:, :-1] + central[:, 1:]) / 2 * (np.array([31, 29, 31]) / 7)[None, :, None]
    projection = dataclasses.replace(projection, central_stock=central, central_child_weeks=weeks)
    table = spend_summary(projection, spend(projection, np.array([[700.0, 0, 0, 0]] * 3)))
    january = table[table["category"] == "spend:all"].iloc[0]
    assert january["forecast"] == round(20 * 31 / 7 * 700)
    # 80% interval: between the two paths (10 and 12 children), linearly at 10% and 90%.
    assert january["lower80"] == round((10 + 0.1 * 2) * 31 / 7 * 700)
    assert january["upper80"] == round((10 + 0.9 * 2) * 31 / 7 * 700)


def test_outturn_counts_the_days_within_the_year(model) -> None:
    projection = _projection(model)
    # The year ends 15 March: January and February whole, 15 of March's 31 days.
    weights = outturn.year_weights(projection, dt.date(2016, 3, 15))
    assert weights == pytest.approx([1, 1, 15 / 31])
    assert outturn.months_for(dt.date(2016, 1, 1), dt.date(2016, 3, 31)) == 3
    assert outturn.months_for(dt.date(2015, 10, 15), dt.date(2016, 3, 31)) == 6
    pounds = np.zeros((2, 3, 4))
    pounds[0, :, 0] = [1000, 1000, 3100]  # path 0: £1,000 + £1,000 + 15/31 × £3,100
    pounds[1, :, 0] = [2000, 2000, 6200]
    central = np.zeros((2, 3, 4))
    central[:, :, 0] = [1500, 1500, 3100]  # the paths at the fitted rates: £3,000 + £1,500
    spent = Spend(pounds, central)
    totals = outturn.outturn_pence(projection, spent, dt.date(2016, 3, 15), 50_000_00)
    # The forecast is the central paths' (£50,000 + £4,500); the interval ends the others':
    # path 0 £50,000 + £3,500, path 1 £50,000 + £7,000.
    assert totals[0] == (50_000 + 4_500) * 100
    assert totals[1] == (50_000 + 3_500) * 100  # the 10th percentile (lower of two)
    assert totals[2] == (50_000 + 7_000) * 100  # the 90th percentile


def _rule_and_budget(session, contract):
    finance.set_risk_share_rule(
        session,
        contract,
        "50/50 then council",
        dt.date(2014, 10, 1),
        [riskshare.Band(500 * K, 5000), riskshare.Band(None, 10_000)],
        [riskshare.Band(500 * K, 7500), riskshare.Band(None, 10_000)],
    )
    lines = [Line("Placements", 18_600 * K), Line("Social work", 23_711 * K)]
    return finance.add_budget(
        session, contract, "2015/16", dt.date(2015, 4, 1), dt.date(2016, 3, 31), lines
    )


def test_risk_share_of_the_modelled_outturn_and_its_interval(doncaster) -> None:
    """Placements budget £18,600k; the other line is taken to spend its budget.
    Median £18,948k: £348k over, split 50/50, £174k each.
    Lower 80% £18,500k: £100k under, the council takes back 75%, £75k; the trust keeps £25k.
    Upper 95% £19,300k: £700k over: 50/50 of £500k, then the council all of £200k."""
    outturns = np.array([18_948, 18_500, 19_100, 18_300, 19_300]) * K
    with doncaster.unit() as session:
        contract = doncaster.contract(session)
        budget = _rule_and_budget(session, contract)
        splits = outturn.risk_split(contract, budget, "Placements", outturns)
        median, low80, _, _, high95 = (s.position for s in splits)
        assert (median.variance_pence, median.council_pence, median.trust_pence) == (
            348 * K,
            174 * K,
            174 * K,
        )
        assert (low80.direction, low80.council_pence, low80.trust_pence) == (
            "underspend",
            75 * K,
            25 * K,
        )
        assert (high95.council_pence, high95.trust_pence) == (450 * K, 250 * K)
        with pytest.raises(RecordsError, match="no line 'Fostering'"):
            outturn.risk_split(contract, budget, "Fostering", outturns)
        outturn.record(
            session,
            budget,
            "Placements",
            dt.date(2015, 10, 1),
            outturns,
            9_000 * K,
            scenario="step-down",
            snapshot_id="0003",
            created_by="Analyst",
        )
    with doncaster.unit() as session:
        row = session.scalars(select(ModelledForecast)).one()
        assert (row.spend_pence, row.lower80_pence, row.upper95_pence) == (
            18_948 * K,
            18_500 * K,
            19_300 * K,
        )
        assert (row.scenario, row.snapshot_id, row.spent_to_date_pence) == (
            "step-down",
            "0003",
            9_000 * K,
        )


def test_rates_import_replaces_same_date_and_keeps_history(records) -> None:
    with records.unit() as session:
        assert store.import_rates(session, "371", RATES, "costs.csv") == 4
    changed = [dataclasses.replace(RATES[0], weekly_pence=550_00)]
    with records.unit() as session:
        store.import_rates(session, "371", changed, "costs-2.csv")
    with records.unit() as session:
        held = store.held_rates(session, "371")
        assert len(held) == 4
        pr1 = [r for r in held if r.category == "fostering" and r.provider == "PR1"]
        assert [(r.effective_from, r.weekly_pence) for r in pr1] == [
            (dt.date(2015, 4, 1), 550_00),
            (dt.date(2016, 1, 1), 600_00),
        ]
        assert store.held_rates(session, "372") == []


def test_read_rates_from_csv_names_the_bad_row(tmp_path: Path) -> None:
    good = tmp_path / "costs.csv"
    good.write_text(
        "category,provider,effective_from,weekly_cost,inflation_percent\n"
        "fostering,PR1,2015-04-01,£812.50,2.5\n"
        'residential,,2015-04-01,"3,400",\n'
    )
    assert read_rates(good) == [
        Rate("fostering", "PR1", dt.date(2015, 4, 1), 812_50, 250),
        Rate("residential", "all", dt.date(2015, 4, 1), 3_400_00, 0),
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "category,provider,effective_from,weekly_cost,inflation_percent\n"
        "fostering,PR1,2015-04-01,800,0\n"
        "kinship,PR1,2015-04-01,800,0\n"
    )
    with pytest.raises(ReturnError, match=r"bad.csv row 3 field category: 'kinship'"):
        read_rates(bad)


def test_scenarios_round_trip_and_say_when_the_data_changed(records) -> None:
    adjustments = Adjustments(
        entry={"all": 1.1, "16 and over": 0.9},
        transitions=(Transition("residential", "fostering", 1.5),),
        unit_costs={"residential": 1.05},
    )
    with records.unit() as session:
        store.save_scenario(session, "371", "step-down", adjustments, "0003", "Analyst", "Plan")
    with records.unit() as session:
        saved = store.get_scenario(session, "371", "step-down")
        assert saved.adjustments == adjustments
        assert (saved.snapshot_id, saved.created_by, saved.note) == ("0003", "Analyst", "Plan")
        assert saved.stale_note("0003") is None
        assert "made on snapshot 0003; the warehouse is now at snapshot 0004" in (
            saved.stale_note("0004") or ""
        )
        # Saving again under the same name replaces it.
        store.save_scenario(session, "371", "step-down", Adjustments(), "0004", "Manager")
        assert [s.created_by for s in store.scenarios(session, "371")] == ["Manager"]
        with pytest.raises(RecordsError, match="no forecast scenario 'other'"):
            store.get_scenario(session, "371", "other")


def test_spend_to_date_from_the_returns_is_child_weeks_at_the_costs(model) -> None:
    # Two children in a children's home (residential, all PR4 in the fixture's mix: £3,000 a
    # week, no inflation) from 1 January 2015; the second leaves on 15 May. From 1 April to
    # 30 June the monthly dates are 1 April, then 30 April, 30 May and 30 June (counted back
    # from the as-at date). The first child: 29 + 30 + 31 = 90 days. The second is in care
    # on 1 and 30 April but not on 30 May: (1 + 1) / 2 × 29 + (1 + 0) / 2 × 30 = 44 days.
    # 134 days = 134 / 7 weeks × £3,000 = £57,428.57.
    history = History(
        la_code="999",
        child=np.array([0, 1]),
        birth=np.array([D("2005-06-01"), D("2004-02-10")]),
        decom=np.array([D("2015-01-01"), D("2015-01-01")]),
        dec=np.array([FAR, D("2015-05-15")]),
        placement_start=np.array([D("2015-01-01"), D("2015-01-01")]),
        category=np.array([1, 1]),
        provider=np.array(["PR4", "PR4"]),
        start=dt.date(2014, 4, 1),
        end=dt.date(2016, 3, 31),
    )
    spent = outturn.returns_spend_pence(
        history, model, RATES, dt.date(2015, 4, 1), dt.date(2015, 6, 30)
    )
    assert spent == round(134 / 7 * 3_000 * 100)
    assert (
        outturn.returns_spend_pence(
            history, model, RATES, dt.date(2015, 6, 30), dt.date(2015, 6, 30)
        )
        == 0
    )
