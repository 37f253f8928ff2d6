"""The contract: parties, contract years, milestones and the services in scope."""

from __future__ import annotations

import datetime as dt

import pytest

from cscmonitor.records import changes, contracts
from cscmonitor.records.errors import NotFound, RecordsError
from cscmonitor.terms import load_packaged_contract, parse_contract


def test_a_contract_is_held_with_its_parties_signatories_and_basket(doncaster):
    with doncaster.unit() as session:
        contract = doncaster.contract(session)
        assert contract.la_code == "371"
        assert [(p.role, p.name) for p in contract.parties] == [
            ("council", "Doncaster Metropolitan Borough Council"),
            ("trust", "Doncaster Children's Services Trust"),
        ]
        assert [s.name for s in contract.parties[1].signatories] == ["Colin Hilton", "Paul Moffat"]
        (version,) = contract.basket_versions
        assert (version.version, version.from_year) == (1, 1)
        assert [e.indicator for e in version.entries] == [
            "REREF_12M",
            "CPP_REPEAT",
            "CLA_3PLUS",
            "SW_AGENCY",
            "SW_TURNOVER",
        ]


def test_the_held_contract_gives_back_the_contract_terms_assess_reads(doncaster):
    original = load_packaged_contract("doncaster-2014")
    with doncaster.unit() as session:
        terms = contracts.terms(doncaster.contract(session), year=1)
        # Contract year 2 of Doncaster's contract is 1 Oct 2015 – 30 Sep 2016.
        assert contracts.contract_year(doncaster.contract(session), dt.date(2016, 9, 30)) == 2
    assert terms == original


def test_a_baseline_never_agreed_is_held_as_null(records):
    text = load_packaged_contract("doncaster-2014").model_dump_json()
    terms = parse_contract(text.replace('"baseline":38.0', '"baseline":null', 1))
    with records.unit() as session:
        contract = contracts.create_contract(session, terms)
        first = contract.basket_versions[0].entries[0]
        assert (first.indicator, first.baseline, first.target) == ("REREF_12M", None, 25)


def test_the_same_contract_twice_is_refused(doncaster):
    with doncaster.refused("already held") as session:
        contracts.create_contract(session, load_packaged_contract("doncaster-2014"))


def test_naming_a_contract_that_is_not_held_lists_the_held_ones(doncaster):
    # Not held is NotFound (the web's 404), a RecordsError like any other for the CLI.
    with (
        doncaster.unit() as session,
        pytest.raises(NotFound, match=r"no contract named 'Slough'; held: .Doncaster"),
    ):
        contracts.get_contract(session, "Slough")


def test_a_contract_held_twice_breaks_a_rule_and_is_not_a_missing_record(doncaster):
    with doncaster.unit() as session, pytest.raises(RecordsError) as refused:
        contracts.create_contract(session, load_packaged_contract("doncaster-2014"))
    assert not isinstance(refused.value, NotFound)


def test_a_change_request_not_held_is_not_found(doncaster):
    with doncaster.unit() as session, pytest.raises(NotFound, match="has no change request"):
        changes.get_change(doncaster.contract(session), "NCR-99")


def test_a_service_is_in_scope_from_its_date_until_it_ends(doncaster):
    with doncaster.unit() as session:
        contract = doncaster.contract(session)
        contracts.add_service(session, contract, "Fostering", dt.date(2014, 10, 1))
        contracts.add_service(session, contract, "Youth Offending Service", dt.date(2015, 4, 1))
        contracts.end_service(session, contract, "Fostering", dt.date(2016, 3, 31))

    def scope(day: dt.date) -> list[str]:
        with doncaster.unit() as session:
            return [s.name for s in contracts.services_in_scope(doncaster.contract(session), day)]

    assert scope(dt.date(2015, 3, 31)) == ["Fostering"]
    assert scope(dt.date(2015, 4, 1)) == ["Fostering", "Youth Offending Service"]
    assert scope(dt.date(2016, 3, 31)) == ["Fostering", "Youth Offending Service"]
    assert scope(dt.date(2016, 4, 1)) == ["Youth Offending Service"]


def test_a_service_cannot_come_into_scope_before_the_contract_or_twice(doncaster):
    with doncaster.refused("before the contract started") as session:
        contracts.add_service(
            session, doncaster.contract(session), "Fostering", dt.date(2014, 9, 1)
        )
    with doncaster.unit() as session:
        contracts.add_service(
            session, doncaster.contract(session), "Fostering", dt.date(2014, 10, 1)
        )
    with doncaster.refused("already in scope") as session:
        contracts.add_service(
            session, doncaster.contract(session), "Fostering", dt.date(2015, 1, 1)
        )


def test_performance_directions_have_a_status_from_the_list(doncaster):
    with doncaster.unit() as session:
        milestone = contracts.add_milestone(
            session,
            doncaster.contract(session),
            "Ofsted: Requires Improvement by April 2016",
            kind="performance_direction",
            due_date=dt.date(2016, 4, 30),
            status="on_track",
        )
        contracts.set_milestone_status(session, milestone, "met", "Judged RI in 2016")
    with doncaster.unit() as session:
        (held,) = doncaster.contract(session).milestones
        assert (held.status, held.note) == ("met", "Judged RI in 2016")
    with doncaster.refused("milestone status 'nearly' is not one of") as session:
        contracts.set_milestone_status(session, doncaster.contract(session).milestones[0], "nearly")


def test_deleting_a_contract_removes_its_records(demo):
    with demo.unit() as session:
        contracts.delete_contract(session, demo.contract(session))
    counts = demo.counts()
    audit = ("audit_log", "audit_head")
    assert {t: n for t, n in counts.items() if n and t not in audit} == {}
    assert counts["audit_log"] > 0
