"""Report editions and sign-off: draft → submitted (Trust) → agreed (Council) → signed.

`MOVES` below is the whole rule: which moves exist, from which states, and which roles may
make each. Every move is an `EditionMove` row (who, in which role, when, why) and, through the
audit listener, an audit row. Signing freezes the edition: the caller's `freeze` renders and
stores its files (the records cannot render: `reports.editions` does), and the edition keeps
the warehouse snapshot, the records version (the audit head's hash) and each file's hash. A
signed edition never changes and is never deleted: the session refuses it.

Who signs follows the seed's letter (samples/000_9c39432bf98d8fb9.txt): the Council's chief
executive signs and the Council's and the Trust's leaders counter-sign, so a signed edition
names at least one signatory for the council and one for the trust. A council officer records
the signing; the names come from the contract's signatories or are typed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import event, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session, UOWTransaction
from sqlalchemy.orm.attributes import get_history

from cscmonitor.records import vocab
from cscmonitor.records.audit import Actor
from cscmonitor.records.errors import NotFound, RecordsError
from cscmonitor.records.models import (
    AuditEntry,
    AuditHead,
    Contract,
    EditionFile,
    EditionMove,
    ReportEdition,
    utcnow,
)
from cscmonitor.records.narrative_sections import ReportKind, report_kind
from cscmonitor.records.roles import Role

DRAFT, SUBMITTED, AGREED, SIGNED = "draft", "submitted", "agreed", "signed"
STATES = (DRAFT, SUBMITTED, AGREED, SIGNED)
# The reports an edition can be of.
REPORTS = tuple(kind.value for kind in ReportKind)
MODES = ("internal", "publication")
# The files a signed edition holds: the document itself, its figures, and each rendering.
DOCUMENT, FIGURES = "document", "figures"


@dataclass(frozen=True)
class Move:
    """A move between states and the roles that may make it; `reason`: one must be given."""

    name: str
    label: str
    from_states: tuple[str, ...]
    to_state: str
    roles: frozenset[Role]
    reason: bool = False


OPEN, SUBMIT, WITHDRAW, SEND_BACK, AGREE, SIGN = (
    "open",
    "submit",
    "withdraw",
    "send_back",
    "agree",
    "sign",
)
TM, CO = Role.TRUST_MANAGER, Role.COUNCIL_OFFICER
# Why: the Trust drafts and submits its performance; the Council, which answers for the contract
# to the Secretary of State, agrees and signs. Either party's drafters may open an edition.
# The Trust may withdraw what it submitted; the Council may send back what it was sent or had
# agreed. Sending back always says why.
MOVES: tuple[Move, ...] = (
    Move(OPEN, "Open a new draft", (), DRAFT, frozenset({Role.TRUST_ANALYST, TM, CO})),
    Move(SUBMIT, "Submit to the Council", (DRAFT,), SUBMITTED, frozenset({TM})),
    Move(WITHDRAW, "Withdraw", (SUBMITTED,), DRAFT, frozenset({TM}), reason=True),
    Move(SEND_BACK, "Send back", (SUBMITTED, AGREED), DRAFT, frozenset({CO}), reason=True),
    Move(AGREE, "Agree", (SUBMITTED,), AGREED, frozenset({CO})),
    Move(SIGN, "Sign", (AGREED,), SIGNED, frozenset({CO})),
)
BY_NAME = {m.name: m for m in MOVES}


class SignedEditionIsFrozen(RecordsError):
    """An attempt to change or delete a signed edition or its files."""


@dataclass(frozen=True)
class Signer:
    """A person who signs: name, title, and the party they sign for (role and name)."""

    name: str
    title: str
    party: str  # council, trust or other
    party_name: str

    def line(self) -> str:
        return f"{self.name}, {self.title}, {self.party_name}"


@dataclass(frozen=True)
class FrozenFile:
    format: str
    sha256: str
    size: int
    path: str  # relative to the data directory


@dataclass(frozen=True)
class Freeze:
    """What `freeze` made: the snapshot the document read and the files it stored."""

    snapshot_id: str
    files: tuple[FrozenFile, ...]


@dataclass(frozen=True)
class MoveLine:
    at: dt.datetime
    from_state: str | None
    to_state: str
    actor: str
    role: str
    reason: str | None


@dataclass(frozen=True)
class EditionView:
    """An edition as plain values, for the reports, the CLI and the web."""

    id: int
    contract: str
    report: str
    year: int
    quarter: int | None
    number: int
    state: str
    mode: str
    as_at: dt.date | None
    snapshot_id: str | None
    records_version: str | None
    signed_on: dt.date | None
    signatories: tuple[Signer, ...]
    created_by: str
    created_at: dt.datetime
    moves: tuple[MoveLine, ...]
    files: tuple[FrozenFile, ...]

    @property
    def title(self) -> str:
        quarter = f" quarter {self.quarter}" if self.quarter else ""
        named = report_kind(self.report).label
        named = named[0].upper() + named[1:]
        return f"{named}, contract year {self.year}{quarter}, edition {self.number}"

    def file(self, format: str) -> FrozenFile:
        for held in self.files:
            if held.format == format:
                return held
        raise NotFound(f"edition {self.id} holds no {format} file")


def view(edition: ReportEdition) -> EditionView:
    return EditionView(
        id=edition.id,
        contract=edition.contract.name,
        report=edition.report,
        year=edition.year,
        quarter=edition.quarter,
        number=edition.number,
        state=edition.state,
        mode=edition.mode,
        as_at=edition.as_at,
        snapshot_id=edition.snapshot_id,
        records_version=edition.records_version,
        signed_on=edition.signed_on,
        signatories=tuple(Signer(**s) for s in edition.signatories or ()),
        created_by=edition.created_by,
        created_at=edition.created_at,
        moves=tuple(
            MoveLine(m.at, m.from_state, m.to_state, m.actor_name, m.actor_role, m.reason)
            for m in edition.moves
        ),
        files=tuple(FrozenFile(f.format, f.sha256, f.size, f.path) for f in edition.files),
    )


def get_edition(session: Session, edition_id: int) -> ReportEdition:
    edition = session.get(ReportEdition, edition_id)
    if edition is None:
        raise NotFound(f"no report edition {edition_id} is held")
    return edition


def editions_of(
    session: Session,
    contract: Contract,
    report: str | None = None,
    year: int | None = None,
    quarter: int | None = None,
) -> list[ReportEdition]:
    """A contract's editions, of one report (and year and quarter) when given, oldest first."""
    query = select(ReportEdition).where(ReportEdition.contract_id == contract.id)
    if report is not None:
        query = query.where(ReportEdition.report == report)
    if year is not None:
        query = query.where(ReportEdition.year == year)
    if quarter is not None:
        query = query.where(ReportEdition.quarter == quarter)
    order = (ReportEdition.report, ReportEdition.year, ReportEdition.quarter, ReportEdition.number)
    return list(session.scalars(query.order_by(*order)))


def _same_report(session: Session, edition: ReportEdition) -> list[ReportEdition]:
    return [
        e
        for e in editions_of(session, edition.contract, edition.report, edition.year)
        if e.quarter == edition.quarter
    ]


def last_signed(session: Session, edition: ReportEdition) -> ReportEdition | None:
    """The newest signed edition of the same report before this one, if any."""
    signed = [
        e for e in _same_report(session, edition) if e.state == SIGNED and e.number < edition.number
    ]
    return signed[-1] if signed else None


def allowed_moves(edition: ReportEdition, role: Role | None) -> list[Move]:
    """The moves the table allows from the edition's state, for `role` (any role: None)."""
    return [
        m for m in MOVES if edition.state in m.from_states and (role is None or role in m.roles)
    ]


def _a(role: Role) -> str:
    label = role.label.lower()
    return f"{'an' if label[0] in 'aeiou' else 'a'} {label}"


def _check_role(move: Move, role: Role) -> None:
    if role not in move.roles:
        who = " or ".join(_a(r) for r in sorted(move.roles))
        raise RecordsError(f"{_a(role)} may not {move.label.lower()}: only {who} may")


def _record(
    edition: ReportEdition, move: Move, actor: Actor, role: Role, reason: str | None
) -> None:
    edition.moves.append(
        EditionMove(
            from_state=edition.state if move.name != OPEN else None,
            to_state=move.to_state,
            actor_name=vocab.check_text(actor.name, "actor name"),
            actor_role=role.value,
            reason=reason,
            at=utcnow(),
        )
    )
    edition.state = move.to_state


def _move(
    session: Session,
    edition: ReportEdition,
    name: str,
    actor: Actor,
    role: Role,
    reason: str | None = None,
) -> ReportEdition:
    move = BY_NAME[name]
    if edition.state not in move.from_states:
        possible = ", ".join(m.label.lower() for m in allowed_moves(edition, None)) or "none"
        raise RecordsError(
            f"edition {edition.number} is {edition.state}: it cannot be moved by "
            f"{move.label.lower()} (it can: {possible})"
        )
    _check_role(move, role)
    if move.reason:
        reason = vocab.check_text(reason, f"the reason to {move.label.lower()}")
    else:
        reason = reason.strip() if reason and reason.strip() else None
    _record(edition, move, actor, role, reason)
    session.flush()
    return edition


def open_edition(
    session: Session,
    contract: Contract,
    report: str,
    year: int,
    actor: Actor,
    role: Role,
    *,
    quarter: int | None = None,
    mode: str = "internal",
    as_at: dt.date | None = None,
) -> ReportEdition:
    """A new draft edition, numbered after the report's last; refused while one is open."""
    _check_role(BY_NAME[OPEN], role)
    vocab.check(report, REPORTS, "report")
    vocab.check(mode, MODES, "mode")
    if year < 1:
        raise RecordsError("a contract year is 1 or more")
    kind = report_kind(report)
    if kind.quarterly and quarter is None:
        raise RecordsError(f"an edition of the {kind.label} needs its quarter (1 to 4)")
    if quarter is not None and not 1 <= quarter <= 4:
        raise RecordsError("a quarter is 1 to 4")
    if report == "annual" and quarter is not None:
        raise RecordsError("the annual review covers the whole year: give no quarter")
    held = [e for e in editions_of(session, contract, report, year) if e.quarter == quarter]
    still_open = [e for e in held if e.state != SIGNED]
    if still_open:
        e = still_open[0]
        raise RecordsError(
            f"edition {e.number} of this report is still {e.state}: sign it, or send it back "
            "and work on it, before opening another"
        )
    edition = ReportEdition(
        contract=contract,
        report=report,
        year=year,
        quarter=quarter,
        number=max((e.number for e in held), default=0) + 1,
        state=DRAFT,
        mode=mode,
        as_at=as_at,
        created_by=vocab.check_text(actor.name, "actor name"),
        created_at=utcnow(),
    )
    session.add(edition)
    _record(edition, BY_NAME[OPEN], actor, role, None)
    session.flush()
    return edition


def submit(session: Session, edition: ReportEdition, actor: Actor, role: Role) -> ReportEdition:
    return _move(session, edition, SUBMIT, actor, role)


def withdraw(
    session: Session, edition: ReportEdition, actor: Actor, role: Role, reason: str | None
) -> ReportEdition:
    return _move(session, edition, WITHDRAW, actor, role, reason)


def send_back(
    session: Session, edition: ReportEdition, actor: Actor, role: Role, reason: str | None
) -> ReportEdition:
    return _move(session, edition, SEND_BACK, actor, role, reason)


def agree(session: Session, edition: ReportEdition, actor: Actor, role: Role) -> ReportEdition:
    return _move(session, edition, AGREE, actor, role)


def signers_of(contract: Contract) -> list[Signer]:
    """The contract's signatories, in the order the parties list them."""
    return [
        Signer(s.name, s.title, party.role, party.name)
        for party in contract.parties
        for s in party.signatories
    ]


def signer(contract: Contract, text: str) -> Signer:
    """A signatory by name from the contract's records, or typed as `name|title|party`."""
    text = vocab.check_text(text, "a signatory")
    if "|" in text:
        parts = [p.strip() for p in text.split("|")]
        if len(parts) != 3 or not all(parts):
            raise RecordsError(f"type a signatory as name|title|party, not {text!r}")
        name, title, role = parts
        vocab.check(role, vocab.PARTY_ROLES, "party")
        party = next((p for p in contract.parties if p.role == role), None)
        return Signer(name, title, role, party.name if party else role.capitalize())
    for held in signers_of(contract):
        if held.name.casefold() == text.casefold():
            return held
    names = ", ".join(s.name for s in signers_of(contract)) or "none"
    raise RecordsError(
        f"{text!r} is not one of the contract's signatories ({names}); "
        "type another as name|title|party"
    )


def _check_signers(signers: Sequence[Signer]) -> list[Signer]:
    if len({s.name.casefold() for s in signers}) != len(signers):
        raise RecordsError("a signatory is named twice")
    missing = [p for p in ("council", "trust") if not any(s.party == p for s in signers)]
    if missing:
        raise RecordsError(
            "a signed edition names a signatory for the council and one for the trust, as the "
            f"annual review is signed and counter-signed: none for the {' or the '.join(missing)}"
        )
    return list(signers)


def records_version(session: Session) -> str:
    """The audit head's hash: the state of the records a document is made from."""
    return session.execute(select(AuditHead.last_hash).where(AuditHead.id == 1)).scalar_one()


def version_held(session: Session, version: str) -> bool:
    """Whether the audit log still holds the row with this hash (the chain was not rewritten)."""
    found = session.scalar(select(AuditEntry.id).where(AuditEntry.row_hash == version).limit(1))
    return found is not None


def sign(
    session: Session,
    edition: ReportEdition,
    actor: Actor,
    role: Role,
    signatories: Sequence[Signer],
    on: dt.date,
    *,
    completeness: Callable[[], list[str]],
    freeze: Callable[[EditionView], Freeze],
    today: dt.date | None = None,
) -> ReportEdition:
    """Sign an agreed edition and freeze it.

    `completeness` gives the titles of the report's narrative sections still unwritten
    (wired to `records.narrative.missing_sections`); any refuses the signing. `freeze`
    renders and stores the files of the edition as it is about to be signed (its signatories,
    date and records version set) and returns their hashes.
    """
    move = BY_NAME[SIGN]
    if edition.state not in move.from_states:
        raise RecordsError(
            f"edition {edition.number} is {edition.state}: only an agreed edition is signed"
        )
    _check_role(move, role)
    signers = _check_signers(signatories)
    if on > (today or dt.date.today()):
        raise RecordsError(f"an edition cannot be signed on a day to come ({on.isoformat()})")
    missing = completeness()
    if missing:
        raise RecordsError(
            "the report cannot be signed while sections have no text (write them, or mark "
            f"them not applicable): {'; '.join(missing)}"
        )
    version = records_version(session)
    frozen = freeze(
        replace(
            view(edition),
            state=SIGNED,
            signed_on=on,
            signatories=tuple(signers),
            records_version=version,
        )
    )
    edition.snapshot_id = frozen.snapshot_id
    edition.records_version = version
    edition.signed_on = on
    edition.signatories = [vars(s) for s in signers]
    for held in frozen.files:
        edition.files.append(
            EditionFile(format=held.format, sha256=held.sha256, size=held.size, path=held.path)
        )
    _record(edition, move, actor, role, None)
    session.flush()
    return edition


def delete_edition(session: Session, edition: ReportEdition) -> None:
    """Delete an edition not yet signed (a signed one is kept for ever)."""
    if edition.state == SIGNED:
        raise SignedEditionIsFrozen(
            f"edition {edition.number} is signed: it is kept, with its files, for ever"
        )
    session.delete(edition)
    session.flush()


def signed_snapshots(session: Session) -> set[str]:
    """The warehouse snapshots signed editions were made from (kept when snapshots are pruned).

    A database not yet upgraded to hold editions has none."""
    if not sa_inspect(session.connection()).has_table(ReportEdition.__tablename__):
        return set()
    query = select(ReportEdition.snapshot_id).where(
        ReportEdition.state == SIGNED, ReportEdition.snapshot_id.is_not(None)
    )
    return {s for s in session.scalars(query) if s}


def _refuse_changes_to_signed(
    session: Session, _context: UOWTransaction, _instances: object
) -> None:
    """A signed edition, its moves and its files are frozen: no change, no deletion."""
    for record in session.deleted:
        if isinstance(record, Contract) and _signed_of(session, record):
            raise SignedEditionIsFrozen(
                f"{record.name} has signed report editions: they are kept for ever, and so is "
                "the contract they belong to"
            )
        edition = _edition_of(record)
        if edition is not None and _was_signed(session, edition):
            raise SignedEditionIsFrozen("a signed edition and its files are kept for ever")
    for record in session.dirty:
        if isinstance(record, ReportEdition | EditionFile) and session.is_modified(record):
            edition = _edition_of(record)
            if edition is not None and _was_signed(session, edition):
                raise SignedEditionIsFrozen("a signed edition is frozen: it cannot be changed")


def _signed_of(session: Session, contract: Contract) -> bool:
    query = select(ReportEdition.id).where(
        ReportEdition.contract_id == contract.id, ReportEdition.state == SIGNED
    )
    with session.no_autoflush:
        return session.scalar(query.limit(1)) is not None


def _edition_of(record: object) -> ReportEdition | None:
    if isinstance(record, ReportEdition):
        return record
    if isinstance(record, EditionFile | EditionMove):
        return record.edition
    return None


def _was_signed(session: Session, edition: ReportEdition) -> bool:
    history = get_history(edition, "state")
    before = history.deleted[0] if history.deleted else edition.state
    return before == SIGNED and not sa_inspect(edition).pending


def install(session_class: type[Session] = Session) -> None:
    """Guard every session's flushes (idempotent)."""
    if not event.contains(session_class, "before_flush", _refuse_changes_to_signed):
        event.listen(session_class, "before_flush", _refuse_changes_to_signed)


install()
