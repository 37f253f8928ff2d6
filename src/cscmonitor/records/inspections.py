"""Inspections with their judgements on each framework's scale, recommendations and action plans."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from cscmonitor.records import scales, vocab
from cscmonitor.records.errors import RecordsError
from cscmonitor.records.models import (
    ActionItem,
    ActionUpdate,
    Contract,
    Inspection,
    Judgement,
    Recommendation,
)

MANUAL = "manual"
# Ofsted's unique reference numbers: digits, with "SC" for social care settings.
URN = re.compile(r"(SC)?\d{6,7}")
LA_CODE = re.compile(r"\d{3}")


def check_la_code(la_code: str) -> str:
    if not LA_CODE.fullmatch(la_code):
        raise RecordsError(
            f"LA code must be the DfE code, three digits (e.g. 371), not {la_code!r}"
        )
    return la_code


def checked_judgements(
    frame: scales.Framework,
    overall: str | None,
    judgements: Mapping[str, str],
    *,
    on: dt.date,
) -> tuple[str | None, dict[str, str]]:
    """The overall and area judgements spelt as the framework's scale spells them, each one
    the framework gave to an inspection starting on `on`."""
    checked_overall = None if overall is None else scales.judgement(frame, None, overall, on=on)
    return checked_overall, {
        area: scales.judgement(frame, area, value, on=on) for area, value in judgements.items()
    }


def add_inspection(
    session: Session,
    *,
    contract: Contract | None,
    inspectorate: str,
    framework: str,
    setting: str,
    start_date: dt.date,
    la_code: str | None = None,
    end_date: dt.date | None = None,
    published_date: dt.date | None = None,
    inspection_type: str | None = None,
    urn: str | None = None,
    overall: str | None = None,
    judgements: Mapping[str, str] | None = None,
    theme: str | None = None,
    recommendations: Sequence[tuple[int, str]] = (),
    source: str = MANUAL,
) -> Inspection:
    """An inspection, with every judgement checked against its framework's scale."""
    inspectorate = scales.inspectorate(inspectorate)
    frame = scales.framework(framework, inspectorate)
    checked_overall, checked_areas = checked_judgements(
        frame, overall, judgements or {}, on=start_date
    )
    if contract is not None:
        if la_code is not None and la_code != contract.la_code:
            raise RecordsError(f"{contract.name} is LA {contract.la_code}, not {la_code}")
        la_code = contract.la_code
    if la_code is None:
        raise RecordsError("an inspection needs an LA code or a contract")
    check_la_code(la_code)
    if end_date is not None and end_date < start_date:
        raise RecordsError(f"inspection ends ({end_date}) before it starts ({start_date})")
    if published_date is not None and published_date < start_date:
        raise RecordsError(f"report published ({published_date}) before the inspection started")
    if urn is not None and not URN.fullmatch(urn):
        raise RecordsError(f"URN {urn!r} is not an Ofsted URN (six or seven digits, or SC + six)")
    numbers = [n for n, _ in recommendations]
    if len(set(numbers)) != len(numbers):
        raise RecordsError("recommendations are numbered twice")
    inspection = Inspection(
        la_code=la_code,
        inspectorate=inspectorate,
        framework=frame.code,
        inspection_type=inspection_type,
        setting=vocab.check_text(setting, "inspection setting"),
        urn=urn,
        start_date=start_date,
        end_date=end_date,
        published_date=published_date,
        overall=checked_overall,
        theme=theme,
        source=source,
        judgements=[Judgement(area=a, judgement=j) for a, j in checked_areas.items()],
        recommendations=[
            Recommendation(number=n, text=vocab.check_text(t, f"recommendation {n}"))
            for n, t in recommendations
        ],
    )
    if contract is None:
        session.add(inspection)
    else:
        # Through the collection only: setting contract_id too would let the collection's
        # first load autoflush the new row into it, and the append would add it twice.
        contract.inspections.append(inspection)
    session.flush()
    return inspection


def set_judgement(session: Session, inspection: Inspection, area: str | None, value: str) -> None:
    """Record or correct one judgement (`area` None: the overall one)."""
    frame = scales.framework(inspection.framework)
    grade = scales.judgement(frame, area, value, on=inspection.start_date)
    if area is None:
        inspection.overall = grade
    else:
        held = next((j for j in inspection.judgements if j.area == area), None)
        if held is None:
            inspection.judgements.append(Judgement(area=area, judgement=grade))
        else:
            held.judgement = grade
    session.flush()


def add_action(
    session: Session,
    inspection: Inspection,
    action: str,
    owner: str,
    due_date: dt.date,
    *,
    recommendation_number: int | None = None,
    status: str = "not_started",
    completed_date: dt.date | None = None,
) -> ActionItem:
    """An action-plan item, against one of the inspection's recommendations when given."""
    vocab.check(status, vocab.ACTION_STATUSES, "action status")
    if recommendation_number is not None and not any(
        r.number == recommendation_number for r in inspection.recommendations
    ):
        held = ", ".join(str(r.number) for r in inspection.recommendations) or "none"
        raise RecordsError(
            f"the inspection has no recommendation {recommendation_number} (held: {held})"
        )
    if (status == "complete") != (completed_date is not None):
        raise RecordsError("a complete action needs its completion date, and only a complete one")
    item = ActionItem(
        recommendation_number=recommendation_number,
        action=vocab.check_text(action, "action"),
        owner=vocab.check_text(owner, "action owner"),
        due_date=due_date,
        status=status,
        completed_date=completed_date,
    )
    inspection.actions.append(item)
    session.flush()
    return item


def update_action(
    session: Session,
    item: ActionItem,
    on: dt.date,
    author: str,
    note: str,
    *,
    evidence: str | None = None,
    status: str | None = None,
    apply_status: bool = True,
) -> ActionUpdate:
    """A progress note on an action, optionally moving its status (complete as of `on`).

    `apply_status=False` records the note's status as history only: an import uses it, since
    the file gives the action's current status itself.
    """
    if status is not None:
        vocab.check(status, vocab.ACTION_STATUSES, "action status")
    update = ActionUpdate(
        on=on,
        author=vocab.check_text(author, "progress author"),
        note=vocab.check_text(note, "progress note"),
        evidence=evidence,
        status=status,
    )
    item.updates.append(update)
    if apply_status and status is not None and status != item.status:
        item.status = status
        item.completed_date = on if status == "complete" else None
    session.flush()
    return update


def is_overdue(item: ActionItem, on: dt.date) -> bool:
    """Past its due date and not complete."""
    return item.status != "complete" and item.due_date < on


def overdue_actions(
    session: Session, on: dt.date, contract: Contract | None = None
) -> list[ActionItem]:
    """Every action past its due date and not complete on `on`, oldest due first."""
    query = (
        select(ActionItem)
        .join(Inspection)
        .where(ActionItem.status != "complete", ActionItem.due_date < on)
        .order_by(ActionItem.due_date, ActionItem.id)
    )
    if contract is not None:
        query = query.where(Inspection.contract_id == contract.id)
    return list(session.scalars(query))


def actions(session: Session, contract: Contract | None = None) -> list[ActionItem]:
    query = select(ActionItem).join(Inspection).order_by(ActionItem.due_date, ActionItem.id)
    if contract is not None:
        query = query.where(Inspection.contract_id == contract.id)
    return list(session.scalars(query))


def find_inspections(
    session: Session,
    *,
    la_code: str | None = None,
    contract: Contract | None = None,
    framework: str | None = None,
) -> list[Inspection]:
    """Inspections by LA (published outcomes and the contract's own), contract or framework."""
    query = select(Inspection).options(selectinload(Inspection.judgements))
    if la_code is not None:
        query = query.where(Inspection.la_code == la_code)
    if contract is not None:
        query = query.where(Inspection.contract_id == contract.id)
    if framework is not None:
        query = query.where(Inspection.framework == framework)
    return list(session.scalars(query.order_by(Inspection.start_date, Inspection.id)))


def judgement_of(inspection: Inspection, area: str) -> str | None:
    return next((j.judgement for j in inspection.judgements if j.area == area), None)
