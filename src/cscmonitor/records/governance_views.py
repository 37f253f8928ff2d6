"""The governance pages' content, read from the records inside one transaction.

The web renders the pages after the transaction has closed, so everything they show is copied
here into plain, frozen values: nothing lazy-loads from a closed session.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from cscmonitor.periods import format_date
from cscmonitor.records import changes, finance, inspections, scales
from cscmonitor.records.basket import commentary_for
from cscmonitor.records.errors import NotFound, RecordsError
from cscmonitor.records.models import ActionItem, Budget, ChangeRequest, Contract, Inspection
from cscmonitor.records.money import format_pounds
from cscmonitor.records.riskshare import Position

STATE_LABELS = {
    changes.DRAFT: "Draft",
    changes.PROPOSED: "Proposed",
    changes.AGREED_IN_PRINCIPLE: "Agreed in principle",
    changes.DIRECTION_REQUESTED: "Statutory Direction requested",
    changes.DIRECTION_GRANTED: "Statutory Direction granted",
    changes.APPROVED: "Approved",
    changes.REJECTED: "Rejected",
    changes.IMPLEMENTED: "Implemented",
}
MOVE_LABELS = {
    changes.PROPOSED: "Propose",
    changes.AGREED_IN_PRINCIPLE: "Agree in principle",
    changes.DIRECTION_REQUESTED: "Request a Statutory Direction",
    changes.DIRECTION_GRANTED: "Record the Direction as granted",
    changes.APPROVED: "Approve",
    changes.REJECTED: "Reject",
    changes.IMPLEMENTED: "Record as implemented",
}


def label(code: str) -> str:
    return code.replace("_", " ").capitalize()


def when(day: dt.date | None) -> str:
    return "" if day is None else format_date(day)


@dataclass(frozen=True)
class ContractSummary:
    name: str
    la_code: str
    start: str
    parties: tuple[tuple[str, str], ...]


def contract_summary(contract: Contract) -> ContractSummary:
    return ContractSummary(
        contract.name,
        contract.la_code,
        when(contract.start_date),
        tuple((p.role.capitalize(), p.name) for p in contract.parties),
    )


@dataclass(frozen=True)
class ActionView:
    id: int
    recommendation: int | None
    action: str
    owner: str
    due: str
    status: str
    status_code: str
    completed: str
    overdue: bool
    updates: tuple[tuple[str, str, str, str, str], ...]  # date, by, note, evidence, status


@dataclass(frozen=True)
class InspectionView:
    id: int
    inspectorate: str
    framework: str
    kind: str
    setting: str
    start: str
    published: str
    overall: str
    judgements: tuple[tuple[str, str], ...]
    recommendations: tuple[tuple[int, str], ...]
    actions: tuple[ActionView, ...]
    overdue: int


def _action(item: ActionItem, today: dt.date) -> ActionView:
    return ActionView(
        id=item.id,
        recommendation=item.recommendation_number,
        action=item.action,
        owner=item.owner,
        due=when(item.due_date),
        status=label(item.status),
        status_code=item.status,
        completed=when(item.completed_date),
        overdue=inspections.is_overdue(item, today),
        updates=tuple(
            (when(u.on), u.author, u.note, u.evidence or "", label(u.status) if u.status else "")
            for u in item.updates
        ),
    )


def _without_overall(inspection: Inspection) -> str:
    """Why an inspection has no overall judgement, when its framework had stopped giving one."""
    try:
        why = scales.framework(inspection.framework).without_overall(inspection.start_date)
    except RecordsError:  # a framework code no longer on the list
        return ""
    return why[:1].upper() + why[1:] if why else ""


def _inspection(inspection: Inspection, today: dt.date, *, detail: bool) -> InspectionView:
    actions = tuple(_action(a, today) for a in inspection.actions) if detail else ()
    return InspectionView(
        id=inspection.id,
        inspectorate=inspection.inspectorate.upper().replace("_", " "),
        framework=inspection.framework,
        kind=inspection.inspection_type or "",
        setting=inspection.setting,
        start=when(inspection.start_date),
        published=when(inspection.published_date),
        overall=inspection.overall or _without_overall(inspection),
        judgements=tuple((label(j.area), j.judgement) for j in inspection.judgements),
        recommendations=tuple((r.number, r.text) for r in inspection.recommendations)
        if detail
        else (),
        actions=actions,
        overdue=sum(1 for a in inspection.actions if inspections.is_overdue(a, today)),
    )


@dataclass(frozen=True)
class InspectionsPage:
    own: tuple[InspectionView, ...]
    published: tuple[InspectionView, ...]
    overdue: tuple[tuple[int, str, str, str], ...]  # inspection id, action, owner, due


def inspections_page(session: Session, contract: Contract, today: dt.date) -> InspectionsPage:
    own = inspections.find_inspections(session, contract=contract)
    outcomes = [
        i
        for i in inspections.find_inspections(session, la_code=contract.la_code)
        if i.contract_id is None
    ]
    late = inspections.overdue_actions(session, today, contract)
    return InspectionsPage(
        own=tuple(_inspection(i, today, detail=False) for i in own),
        published=tuple(_inspection(i, today, detail=False) for i in reversed(outcomes)),
        overdue=tuple((a.inspection_id, a.action, a.owner, when(a.due_date)) for a in late),
    )


def inspection(
    session: Session, contract: Contract, inspection_id: int, today: dt.date
) -> InspectionView:
    held = inspections.find_inspections(session, contract=contract)
    found = next((i for i in held if i.id == inspection_id), None)
    if found is None:
        raise NotFound(f"{contract.name} has no inspection {inspection_id}")
    return _inspection(found, today, detail=True)


def action_item(session: Session, contract: Contract, action_id: int) -> ActionItem:
    found = next((a for a in inspections.actions(session, contract) if a.id == action_id), None)
    if found is None:
        raise NotFound(f"{contract.name} has no action {action_id}")
    return found


@dataclass(frozen=True)
class PositionView:
    label: str
    spend: str
    variance: str
    before: str
    council: str
    trust: str
    after: str


def _position(name: str, position: Position) -> PositionView:
    variance = position.variance_pence
    kind = "overspend" if variance > 0 else "underspend" if variance < 0 else "on budget"

    def money(pence: int) -> str:
        return format_pounds(pence)

    def side(pence: int) -> str:
        return f"{money(abs(pence))} {'surplus' if pence > 0 else 'deficit' if pence < 0 else ''}"

    return PositionView(
        label=name,
        spend=money(position.spend_pence),
        variance=f"{money(abs(variance))} {kind}",
        before=side(position.trust_before_pence).strip(),
        council=money(position.council_pence),
        trust=money(position.trust_pence),
        after=side(position.trust_after_pence).strip(),
    )


@dataclass(frozen=True)
class BudgetView:
    label: str
    period: str
    status: str
    original: str
    current: str
    lines: tuple[tuple[str, str], ...]
    adjustments: tuple[tuple[str, str, str], ...]
    variations: tuple[tuple[str, str, str], ...]
    positions: tuple[PositionView, ...]
    quarters_free: tuple[int, ...]
    has_outturn: bool


def _budget(contract: Contract, budget: Budget) -> BudgetView:
    positions = []
    for forecast in budget.forecasts:
        try:
            positions.append(
                _position(
                    f"Quarter {forecast.quarter} forecast ({when(forecast.as_at)})",
                    finance.forecast_position(contract, budget, forecast.quarter),
                )
            )
        except RecordsError:
            continue  # no risk-share rule in force: the table shows the rest
    if budget.outturn is not None:
        with contextlib.suppress(RecordsError):  # no risk-share rule in force
            positions.append(_position("Outturn", finance.outturn_position(contract, budget)))
    return BudgetView(
        label=budget.label,
        period=f"{when(budget.period_start)} to {when(budget.period_end)}",
        status=label(budget.status),
        original=format_pounds(finance.original_pence(budget)),
        current=format_pounds(finance.current_pence(budget)),
        lines=tuple((x.service_area, format_pounds(x.amount_pence)) for x in budget.lines),
        adjustments=tuple(
            (label(a.kind), format_pounds(a.amount_pence), a.note or "") for a in budget.adjustments
        ),
        variations=tuple(
            (when(v.effective_date), format_pounds(v.amount_pence), v.reason)
            for v in budget.variations
        ),
        positions=tuple(positions),
        quarters_free=tuple(
            q for q in (1, 2, 3, 4) if all(f.quarter != q for f in budget.forecasts)
        ),
        has_outturn=budget.outturn is not None,
    )


@dataclass(frozen=True)
class RuleView:
    name: str
    effective: str
    bands: tuple[tuple[str, str, str, str], ...]  # direction, up to, council, trust
    caps: tuple[str, ...]


def _rules(contract: Contract) -> tuple[RuleView, ...]:
    views = []
    for rule in contract.risk_share_rules:
        bands = []
        for b in sorted(rule.bands, key=lambda b: (b.direction, b.position)):
            council = b.council_share_bp / 100
            bands.append(
                (
                    b.direction.capitalize(),
                    "the rest"
                    if b.up_to_pence is None
                    else f"up to {format_pounds(b.up_to_pence)}",
                    f"{council:g}%",
                    f"{100 - council:g}%",
                )
            )
        caps = []
        if rule.trust_overspend_cap_pence is not None:
            caps.append(f"The Trust bears at most {format_pounds(rule.trust_overspend_cap_pence)}")
        if rule.trust_underspend_cap_pence is not None:
            caps.append(f"The Trust keeps at most {format_pounds(rule.trust_underspend_cap_pence)}")
        views.append(RuleView(rule.name, when(rule.effective_from), tuple(bands), tuple(caps)))
    return tuple(views)


@dataclass(frozen=True)
class FinancePage:
    budgets: tuple[BudgetView, ...]
    rules: tuple[RuleView, ...]


def finance_page(contract: Contract) -> FinancePage:
    return FinancePage(
        budgets=tuple(_budget(contract, b) for b in reversed(contract.budgets)),
        rules=_rules(contract),
    )


@dataclass(frozen=True)
class MoveOption:
    to_state: str
    label: str
    together: bool
    waiting_for: str  # for a sign-off already made by the other party


@dataclass(frozen=True)
class ChangeView:
    reference: str
    kind: str
    title: str
    description: str
    state: str
    state_code: str
    summary: str
    needs_direction: bool
    effective: str
    moves: tuple[tuple[str, str, str, str, str], ...]  # when, who, party, from → to, reason
    options: tuple[MoveOption, ...]
    awaiting: tuple[str, ...]


def change_view(request: ChangeRequest, party: str | None) -> ChangeView:
    """A request with the moves the user's party may make now (none without a party)."""
    options = []
    for t in changes.allowed_moves(request):
        if party is None or party not in t.parties:
            continue
        done = changes.signed_off(request, t.to_state)
        if t.together and party in done:
            continue
        others = sorted(t.parties - done - {party}) if t.together else []
        options.append(
            MoveOption(
                t.to_state,
                MOVE_LABELS.get(t.to_state, label(t.to_state)),
                t.together,
                " and ".join(others),
            )
        )
    awaiting = tuple(
        f"{STATE_LABELS.get(state, state)}: waiting for the {' and '.join(sorted(parties))}"
        for state, parties in changes.awaiting(request).items()
    )
    return ChangeView(
        reference=request.reference,
        kind=label(request.kind),
        title=request.title,
        description=request.description or "",
        state=STATE_LABELS.get(request.state, request.state),
        state_code=request.state,
        summary=changes.describe(request),
        needs_direction=request.needs_statutory_direction,
        effective=when(request.effective_date),
        moves=tuple(
            (
                f"{m.at:%d %b %Y %H:%M}",
                m.actor_name,
                m.actor_role.capitalize(),
                f"{STATE_LABELS.get(m.from_state, m.from_state)} → "
                f"{STATE_LABELS.get(m.to_state, m.to_state)}",
                m.reason,
            )
            for m in request.moves
        ),
        options=tuple(options),
        awaiting=awaiting,
    )


def change_list(contract: Contract, party: str | None) -> tuple[ChangeView, ...]:
    return tuple(change_view(r, party) for r in contract.change_requests)


@dataclass(frozen=True)
class CommentView:
    period: str
    role: str
    author: str
    text: str


def commentary(session: Session, contract: Contract, code: str) -> tuple[CommentView, ...]:
    """Every comment on the indicator, newest period first: the commentary's history."""
    notes = commentary_for(session, contract, code)
    return tuple(
        CommentView(
            f"{when(n.period_start)} to {when(n.period_end)}",
            n.author_role.capitalize(),
            n.author,
            n.text,
        )
        for n in sorted(notes, key=lambda n: (n.period_start, n.id), reverse=True)
    )


def budget_labels(contract: Contract) -> tuple[str, ...]:
    return tuple(b.label for b in contract.budgets)
