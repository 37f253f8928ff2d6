"""The change-request workflow: the transition table, who may move, and what approval does."""

from __future__ import annotations

import datetime as dt

import pytest

from cscmonitor.records import changes, contracts
from cscmonitor.records.audit import Actor
from cscmonitor.records.errors import RecordsError

COUNCIL = Actor("Damian Allen", "council")
TRUST = Actor("Paul Moffat", "trust")
CWD = {"service": "Children with Disability service", "direction": "in"}
OCTOBER_2016 = dt.date(2016, 10, 1)


def _cwd(records, needs_direction=True):
    with records.unit() as session:
        changes.create_change(
            session,
            records.contract(session),
            "NCR-1",
            "service_transfer",
            "Transfer the CWD service to the Trust",
            needs_statutory_direction=needs_direction,
            effective_date=OCTOBER_2016,
            proposal=CWD,
        )


def _move(records, to_state, actor, reason="Because"):
    with records.unit(actor) as session:
        request = changes.get_change(records.contract(session), "NCR-1")
        changes.move(session, request, to_state, actor, reason)
        return request.state


def test_the_table_says_who_makes_each_move():
    who = {(t.from_state, t.to_state): (t.parties, t.together) for t in changes.TRANSITIONS}
    assert who[("draft", "proposed")] == (frozenset({"trust"}), False)
    assert who[("proposed", "agreed_in_principle")] == (frozenset({"council"}), False)
    assert who[("agreed_in_principle", "approved")] == (frozenset({"council", "trust"}), True)
    assert who[("direction_granted", "approved")] == (frozenset({"council", "trust"}), True)
    assert ("draft", "approved") not in who


def test_a_service_transfer_with_a_statutory_direction_all_the_way(doncaster):
    _cwd(doncaster)
    assert _move(doncaster, "proposed", TRUST) == "proposed"
    assert _move(doncaster, "agreed_in_principle", COUNCIL) == "agreed_in_principle"
    assert _move(doncaster, "direction_requested", COUNCIL) == "direction_requested"
    assert _move(doncaster, "direction_granted", COUNCIL) == "direction_granted"
    # Both sign off: the first sign-off leaves the request where it is.
    assert _move(doncaster, "approved", TRUST) == "direction_granted"
    assert _move(doncaster, "approved", COUNCIL) == "approved"
    assert _move(doncaster, "implemented", TRUST) == "implemented"
    with doncaster.unit() as session:
        request = changes.get_change(doncaster.contract(session), "NCR-1")
        assert [(m.from_state, m.to_state, m.actor_role, m.actor_name) for m in request.moves] == [
            ("draft", "proposed", "trust", "Paul Moffat"),
            ("proposed", "agreed_in_principle", "council", "Damian Allen"),
            ("agreed_in_principle", "direction_requested", "council", "Damian Allen"),
            ("direction_requested", "direction_granted", "council", "Damian Allen"),
            ("direction_granted", "approved", "trust", "Paul Moffat"),
            ("direction_granted", "approved", "council", "Damian Allen"),
            ("approved", "implemented", "trust", "Paul Moffat"),
        ]
        assert all(m.reason == "Because" and m.at is not None for m in request.moves)


def test_an_approved_service_transfer_changes_the_scope_from_its_date(doncaster):
    with doncaster.unit() as session:
        contracts.add_service(
            session, doncaster.contract(session), "Fostering", dt.date(2014, 10, 1)
        )
    _cwd(doncaster, needs_direction=False)
    for to_state, actor in [
        ("proposed", TRUST),
        ("agreed_in_principle", COUNCIL),
        ("approved", COUNCIL),
        ("approved", TRUST),
    ]:
        _move(doncaster, to_state, actor)
    with doncaster.unit() as session:
        contract = doncaster.contract(session)
        before = contracts.services_in_scope(contract, OCTOBER_2016 - dt.timedelta(days=1))
        after = contracts.services_in_scope(contract, OCTOBER_2016)
        assert [s.name for s in before] == ["Fostering"]
        assert [s.name for s in after] == ["Fostering", "Children with Disability service"]
        request = changes.get_change(contract, "NCR-1")
        assert after[1].change_request_id == request.id


@pytest.mark.parametrize(
    ("setup", "to_state", "actor", "message"),
    [
        (
            [],
            "proposed",
            COUNCIL,
            "the council may not move NCR-1 from draft to proposed: only the trust",
        ),
        ([], "approved", TRUST, "NCR-1 is draft: it cannot move to approved \\(can: proposed\\)"),
        ([("proposed", TRUST)], "agreed_in_principle", TRUST, "only the council may"),
        (
            [("proposed", TRUST), ("agreed_in_principle", COUNCIL)],
            "approved",
            COUNCIL,
            "NCR-1 needs a Statutory Direction: the council must request it",
        ),
        (
            [("proposed", TRUST), ("agreed_in_principle", COUNCIL)],
            "direction_requested",
            TRUST,
            "only the council may",
        ),
        ([], "finished", TRUST, "'finished' is not a change-request state"),
        ([], "proposed", Actor("Someone"), "a move is made for a party: say which"),
        ([], "proposed", Actor("Someone", "mayor"), "acting party 'mayor' is not one of"),
    ],
)
def test_moves_the_table_does_not_allow_are_refused_and_change_nothing(
    doncaster, setup, to_state, actor, message
):
    _cwd(doncaster)
    for state, mover in setup:
        _move(doncaster, state, mover)
    with doncaster.refused(message, actor) as session:
        request = changes.get_change(doncaster.contract(session), "NCR-1")
        changes.move(session, request, to_state, actor, "Because")


def test_a_party_signs_off_once(doncaster):
    _cwd(doncaster, needs_direction=False)
    _move(doncaster, "proposed", TRUST)
    _move(doncaster, "agreed_in_principle", COUNCIL)
    _move(doncaster, "approved", COUNCIL)
    with doncaster.unit() as session:
        request = changes.get_change(doncaster.contract(session), "NCR-1")
        assert changes.awaiting(request) == {"approved": {"trust"}}
    with doncaster.refused("the council has already signed off NCR-1 as approved", COUNCIL) as s:
        changes.move(
            s, changes.get_change(doncaster.contract(s), "NCR-1"), "approved", COUNCIL, "x"
        )


def test_a_move_needs_a_reason(doncaster):
    _cwd(doncaster)
    with doncaster.refused("reason for the move must not be blank", TRUST) as session:
        changes.move(
            session,
            changes.get_change(doncaster.contract(session), "NCR-1"),
            "proposed",
            TRUST,
            " ",
        )


def test_a_rejected_request_is_final(doncaster):
    _cwd(doncaster)
    _move(doncaster, "proposed", TRUST)
    assert _move(doncaster, "rejected", COUNCIL) == "rejected"
    with doncaster.refused(
        r"NCR-1 is rejected: it cannot move to proposed \(can: none", TRUST
    ) as s:
        changes.move(s, changes.get_change(doncaster.contract(s), "NCR-1"), "proposed", TRUST, "x")


def test_an_approved_basket_change_creates_version_two(doncaster):
    proposal = {
        "from_year": 2,
        "basket": [
            {"indicator": "REREF_12M", "baseline": 38, "target": 23, "tolerance": 2},
            {"indicator": "CPP_REPEAT", "baseline": None, "statistical_neighbour": 16.2},
        ],
    }
    with doncaster.unit() as session:
        changes.create_change(
            session,
            doncaster.contract(session),
            "NCR-1",
            "basket_change",
            "Revise",
            proposal=proposal,
        )
    for to_state, actor in [
        ("proposed", TRUST),
        ("agreed_in_principle", COUNCIL),
        ("approved", TRUST),
    ]:
        _move(doncaster, to_state, actor)
    with doncaster.unit() as session:
        assert [v.version for v in doncaster.contract(session).basket_versions] == [1]
    _move(doncaster, "approved", COUNCIL)
    with doncaster.unit() as session:
        versions = doncaster.contract(session).basket_versions
        assert [(v.version, v.from_year) for v in versions] == [(1, 1), (2, 2)]
        # A baseline never agreed stays null, as the contract file allows.
        assert [
            (e.indicator, e.baseline, e.target, e.tolerance, e.statistical_neighbour)
            for e in versions[1].entries
        ] == [
            ("REREF_12M", 38, 23, 2, None),
            ("CPP_REPEAT", None, None, None, 16.2),
        ]


@pytest.mark.parametrize(
    ("kind", "proposal", "effective", "message"),
    [
        ("service_transfer", {"service": "CWD"}, None, "needs the date it takes effect"),
        (
            "service_transfer",
            {"service": "CWD", "direction": "sideways"},
            OCTOBER_2016,
            "direction",
        ),
        ("service_transfer", None, OCTOBER_2016, "needs a proposal"),
        (
            "contract_variation",
            {"budget": "2099/00", "amount_pence": 1, "reason": "x"},
            OCTOBER_2016,
            "no budget '2099/00'",
        ),
        ("basket_change", {"from_year": 0, "basket": []}, None, "from_year"),
        ("other", {"anything": 1}, None, "carries no proposal"),
        ("merger", None, None, "change kind 'merger' is not one of"),
    ],
)
def test_proposals_are_checked_when_drafted(doncaster, kind, proposal, effective, message):
    with doncaster.refused(message) as session:
        changes.create_change(
            session,
            doncaster.contract(session),
            "NCR-9",
            kind,
            "Title",
            effective_date=effective,
            proposal=proposal,
        )


def test_references_are_unique_per_contract(doncaster):
    _cwd(doncaster)
    with doncaster.refused("change request NCR-1 is already held"):
        _cwd(doncaster)


def test_an_unknown_reference_lists_the_held_ones(doncaster):
    _cwd(doncaster)
    with doncaster.unit() as session, pytest.raises(RecordsError, match="held: NCR-1"):
        changes.get_change(doncaster.contract(session), "NCR-2")
