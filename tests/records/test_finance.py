"""Budgets, adjustments, forecasts, outturn and the risk share, with hand-computed figures."""

from __future__ import annotations

import datetime as dt

import pytest

from cscmonitor.records import changes, finance, riskshare
from cscmonitor.records.audit import Actor
from cscmonitor.records.errors import RecordsError
from cscmonitor.records.finance import Adjustment, Line

K = 100_000  # £1,000 in pence
APRIL, MARCH = dt.date(2015, 4, 1), dt.date(2016, 3, 31)


def _rule(session, contract):
    finance.set_risk_share_rule(
        session,
        contract,
        "50/50 then council",
        dt.date(2014, 10, 1),
        [riskshare.Band(500 * K, 5000), riskshare.Band(None, 10_000)],
        [riskshare.Band(500 * K, 7500), riskshare.Band(None, 10_000)],
    )


def _budget(session, contract, **options):
    lines = [Line("Placements", 18_600 * K), Line("Social work", 23_711 * K)]
    return finance.add_budget(session, contract, "2015/16", APRIL, MARCH, lines, **options)


def test_forecast_and_outturn_before_and_after_the_risk_share(doncaster):
    with doncaster.unit() as session:
        contract = doncaster.contract(session)
        _rule(session, contract)
        budget = _budget(session, contract)
        finance.add_forecast(session, budget, 2, dt.date(2015, 9, 30), 42_659 * K, "Placements")
        finance.set_outturn(session, budget, 42_111 * K)
    with doncaster.unit() as session:
        contract = doncaster.contract(session)
        budget = finance.get_budget(contract, "2015/16")
        assert finance.original_pence(budget) == 42_311 * K
        # Q2: £42,659k against £42,311k is £348k over; the trust bears half, £174k.
        forecast = finance.forecast_position(contract, budget)
        assert (forecast.variance_pence, forecast.trust_after_pence) == (348 * K, -174 * K)
        # Outturn: £42,111k is £200k under; the trust keeps 25%, £50k; the council £150k.
        outturn = finance.outturn_position(contract, budget)
        assert (outturn.trust_before_pence, outturn.council_pence, outturn.trust_after_pence) == (
            200 * K,
            150 * K,
            50 * K,
        )


def test_adjustments_explain_the_move_from_the_base_budget(doncaster):
    # £42,311k base + 350 + 250 + 120 + 400 − 1,231 (thousands) = £42,200k, £111k less.
    adjustments = [
        Adjustment("pay_inflation", 350 * K),
        Adjustment("price_inflation", 250 * K),
        Adjustment("change_in_law", 120 * K),
        Adjustment("demand", 400 * K),
        Adjustment("savings_contribution", -1_231 * K),
    ]
    lines = [Line("Placements", 18_900 * K), Line("Social work", 23_300 * K)]
    with doncaster.unit() as session:
        budget = finance.add_budget(
            session,
            doncaster.contract(session),
            "2016/17",
            dt.date(2016, 4, 1),
            dt.date(2017, 3, 31),
            lines,
            adjustments=adjustments,
            base_pence=42_311 * K,
        )
        assert finance.original_pence(budget) == 42_200 * K
        assert sum(a.amount_pence for a in budget.adjustments) == -111 * K


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"lines": [Line("Placements", -5 * K)]},
            "line 'Placements' is -£5,000; budget lines cannot be negative",
        ),
        (
            {
                "adjustments": [Adjustment("savings_contribution", 100 * K)],
                "base_pence": 42_211 * K,
            },
            "savings_contribution takes from the budget: write it as a negative amount",
        ),
        (
            {"adjustments": [Adjustment("pay_inflation", -100 * K)], "base_pence": 42_411 * K},
            "pay_inflation adds to the budget: -£100,000 has the wrong sign",
        ),
        (
            {"adjustments": [Adjustment("demand", 100 * K)], "base_pence": 42_311 * K},
            "lines add up to £42,311,000, but the base £42,311,000 with adjustments comes to "
            "£42,411,000",
        ),
        ({"adjustments": [Adjustment("demand", 100 * K)]}, "adjustments need the base budget"),
        ({"adjustments": [Adjustment("windfall", 1)], "base_pence": 0}, "'windfall' is not one of"),
        ({"status": "final"}, "budget status 'final' is not one of indicative, approved"),
        ({"lines": []}, "give at least one line"),
    ],
)
def test_bad_budgets_are_refused_and_change_nothing(doncaster, options, message):
    options = dict(options)  # the same parameters serve both databases
    lines = options.pop("lines", [Line("Placements", 18_600 * K), Line("Social work", 23_711 * K)])
    with doncaster.refused(message) as session:
        finance.add_budget(
            session, doncaster.contract(session), "2015/16", APRIL, MARCH, lines, **options
        )


def test_money_with_the_wrong_sign_in_forecasts_and_outturns_is_refused(doncaster):
    with doncaster.unit() as session:
        _budget(session, doncaster.contract(session))
    with doncaster.refused("forecast spend -£348,000 has the wrong sign") as session:
        budget = finance.get_budget(doncaster.contract(session), "2015/16")
        finance.add_forecast(session, budget, 2, dt.date(2015, 9, 30), -348 * K)
    with doncaster.refused("outturn -£1 has the wrong sign") as session:
        finance.set_outturn(
            session, finance.get_budget(doncaster.contract(session), "2015/16"), -100
        )
    with doncaster.refused("quarter must be 1–4, not 5") as session:
        budget = finance.get_budget(doncaster.contract(session), "2015/16")
        finance.add_forecast(session, budget, 5, dt.date(2015, 9, 30), 1)


def test_without_a_rule_in_force_there_is_no_position(doncaster):
    with doncaster.unit() as session:
        contract = doncaster.contract(session)
        budget = _budget(session, contract)
        finance.set_outturn(session, budget, 1)
        with pytest.raises(RecordsError, match="no risk-share rule in force on 2015-04-01"):
            finance.outturn_position(contract, budget)


def test_an_approved_variation_adds_to_the_budget_and_changes_the_position(doncaster):
    council, trust = Actor("Damian Allen", "council"), Actor("Paul Moffat", "trust")
    with doncaster.unit() as session:
        contract = doncaster.contract(session)
        _rule(session, contract)
        budget = _budget(session, contract)
        finance.add_forecast(session, budget, 2, dt.date(2015, 9, 30), 42_659 * K)
        request = changes.create_change(
            session,
            contract,
            "CV-1",
            "contract_variation",
            "Placement demand",
            effective_date=dt.date(2015, 10, 1),
            proposal={"budget": "2015/16", "amount_pence": 300 * K, "reason": "Placements"},
        )
        changes.move(session, request, "proposed", trust, "Demand up")
        changes.move(session, request, "agreed_in_principle", council, "Agreed")
        changes.move(session, request, "approved", council, "Signed")
        assert budget.variations == []  # the council alone has not approved it
        changes.move(session, request, "approved", trust, "Signed")
    with doncaster.unit() as session:
        contract = doncaster.contract(session)
        budget = finance.get_budget(contract, "2015/16")
        (variation,) = budget.variations
        assert (variation.amount_pence, variation.effective_date) == (300 * K, dt.date(2015, 10, 1))
        assert finance.current_pence(budget) == 42_611 * K
        # £42,659k against £42,611k is £48k over; the trust bears half, £24k.
        assert finance.forecast_position(contract, budget).trust_after_pence == -24 * K
