"""The records file: the demo holds the seed's facts, and export → import → export is stable."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from importlib import resources

import pytest

from cscmonitor.records import (
    basket,
    changes,
    contracts,
    finance,
    inspections,
    priorities,
    yamlio,
)
from cscmonitor.records.audit import Actor
from cscmonitor.records.errors import RecordsError
from cscmonitor.records.money import format_pounds
from cscmonitor.terms import PACKAGED_CONTRACTS

K = 100_000  # £1,000 in pence


def test_the_demo_holds_the_thirteen_inspections_with_their_judgements(demo):
    with demo.unit() as session:
        held = demo.contract(session).inspections
        assert len(held) == 13
        (sif,) = [i for i in held if i.framework == "SIF"]
        assert sif.overall == "Inadequate"
        assert {j.area: j.judgement for j in sif.judgements} == {
            "help_and_protection": "Inadequate",
            "looked_after": "Requires improvement to be good",
            "adoption": "Good",
            "care_leavers": "Requires improvement to be good",
            "leadership": "Requires improvement to be good",
        }
        overall = {i.framework: i.overall for i in held if i.framework.endswith("AGENCY")}
        assert overall == {"FOSTERING_AGENCY": "Good", "ADOPTION_AGENCY": "Good"}
        homes = Counter(i.overall for i in held if i.framework == "CHILDRENS_HOME")
        assert homes == {"Good": 3, "Outstanding": 1}
        (yos,) = [i for i in held if i.framework == "YOS_FJI"]
        assert Counter(j.judgement for j in yos.judgements) == {
            "Unsatisfactory": 4,
            "Poor": 1,
            "Satisfactory": 1,
        }
        assert sif.actions and all(a.recommendation_number for a in sif.actions)


def test_the_demo_holds_the_seeds_money(demo):
    with demo.unit() as session:
        contract = demo.contract(session)
        first = finance.get_budget(contract, "2014/15")
        # "The final outturn was, after the risk share mechanism adjustment, a surplus of £49k."
        assert finance.outturn_position(contract, first).trust_after_pence == 49 * K
        # "a forecast outturn overspend of £348k"
        second = finance.get_budget(contract, "2015/16")
        assert finance.forecast_position(contract, second, quarter=2).variance_pence == 348 * K
        # "the indicative budget of £42.2m, a net reduction of £111k"
        third = finance.get_budget(contract, "2016/17")
        assert finance.original_pence(third) == 42_200 * K
        assert finance.original_pence(third) - finance.original_pence(second) == -111 * K
        assert third.status == "indicative"
        assert {a.kind for a in third.adjustments} == {
            "pay_inflation",
            "price_inflation",
            "change_in_law",
            "demand",
            "savings_contribution",
        }
        assert format_pounds(sum(a.amount_pence for a in third.adjustments)) == "-£111,000"


def test_the_demo_holds_the_three_changes_agreed_in_principle(demo):
    with demo.unit() as session:
        contract = demo.contract(session)
        agreed = [r for r in contract.change_requests if r.state == "agreed_in_principle"]
        assert [(r.kind, r.needs_statutory_direction) for r in agreed] == [
            ("service_transfer", True),
            ("service_transfer", False),
            ("basket_change", False),
        ]
        cwd = changes.get_change(contract, "NCR-2016-01")
        assert "Children with Disability" in cwd.title
        # The CWD transfer cannot be approved until a Statutory Direction is granted.
        assert [t.to_state for t in changes.allowed_moves(cwd)] == [
            "direction_requested",
            "rejected",
        ]
        assert changes.get_change(contract, "CV-2016-01").state == "draft"


def test_the_demo_holds_directions_priorities_joint_focus_and_innovation(demo):
    with demo.unit() as session:
        contract = demo.contract(session)
        directions = [m for m in contract.milestones if m.kind == "performance_direction"]
        assert [(m.title, m.due_date, m.status) for m in directions] == [
            ("Ofsted: Requires Improvement by April 2016", dt.date(2016, 4, 30), "on_track"),
            ("Ofsted: Outstanding by October 2019", dt.date(2019, 10, 31), "not_started"),
        ]
        assert len(priorities.by_kind(contract, "strategic_priority")) == 7
        joint = priorities.by_kind(contract, "joint_focus")
        assert len(joint) == 3
        assert "Doncaster Clinical Commissioning Group" in joint[0].leads
        assert [p.title for p in priorities.by_kind(contract, "innovation")] == [
            "Growing Futures",
            "Pause",
        ]
        assert len(contracts.services_in_scope(contract, dt.date(2015, 1, 1))) == 8
        assert len(basket.commentary_for(session, contract, on=dt.date(2015, 9, 30))) == 5


def test_export_then_import_into_a_fresh_database_then_export_gives_the_same_file(demo, tmp_path):
    with demo.unit() as session:
        first = yamlio.dump(demo.contract(session))
    before = demo.counts()
    with demo.unit() as session:
        contracts.delete_contract(session, demo.contract(session))
    with demo.unit() as session:
        yamlio.import_records(session, yamlio.parse(first))
    with demo.unit() as session:
        second = yamlio.dump(demo.contract(session))
    assert second == first
    after = demo.counts()
    assert {t: n for t, n in after.items() if t != "audit_log"} == {
        t: n for t, n in before.items() if t != "audit_log"
    }


def test_import_replays_history_so_approved_changes_are_made_again(demo):
    # Approve the revised basket and the Early Help Hub transfer, export, and import again.
    council = Actor("Damian Allen", "council")
    trust = Actor("Paul Moffat", "trust")
    with demo.unit() as session:
        contract = demo.contract(session)
        for reference in ("NCR-2016-02", "NCR-2016-03"):
            request = changes.get_change(contract, reference)
            changes.move(session, request, "approved", council, "Signed", dt.datetime(2016, 3, 1))
            changes.move(session, request, "approved", trust, "Signed", dt.datetime(2016, 3, 2))
        text = yamlio.dump(contract)
    assert "Early Help Hub (management oversight)\n  in_scope_from" not in text
    with demo.unit() as session:
        contracts.delete_contract(session, demo.contract(session))
    with demo.unit() as session:
        contract = yamlio.import_records(session, yamlio.parse(text))
        assert [v.version for v in contract.basket_versions] == [1, 2]
        hub = [s.name for s in contracts.services_in_scope(contract, dt.date(2016, 4, 1))]
        assert "Early Help Hub (management oversight)" in hub
        assert yamlio.dump(contract) == text


def test_a_bare_contract_file_sets_up_just_the_contract(records):
    text = resources.files("cscmonitor").joinpath(PACKAGED_CONTRACTS, "doncaster-2014.yaml")
    with records.unit() as session:
        contract = yamlio.import_records(session, yamlio.parse(text.read_text("utf-8")))
        assert contract.basket_versions[0].entries[0].indicator == "REREF_12M"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            ("overall: Outstanding", "overall: Superb"),
            r"inspections\[7\]: 'Superb' is not a judgement",
        ),
        (("council_share: 75", "council_share: 175"), r"finance.risk_share\[0\]: .*0–100%"),
        (("amount: -1_231_000", "amount: 1_231_000"), "savings_contribution takes from the budget"),
        (
            ("    kind: service_transfer", "    kidn: service_transfer"),
            r"demo.yaml: changes\[0\]\.kidn: not a field here",
        ),
        (
            ("start_date: 2015-06-15", "start_date: 2015-06-31"),
            r"demo.yaml: inspections\[2\]\.start_date: ",
        ),
        (("        as: council", "        as: trust"), "the trust may not move NCR-2016-01"),
    ],
)
def test_a_bad_file_is_refused_with_where_and_why_and_changes_nothing(records, edit, message):
    old, new = edit
    text = yamlio.demo_text()
    assert old in text
    with records.refused(message) as session:
        changed = text.replace(old, new, 1)
        yamlio.import_records(session, yamlio.parse(changed, "demo.yaml"), "demo.yaml")


def test_a_file_that_is_not_a_records_file_says_so():
    with pytest.raises(RecordsError, match=r"demo.yaml: must be a mapping with a `contract`"):
        yamlio.parse("- a list", "demo.yaml")
    with pytest.raises(RecordsError, match="not valid YAML"):
        yamlio.parse("contract: [", "demo.yaml")


def test_overdue_actions_of_the_demo_as_at_the_annual_review(demo):
    with demo.unit() as session:
        contract = demo.contract(session)
        # On 1 March 2016 only the PEP audit (due 29 February, not started) is overdue.
        (overdue,) = inspections.overdue_actions(session, dt.date(2016, 3, 1), contract)
        assert overdue.action.startswith("Audit every Personal Education Plan")
