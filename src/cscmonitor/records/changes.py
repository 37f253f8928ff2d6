"""Change requests: notifiable changes and contract variations, and the workflow they move through.

The transition table below is the whole rule: which moves exist and which party may make each.
`move` is the only way a request changes state. A move that both parties must make ("both sign
off") happens when the second party makes it; the first is recorded as that party's sign-off.
Approval applies the change: a basket change makes the next basket version, a service transfer
changes the scope from its effective date, a contract variation changes its budget.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.orm import Session

from cscmonitor.periods import day
from cscmonitor.records import basket, contracts, finance, vocab
from cscmonitor.records.audit import Actor
from cscmonitor.records.errors import NotFound, RecordsError
from cscmonitor.records.models import ChangeMove, ChangeRequest, Contract, utcnow
from cscmonitor.records.money import format_pounds

DRAFT = "draft"
PROPOSED = "proposed"
AGREED_IN_PRINCIPLE = "agreed_in_principle"
DIRECTION_REQUESTED = "direction_requested"
DIRECTION_GRANTED = "direction_granted"
APPROVED = "approved"
REJECTED = "rejected"
IMPLEMENTED = "implemented"

STATES = (
    DRAFT,
    PROPOSED,
    AGREED_IN_PRINCIPLE,
    DIRECTION_REQUESTED,
    DIRECTION_GRANTED,
    APPROVED,
    REJECTED,
    IMPLEMENTED,
)
COUNCIL, TRUST = "council", "trust"


@dataclass(frozen=True)
class Transition:
    """A move from one state to another, and the parties who may make it.

    `together`: every listed party must make the move (sign-off); otherwise any one of them.
    `direction`: True only for requests that need a Statutory Direction, False only for those
    that do not, None for both.
    """

    from_state: str
    to_state: str
    parties: frozenset[str]
    together: bool = False
    direction: bool | None = None


BOTH = frozenset({COUNCIL, TRUST})
TRANSITIONS: tuple[Transition, ...] = (
    Transition(DRAFT, PROPOSED, frozenset({TRUST})),
    Transition(PROPOSED, AGREED_IN_PRINCIPLE, frozenset({COUNCIL})),
    Transition(PROPOSED, REJECTED, frozenset({COUNCIL})),
    # The council asks the Secretary of State for the Direction, and records its grant.
    Transition(AGREED_IN_PRINCIPLE, DIRECTION_REQUESTED, frozenset({COUNCIL}), direction=True),
    Transition(DIRECTION_REQUESTED, DIRECTION_GRANTED, frozenset({COUNCIL})),
    Transition(DIRECTION_REQUESTED, REJECTED, frozenset({COUNCIL})),
    Transition(AGREED_IN_PRINCIPLE, APPROVED, BOTH, together=True, direction=False),
    Transition(AGREED_IN_PRINCIPLE, REJECTED, BOTH),
    Transition(DIRECTION_GRANTED, APPROVED, BOTH, together=True),
    Transition(APPROVED, IMPLEMENTED, BOTH),
)


class _Proposal(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BasketProposal(_Proposal):
    """A revised basket, in force from a contract year."""

    from_year: int = Field(ge=1)
    basket: tuple[dict[str, Any], ...]


class ServiceProposal(_Proposal):
    """A service transferred into (or out of) the contract's scope on the effective date."""

    service: str = Field(min_length=1)
    direction: Literal["in", "out"] = "in"
    description: str | None = None


class VariationProposal(_Proposal):
    """Money added to (or, negative, taken from) a budget."""

    budget: str = Field(min_length=1)
    amount_pence: int
    reason: str = Field(min_length=1)


PROPOSALS: Mapping[str, type[_Proposal] | None] = {
    "basket_change": BasketProposal,
    "service_transfer": ServiceProposal,
    "contract_variation": VariationProposal,
    "other": None,
}


def _check_proposal(
    contract: Contract, kind: str, proposal: Mapping[str, Any] | None, effective: dt.date | None
) -> dict[str, Any] | None:
    model = PROPOSALS[vocab.check(kind, vocab.CHANGE_KINDS, "change kind")]
    if model is None:
        if proposal:
            raise RecordsError(f"a change of kind {kind!r} carries no proposal")
        return None
    if proposal is None:
        raise RecordsError(f"a {kind} needs a proposal saying what changes")
    try:
        checked = model.model_validate(dict(proposal))
    except ValidationError as exc:
        raise RecordsError("\n".join(basket.error_lines(exc, "proposal."))) from None
    if isinstance(checked, BasketProposal):
        entries = basket.check_entries(checked.basket)
        return {
            "from_year": checked.from_year,
            "basket": [basket.entry_data(e) for e in entries],
        }
    if effective is None:
        raise RecordsError(f"a {kind} needs the date it takes effect")
    if isinstance(checked, VariationProposal):
        finance.get_budget(contract, checked.budget)
        if checked.amount_pence == 0:
            raise RecordsError("a contract variation of £0 changes nothing")
    return checked.model_dump(mode="json", exclude_none=True)


def get_change(contract: Contract, reference: str) -> ChangeRequest:
    for request in contract.change_requests:
        if request.reference == reference:
            return request
    held = ", ".join(r.reference for r in contract.change_requests) or "none"
    raise NotFound(f"{contract.name} has no change request {reference!r}; held: {held}")


def create_change(
    session: Session,
    contract: Contract,
    reference: str,
    kind: str,
    title: str,
    *,
    description: str | None = None,
    needs_statutory_direction: bool = False,
    effective_date: dt.date | None = None,
    proposal: Mapping[str, Any] | None = None,
) -> ChangeRequest:
    """A draft change request; its proposal is checked now, so approval cannot fail on it later."""
    reference = vocab.check_text(reference, "change reference")
    if any(r.reference == reference for r in contract.change_requests):
        raise RecordsError(f"change request {reference} is already held")
    request = ChangeRequest(
        reference=reference,
        kind=kind,
        title=vocab.check_text(title, "change title"),
        description=description,
        state=DRAFT,
        needs_statutory_direction=needs_statutory_direction,
        effective_date=effective_date,
        proposal=_check_proposal(contract, kind, proposal, effective_date),
    )
    contract.change_requests.append(request)
    session.flush()
    return request


def allowed_moves(request: ChangeRequest) -> list[Transition]:
    """The moves the table allows from the request's state."""
    return [
        t
        for t in TRANSITIONS
        if t.from_state == request.state
        and (t.direction is None or t.direction == request.needs_statutory_direction)
    ]


def signed_off(request: ChangeRequest, to_state: str) -> set[str]:
    """The parties that have already made a together-move from the current state."""
    return {
        m.actor_role
        for m in request.moves
        if m.from_state == request.state and m.to_state == to_state
    }


def awaiting(request: ChangeRequest) -> dict[str, set[str]]:
    """For each sign-off under way: the parties still to sign."""
    pending = {}
    for t in allowed_moves(request):
        done = signed_off(request, t.to_state)
        if t.together and done:
            pending[t.to_state] = set(t.parties - done)
    return pending


def _refusal(request: ChangeRequest, to_state: str, actor: Actor) -> str | None:
    if to_state not in STATES:
        return f"{to_state!r} is not a change-request state; states: {', '.join(STATES)}"
    options = allowed_moves(request)
    found = next((t for t in options if t.to_state == to_state), None)
    if found is None:
        if (
            to_state == APPROVED
            and request.state == AGREED_IN_PRINCIPLE
            and request.needs_statutory_direction
        ):
            return (
                f"{request.reference} needs a Statutory Direction: the council must request "
                "it (direction_requested) and record its grant (direction_granted) before approval"
            )
        possible = ", ".join(t.to_state for t in options) or "none (it is final)"
        return (
            f"{request.reference} is {request.state}: it cannot move to {to_state} "
            f"(can: {possible})"
        )
    if actor.role not in found.parties:
        who = (
            " and ".join(sorted(found.parties))
            if found.together
            else " or ".join(sorted(found.parties))
        )
        return (
            f"the {actor.role or 'unnamed party'} may not move {request.reference} from "
            f"{request.state} to {to_state}: only the {who} may"
        )
    if found.together and actor.role in signed_off(request, to_state):
        return f"the {actor.role} has already signed off {request.reference} as {to_state}"
    return None


def move(
    session: Session,
    request: ChangeRequest,
    to_state: str,
    actor: Actor,
    reason: str,
    at: dt.datetime | None = None,
) -> ChangeRequest:
    """Move a request by the transition table, recording who, when and why; approval applies it."""
    if actor.role is None:
        raise RecordsError("a move is made for a party: say which (council or trust)")
    vocab.check(actor.role, vocab.ACTING_ROLES, "acting party")
    reason = vocab.check_text(reason, "reason for the move")
    refusal = _refusal(request, to_state, actor)
    if refusal:
        raise RecordsError(refusal)
    transition = next(t for t in allowed_moves(request) if t.to_state == to_state)
    request.moves.append(
        ChangeMove(
            from_state=request.state,
            to_state=to_state,
            actor_role=actor.role,
            actor_name=vocab.check_text(actor.name, "actor name"),
            reason=reason,
            at=at or utcnow(),
        )
    )
    session.flush()
    if transition.together and signed_off(request, to_state) != transition.parties:
        return request
    request.state = to_state
    session.flush()
    if to_state == APPROVED:
        _apply(session, request)
    return request


def _apply(session: Session, request: ChangeRequest) -> None:
    """Make the approved change."""
    contract = request.contract
    proposal = request.proposal or {}
    match request.kind:
        case "basket_change":
            entries = basket.check_entries(proposal["basket"])
            basket.new_version(session, contract, entries, proposal["from_year"], request)
        case "service_transfer":
            effective = _effective(request)
            if proposal["direction"] == "in":
                contracts.add_service(
                    session,
                    contract,
                    proposal["service"],
                    effective,
                    description=proposal.get("description"),
                    change_request=request,
                )
            else:
                last_day = effective - dt.timedelta(days=1)
                contracts.end_service(
                    session, contract, proposal["service"], last_day, change_request=request
                )
        case "contract_variation":
            budget = finance.get_budget(contract, proposal["budget"])
            finance.add_variation(
                session,
                budget,
                proposal["amount_pence"],
                proposal["reason"],
                _effective(request),
                request,
            )
        case _:
            return


def _effective(request: ChangeRequest) -> dt.date:
    if request.effective_date is None:
        raise RecordsError(f"{request.reference} has no effective date")
    return request.effective_date


def describe(request: ChangeRequest) -> str:
    """One line on what the request changes."""
    proposal = request.proposal or {}
    match request.kind:
        case "basket_change":
            codes = ", ".join(e["indicator"] for e in proposal.get("basket", []))
            return f"basket from contract year {proposal.get('from_year')}: {codes}"
        case "service_transfer":
            verb = "into" if proposal.get("direction") == "in" else "out of"
            return f"{proposal.get('service')} {verb} scope from {day(request.effective_date)}"
        case "contract_variation":
            amount = format_pounds(int(proposal.get("amount_pence", 0)))
            return f"{amount} to budget {proposal.get('budget')}: {proposal.get('reason')}"
        case _:
            return request.title
