"""The contract: parties, contract years, performance directions, milestones, services in scope."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from cscmonitor.records import basket, vocab
from cscmonitor.records.errors import NotFound, RecordsError
from cscmonitor.records.models import (
    ChangeRequest,
    Milestone,
    Party,
    Service,
    Signatory,
)

# A contract open in a session: the web and reports hold one only to hand it to the services.
from cscmonitor.records.models import Contract as Contract
from cscmonitor.terms import BasketEntry as TermsEntry
from cscmonitor.terms import ContractTerms, PartyRole
from cscmonitor.terms import Party as TermsParty
from cscmonitor.terms import Signatory as TermsSignatory


def create_contract(session: Session, terms: ContractTerms) -> Contract:
    """Hold a contract checked by the contract file's rules, with its basket as version 1."""
    if session.scalar(select(Contract.id).where(Contract.name == terms.name)) is not None:
        raise RecordsError(f"a contract named {terms.name!r} is already held")
    contract = Contract(
        name=terms.name,
        la_code=terms.la_code,
        start_date=terms.start_date,
        contract_year_start_month=terms.contract_year_start_month,
        parties=[
            Party(
                position=i,
                role=str(p.role),
                name=p.name,
                signatories=[
                    Signatory(position=j, name=s.name, title=s.title)
                    for j, s in enumerate(p.signatories)
                ],
            )
            for i, p in enumerate(terms.parties)
        ],
    )
    session.add(contract)
    entries = basket.check_entries(terms.basket)
    basket.first_version(session, contract, entries)
    return contract


def list_contracts(session: Session) -> list[Contract]:
    return list(session.scalars(select(Contract).order_by(Contract.name)))


def get_contract(session: Session, name: str | None = None) -> Contract:
    """The contract with this name; with no name, the only one held."""
    held = list_contracts(session)
    if name is None:
        if len(held) == 1:
            return held[0]
        if not held:
            raise RecordsError("no contract is held: import one with `cscmonitor records import`")
        names = ", ".join(repr(c.name) for c in held)
        raise RecordsError(f"{len(held)} contracts are held ({names}): name one with --contract")
    for contract in held:
        if contract.name == name:
            return contract
    raise NotFound(
        f"no contract named {name!r}; held: {', '.join(repr(c.name) for c in held) or 'none'}"
    )


def delete_contract(session: Session, contract: Contract) -> None:
    """Remove a contract and every record that belongs to it (each removal is audited)."""
    session.delete(contract)
    session.flush()


def terms(contract: Contract, year: int | None = None) -> ContractTerms:
    """The contract as `cscmonitor.terms.ContractTerms`, with the basket in force in `year`.

    With no year, the newest basket. This is what `assess` and the reports read.
    """
    version = (
        basket.current_version(contract)
        if year is None
        else basket.version_for_year(contract, year)
    )
    if version is None:
        raise RecordsError(f"{contract.name} has no basket")
    return ContractTerms(
        name=contract.name,
        la_code=contract.la_code,
        start_date=contract.start_date,
        contract_year_start_month=contract.contract_year_start_month,
        parties=tuple(
            TermsParty(
                role=PartyRole(p.role),
                name=p.name,
                signatories=tuple(
                    TermsSignatory(name=s.name, title=s.title) for s in p.signatories
                ),
            )
            for p in contract.parties
        ),
        # The contract file's own entries: the neighbours' figure is the records' addition.
        basket=tuple(
            TermsEntry.model_validate(e.model_dump(exclude={"statistical_neighbour"}))
            for e in basket.as_entries(version)
        ),
    )


def contract_year(contract: Contract, day: dt.date) -> int:
    """The number of the contract year containing `day`."""
    return terms(contract).contract_year_number(day)


def add_milestone(
    session: Session,
    contract: Contract,
    title: str,
    *,
    kind: str = "milestone",
    due_date: dt.date | None = None,
    status: str = "not_started",
    note: str | None = None,
) -> Milestone:
    """A performance direction or milestone, e.g. "Ofsted: Outstanding by October 2019"."""
    milestone = Milestone(
        position=len(contract.milestones),
        kind=vocab.check(kind, vocab.MILESTONE_KINDS, "milestone kind"),
        title=vocab.check_text(title, "milestone title"),
        due_date=due_date,
        status=vocab.check(status, vocab.MILESTONE_STATUSES, "milestone status"),
        note=note,
    )
    contract.milestones.append(milestone)
    session.flush()
    return milestone


def set_milestone_status(
    session: Session, milestone: Milestone, status: str, note: str | None = None
) -> Milestone:
    milestone.status = vocab.check(status, vocab.MILESTONE_STATUSES, "milestone status")
    if note is not None:
        milestone.note = note
    session.flush()
    return milestone


def add_service(
    session: Session,
    contract: Contract,
    name: str,
    in_scope_from: dt.date,
    *,
    description: str | None = None,
    change_request: ChangeRequest | None = None,
) -> Service:
    """A service in the contract's scope from a date."""
    name = vocab.check_text(name, "service name")
    if in_scope_from < contract.start_date:
        raise RecordsError(
            f"{name}: cannot come into scope ({in_scope_from}) before the contract started "
            f"({contract.start_date})"
        )
    if any(s.name == name for s in services_in_scope(contract, in_scope_from)):
        raise RecordsError(f"{name} is already in scope on {in_scope_from}")
    service = Service(
        name=name,
        description=description,
        in_scope_from=in_scope_from,
        in_scope_until=None,
        change_request_id=change_request.id if change_request else None,
    )
    contract.services.append(service)
    session.flush()
    return service


def end_service(
    session: Session,
    contract: Contract,
    name: str,
    last_day: dt.date,
    *,
    change_request: ChangeRequest | None = None,
) -> Service:
    """Take a service out of scope after `last_day`."""
    held = [s for s in services_in_scope(contract, last_day) if s.name == name]
    if not held:
        raise RecordsError(f"{name} is not in the scope of {contract.name} on {last_day}")
    held[0].in_scope_until = last_day
    held[0].ended_by_change_request_id = change_request.id if change_request else None
    session.flush()
    return held[0]


def services_in_scope(contract: Contract, on: dt.date) -> list[Service]:
    """The services the contract covers on a day."""
    return [
        s
        for s in contract.services
        if s.in_scope_from <= on and (s.in_scope_until is None or on <= s.in_scope_until)
    ]
