"""Report editions: every move by every role, reasons, audit rows, signing and the freeze guard.

The expected table is written out by hand from the issue (Trust manager submits and withdraws,
Council officer sends back, agrees and signs; Trust and Council drafters open), not read from
`editions.MOVES`, so a change to the table fails here until it is meant.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from cscmonitor.records import contracts, editions
from cscmonitor.records.audit import Actor
from cscmonitor.records.editions import Freeze, FrozenFile, Signer
from cscmonitor.records.errors import RecordsError
from cscmonitor.records.models import AuditEntry, ReportEdition
from cscmonitor.records.roles import Role

TA, TM, CO, A, V = (
    Role.TRUST_ANALYST,
    Role.TRUST_MANAGER,
    Role.COUNCIL_OFFICER,
    Role.ADMIN,
    Role.VIEWER,
)
ALLOWED = {
    ("open", TA),
    ("open", TM),
    ("open", CO),
    ("submit", TM),
    ("withdraw", TM),
    ("send_back", CO),
    ("agree", CO),
    ("sign", CO),
}
# The state each move starts from in the role test, and where an allowed move ends.
FROM_TO = {
    "submit": ("draft", "submitted"),
    "withdraw": ("submitted", "draft"),
    "send_back": ("submitted", "draft"),
    "agree": ("submitted", "agreed"),
    "sign": ("agreed", "signed"),
}
PEOPLE = {
    TA: Actor("Tara Analyst", "trust"),
    TM: Actor("Paul Moffat", "trust"),
    CO: Actor("Damian Allen", "council"),
    A: Actor("Ada Admin"),
    V: Actor("Vic Viewer"),
}
SIGNED_ON = dt.date(2016, 1, 29)
BOTH = (
    Signer("Jo Miller", "Chief Executive", "council", "Doncaster Metropolitan Borough Council"),
    Signer("Paul Moffat", "Chief Executive", "trust", "Doncaster Children's Services Trust"),
)
FILES = (FrozenFile("pdf", "ab" * 32, 1234, "editions/1/annual-review-1.pdf"),)


def _frozen(seen: list | None = None):
    def freeze(view: editions.EditionView) -> Freeze:
        if seen is not None:
            seen.append(view)
        return Freeze("0001", FILES)

    return freeze


def _complete() -> list[str]:
    return []


def _open(records, role=TM, **options) -> int:
    with records.unit(PEOPLE[role]) as session:
        edition = editions.open_edition(
            session, records.contract(session), "annual", 1, PEOPLE[role], role, **options
        )
        return edition.id


def _do(records, edition_id, name, role, reason=None, **sign):
    actor = PEOPLE[role]
    with records.unit(actor) as session:
        edition = editions.get_edition(session, edition_id)
        match name:
            case "submit":
                editions.submit(session, edition, actor, role)
            case "withdraw":
                editions.withdraw(session, edition, actor, role, reason)
            case "send_back":
                editions.send_back(session, edition, actor, role, reason)
            case "agree":
                editions.agree(session, edition, actor, role)
            case "sign":
                editions.sign(
                    session,
                    edition,
                    actor,
                    role,
                    sign.get("signatories", BOTH),
                    sign.get("on", SIGNED_ON),
                    completeness=sign.get("completeness", _complete),
                    freeze=sign.get("freeze", _frozen()),
                )
        return edition.state


def _to(records, state: str) -> int:
    edition_id = _open(records)
    path = {"draft": [], "submitted": ["submit"], "agreed": ["submit", "agree"]}[state]
    for name in path:
        _do(records, edition_id, name, TM if name == "submit" else CO)
    return edition_id


def test_the_table_is_the_issues() -> None:
    table = {(m.name, r) for m in editions.MOVES for r in m.roles}
    assert table == ALLOWED
    assert {m.name for m in editions.MOVES if m.reason} == {"withdraw", "send_back"}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("name", sorted(FROM_TO))
def test_every_move_by_every_role(doncaster, name: str, role: Role) -> None:
    start, end = FROM_TO[name]
    edition_id = _to(doncaster, start)
    reason = "Figures for Q2 are to be corrected"
    if (name, role) in ALLOWED:
        assert _do(doncaster, edition_id, name, role, reason) == end
        with doncaster.unit() as session:
            last = editions.get_edition(session, edition_id).moves[-1]
            assert (last.from_state, last.to_state, last.actor_role) == (start, end, role.value)
            assert last.actor_name == PEOPLE[role].name
    else:
        with doncaster.refused("may not", PEOPLE[role]) as session:
            edition = editions.get_edition(session, edition_id)
            actor = PEOPLE[role]
            match name:
                case "sign":
                    editions.sign(
                        session,
                        edition,
                        actor,
                        role,
                        BOTH,
                        SIGNED_ON,
                        completeness=_complete,
                        freeze=_frozen(),
                    )
                case "withdraw" | "send_back":
                    getattr(editions, name)(session, edition, actor, role, reason)
                case _:
                    getattr(editions, name)(session, edition, actor, role)


@pytest.mark.parametrize("role", list(Role))
def test_opening_by_every_role(doncaster, role: Role) -> None:
    if ("open", role) in ALLOWED:
        edition_id = _open(doncaster, role)
        with doncaster.unit() as session:
            edition = editions.get_edition(session, edition_id)
            assert (edition.number, edition.state, edition.created_by) == (
                1,
                "draft",
                PEOPLE[role].name,
            )
            assert [(m.from_state, m.to_state) for m in edition.moves] == [(None, "draft")]
    else:
        with doncaster.refused("may not", PEOPLE[role]) as session:
            editions.open_edition(
                session, doncaster.contract(session), "annual", 1, PEOPLE[role], role
            )


@pytest.mark.parametrize(("name", "role"), [("withdraw", TM), ("send_back", CO)])
@pytest.mark.parametrize("reason", [None, "", "   "])
def test_sending_back_needs_a_reason(doncaster, name: str, role: Role, reason) -> None:
    edition_id = _to(doncaster, "submitted")
    with doncaster.refused("reason .* must not be blank", PEOPLE[role]) as session:
        edition = editions.get_edition(session, edition_id)
        getattr(editions, name)(session, edition, PEOPLE[role], role, reason)


def test_moves_from_the_wrong_state_are_refused_saying_what_can_be_done(doncaster) -> None:
    edition_id = _open(doncaster)
    with doncaster.refused(
        r"edition 1 is draft: it cannot be moved by agree \(it can: submit", PEOPLE[CO]
    ) as s:
        editions.agree(s, editions.get_edition(s, edition_id), PEOPLE[CO], CO)
    with doncaster.refused(r"only an agreed edition is signed", PEOPLE[CO]) as s:
        editions.sign(
            s,
            editions.get_edition(s, edition_id),
            PEOPLE[CO],
            CO,
            BOTH,
            SIGNED_ON,
            completeness=_complete,
            freeze=_frozen(),
        )


def test_the_whole_way_with_an_audit_row_for_every_move(doncaster) -> None:
    edition_id = _open(doncaster)
    _do(doncaster, edition_id, "submit", TM)
    _do(doncaster, edition_id, "send_back", CO, "The joint focus section is not agreed")
    _do(doncaster, edition_id, "submit", TM)
    _do(doncaster, edition_id, "withdraw", TM, "A late return changes Q4")
    _do(doncaster, edition_id, "submit", TM)
    _do(doncaster, edition_id, "agree", CO)
    seen: list = []
    _do(doncaster, edition_id, "sign", CO, freeze=_frozen(seen))
    with doncaster.unit() as session:
        edition = editions.get_edition(session, edition_id)
        moves = [(m.from_state, m.to_state, m.actor_role, m.reason) for m in edition.moves]
        assert moves == [
            (None, "draft", "trust_manager", None),
            ("draft", "submitted", "trust_manager", None),
            ("submitted", "draft", "council_officer", "The joint focus section is not agreed"),
            ("draft", "submitted", "trust_manager", None),
            ("submitted", "draft", "trust_manager", "A late return changes Q4"),
            ("draft", "submitted", "trust_manager", None),
            ("submitted", "agreed", "council_officer", None),
            ("agreed", "signed", "council_officer", None),
        ]
        # One audit row per move (the edition_moves table), each by the person who moved.
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "edition_moves").order_by(AuditEntry.id)
        ).all()
        assert [(r.after["to_state"], r.actor) for r in rows] == [
            (to, PEOPLE[TM if role == "trust_manager" else CO].name) for _f, to, role, _r in moves
        ]
        assert all(r.action == "create" for r in rows)
        # The freeze saw the edition as it was about to be signed, records version included.
        (about,) = seen
        assert about.state == "signed" and about.signed_on == SIGNED_ON
        assert about.signatories == BOTH
        assert about.records_version == edition.records_version
        assert len(edition.records_version) == 64
        assert (edition.snapshot_id, edition.signed_on) == ("0001", SIGNED_ON)
        assert [(f.format, f.sha256, f.path) for f in edition.files] == [
            ("pdf", "ab" * 32, "editions/1/annual-review-1.pdf")
        ]
        assert editions.signed_snapshots(session) == {"0001"}
        assert editions.version_held(session, edition.records_version)


def test_a_second_edition_waits_until_the_first_is_signed(doncaster) -> None:
    first = _to(doncaster, "agreed")
    with doncaster.refused("edition 1 of this report is still agreed", PEOPLE[TM]) as session:
        editions.open_edition(session, doncaster.contract(session), "annual", 1, PEOPLE[TM], TM)
    _do(doncaster, first, "sign", CO)
    second = _open(doncaster)
    with doncaster.unit() as session:
        edition = editions.get_edition(session, second)
        assert edition.number == 2
        assert editions.last_signed(session, edition).id == first
        # Another year's (or report's) edition is a report of its own: numbered from 1.
        other = editions.open_edition(
            session, doncaster.contract(session), "annual", 2, PEOPLE[TM], TM
        )
        assert other.number == 1


def test_signing_needs_both_parties_and_a_day_that_has_come(doncaster) -> None:
    edition_id = _to(doncaster, "agreed")
    for signers, message in [
        (BOTH[:1], "none for the trust"),
        (BOTH[1:], "none for the council"),
        ((BOTH[0], BOTH[0], BOTH[1]), "named twice"),
    ]:
        with doncaster.refused(message, PEOPLE[CO]):
            _do(doncaster, edition_id, "sign", CO, signatories=signers)
    with doncaster.refused("a day to come", PEOPLE[CO]):
        _do(doncaster, edition_id, "sign", CO, on=dt.date.today() + dt.timedelta(days=1))


def test_signing_asks_the_narrative_check_first_and_freezes_nothing_when_it_fails(
    doncaster,
) -> None:
    edition_id = _to(doncaster, "agreed")
    seen: list = []
    with doncaster.refused("sections have no text .*: Joint working; Youth justice", PEOPLE[CO]):
        _do(
            doncaster,
            edition_id,
            "sign",
            CO,
            completeness=lambda: ["Joint working", "Youth justice"],
            freeze=_frozen(seen),
        )
    assert seen == []


def test_signatories_from_the_records_or_typed(demo) -> None:
    with demo.unit() as session:
        contract = demo.contract(session)
        assert editions.signer(contract, "jo miller") == Signer(
            "Jo Miller", "Chief Executive", "council", "Doncaster Metropolitan Borough Council"
        )
        typed = editions.signer(contract, "Colin Hilton | Chair | trust")
        assert (typed.name, typed.title, typed.party) == ("Colin Hilton", "Chair", "trust")
        assert typed.party_name == next(p.name for p in contract.parties if p.role == "trust")
        with pytest.raises(RecordsError, match="not one of the contract's signatories"):
            editions.signer(contract, "Nobody Known")
        with pytest.raises(RecordsError, match="party 'board' is not one of"):
            editions.signer(contract, "A|B|board")


def test_a_signed_edition_is_kept_as_signed(doncaster) -> None:
    edition_id = _to(doncaster, "agreed")
    _do(doncaster, edition_id, "sign", CO)
    with doncaster.refused("kept, with its files, for ever") as session:
        editions.delete_edition(session, editions.get_edition(session, edition_id))
    with doncaster.refused("kept for ever") as session:
        session.delete(editions.get_edition(session, edition_id))
    with doncaster.refused("frozen") as session:
        editions.get_edition(session, edition_id).snapshot_id = "0002"
    with doncaster.refused("kept for ever") as session:
        session.delete(editions.get_edition(session, edition_id).files[0])
    with doncaster.refused("frozen") as session:
        editions.get_edition(session, edition_id).files[0].sha256 = "0" * 64
    # Nor does the contract go, taking its signed editions with it.
    with doncaster.refused("has signed report editions: they are kept for ever") as session:
        contracts.delete_contract(session, doncaster.contract(session))


def test_a_draft_can_be_deleted(doncaster) -> None:
    edition_id = _open(doncaster)
    with doncaster.unit() as session:
        editions.delete_edition(session, editions.get_edition(session, edition_id))
    with doncaster.unit() as session:
        assert session.scalars(select(ReportEdition)).all() == []


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"mode": "secret"}, "mode 'secret' is not one of"),
        ({"quarter": 5}, "a quarter is 1 to 4"),
        ({"quarter": 2}, "the annual review covers the whole year"),
    ],
)
def test_opening_checks_what_it_is_given(doncaster, options, message) -> None:
    with doncaster.refused(message, PEOPLE[TM]) as session:
        editions.open_edition(
            session, doncaster.contract(session), "annual", 1, PEOPLE[TM], TM, **options
        )
    with doncaster.refused("needs its quarter", PEOPLE[TM]) as session:
        editions.open_edition(session, doncaster.contract(session), "quarterly", 1, PEOPLE[TM], TM)
