"""The basket: versioned per contract year, by the contract's rules, with commentary."""

from __future__ import annotations

import datetime as dt

import pytest

from cscmonitor.periods import Period
from cscmonitor.records import basket, changes
from cscmonitor.records.audit import Actor
from cscmonitor.records.errors import RecordsError

YEAR_1 = Period(dt.date(2014, 10, 1), dt.date(2015, 9, 30))


def test_an_entry_with_a_target_but_no_tolerance_is_refused_and_nothing_changes(doncaster):
    proposal = {
        "from_year": 2,
        "basket": [{"indicator": "REREF_12M", "baseline": 38, "target": 23}],
    }
    with doncaster.refused(r"basket\[0\]\.tolerance: required when a target is set") as session:
        changes.create_change(
            session,
            doncaster.contract(session),
            "NCR-1",
            "basket_change",
            "Revise",
            proposal=proposal,
        )


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"indicator": "REREF", "baseline": 1}, "unknown indicator 'REREF'"),
        (
            {"indicator": "REREF_12M", "target": 1, "tolerance": 1},
            r"basket\[0\]\.baseline: required",
        ),
        (
            {"indicator": "REREF_12M", "baseline": 1, "target": 1, "tolerance": -1},
            "must be ≥ 0",
        ),
        ({"indicator": "REREF_12M", "baseline": 1, "tolerence": 1}, "check the spelling"),
    ],
)
def test_entries_obey_the_contract_files_rules(entry, message):
    with pytest.raises(RecordsError, match=message):
        basket.check_entries([entry])


def test_an_indicator_twice_is_refused():
    entry = {"indicator": "REREF_12M", "baseline": 38}
    with pytest.raises(RecordsError, match="REREF_12M is listed twice"):
        basket.check_entries([entry, entry])


def test_a_new_version_only_through_an_approved_change_request(doncaster):
    entries = basket.check_entries([{"indicator": "REREF_12M", "baseline": 38}])
    with doncaster.refused("needs an approved basket change request") as session:
        basket.new_version(session, doncaster.contract(session), entries, 2, None)
    with doncaster.unit() as session:
        changes.create_change(
            session,
            doncaster.contract(session),
            "NCR-1",
            "basket_change",
            "Revise",
            proposal={"from_year": 2, "basket": [{"indicator": "REREF_12M", "baseline": 38}]},
        )
    with doncaster.refused("is draft, not approved") as session:
        contract = doncaster.contract(session)
        basket.new_version(session, contract, entries, 2, changes.get_change(contract, "NCR-1"))


def test_the_version_in_force_follows_the_contract_year(demo):
    # The demo's revised basket applies from contract year 2 once approved by both parties.
    with demo.unit() as session:
        contract = demo.contract(session)
        request = changes.get_change(contract, "NCR-2016-03")
        for role, name in (("council", "Damian Allen"), ("trust", "Paul Moffat")):
            changes.move(session, request, "approved", Actor(name, role), "Signed off")
    with demo.unit() as session:
        contract = demo.contract(session)
        assert basket.version_for_year(contract, 1).version == 1
        assert basket.version_for_year(contract, 2).version == 2
        assert basket.version_for_year(contract, 5).version == 2
        version_two = basket.version_for_year(contract, 2)
        assert version_two.change_request_id == changes.get_change(contract, "NCR-2016-03").id
        turnover = next(e for e in version_two.entries if e.indicator == "SW_TURNOVER")
        assert (turnover.target, turnover.tolerance, turnover.statistical_neighbour) == (
            16,
            3,
            17.5,
        )


def test_commentary_from_the_trust_and_the_council(doncaster):
    with doncaster.unit() as session:
        contract = doncaster.contract(session)
        basket.add_commentary(
            session, contract, "REREF_12M", YEAR_1, "trust", "Analyst", "Front door reviewed."
        )
        basket.add_commentary(
            session, contract, "REREF_12M", YEAR_1, "council", "Manager", "Agreed."
        )
        basket.add_commentary(
            session, contract, "CPP_REPEAT", YEAR_1, "council", "Manager", "Down."
        )
    with doncaster.unit() as session:
        contract = doncaster.contract(session)
        notes = basket.commentary_for(session, contract, "REREF_12M", on=dt.date(2015, 6, 1))
        assert [(n.author_role, n.text) for n in notes] == [
            ("trust", "Front door reviewed."),
            ("council", "Agreed."),
        ]
        assert basket.commentary_for(session, contract, on=dt.date(2016, 6, 1)) == []


def test_comments_are_plain_values_chosen_by_date_or_by_span(doncaster):
    q3 = Period(dt.date(2015, 4, 1), dt.date(2015, 6, 30))
    with doncaster.unit() as session:
        contract = doncaster.contract(session)
        basket.add_commentary(
            session, contract, "REREF_12M", YEAR_1, "trust", "Analyst", "Front door\n  reviewed."
        )
        basket.add_commentary(session, contract, "CPP_REPEAT", q3, "council", "Manager", "Down.")
    with doncaster.unit() as session:
        contract = doncaster.contract(session)
        # The year's comment covers 1 June 2015 but is not inside the third quarter; the
        # quarter's is both. The YAML block's line break and indent read as one space.
        year = basket.Comment("REREF_12M", YEAR_1, "trust", "Analyst", "Front door reviewed.")
        quarter = basket.Comment("CPP_REPEAT", q3, "council", "Manager", "Down.")
        assert basket.comments(session, contract, on=dt.date(2015, 6, 1)) == (year, quarter)
        assert basket.comments(session, contract, within=q3) == (quarter,)
        assert basket.comments(session, contract, within=YEAR_1) == (year, quarter)
        assert basket.comments(session, contract, indicator="CPP_REPEAT") == (quarter,)
        # After both periods end, nothing covers the day.
        assert basket.comments(session, contract, on=dt.date(2015, 10, 1)) == ()


@pytest.mark.parametrize(
    ("indicator", "role", "message"),
    [
        ("CLA_ADOPTED", "trust", "CLA_ADOPTED is in no basket"),
        ("REREF_12M", "board", "commentary author role 'board' is not one of council, trust"),
    ],
)
def test_commentary_only_on_basket_indicators_by_a_party(doncaster, indicator, role, message):
    with doncaster.refused(message) as session:
        basket.add_commentary(
            session, doncaster.contract(session), indicator, YEAR_1, role, "Someone", "Text"
        )
