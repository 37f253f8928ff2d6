"""Inspections, action plans, milestones, priorities and change requests, as reports show them.

Everything is read "as at" a date, so a report on a past quarter says what was known then:
an action counts as complete only if it was completed by that date, and a change request shows
only the moves made by then.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from cscmonitor.periods import Period, day
from cscmonitor.records import changes, scales
from cscmonitor.records.errors import RecordsError
from cscmonitor.records.models import ActionItem, ChangeRequest, Contract, Inspection, Priority
from cscmonitor.records.vocab import words


@dataclass(frozen=True)
class InspectionLine:
    inspectorate: str
    framework: str
    kind: str
    setting: str
    start: dt.date
    end: dt.date | None
    overall_name: str | None  # what the headline judgement is called
    overall: str | None
    judgements: tuple[tuple[str, str], ...]  # the report's wording of the area, judgement
    recommendations: tuple[tuple[int, str], ...]

    @property
    def dates(self) -> str:
        return day(self.start) if self.end is None else f"{day(self.start)} to {day(self.end)}"


def _spaced(text: str) -> str:
    """Text from a YAML block on one line."""
    return " ".join(text.split())


def _inspection(item: Inspection) -> InspectionLine:
    try:
        frame: scales.Framework | None = scales.framework(item.framework)
    except RecordsError:  # a framework code no longer on the list still shows, by its code
        frame = None
    started = item.start_date
    return InspectionLine(
        inspectorate=scales.INSPECTORATES.get(item.inspectorate, item.inspectorate),
        framework=frame.name_on(item.start_date) if frame else item.framework,
        kind=item.inspection_type or (frame.name_on(item.start_date) if frame else item.framework),
        setting=" ".join(item.setting.split()),
        start=item.start_date,
        end=item.end_date,
        # None when the framework gave no headline judgement to an inspection of that date.
        overall_name=frame.overall if frame and frame.gives_overall(started) else None,
        overall=item.overall,
        judgements=tuple(
            ((frame and frame.area_wording(j.area, started)) or words(j.area), j.judgement)
            for j in item.judgements
        ),
        recommendations=tuple((r.number, " ".join(r.text.split())) for r in item.recommendations),
    )


def inspections_in(contract: Contract, period: Period) -> tuple[InspectionLine, ...]:
    """The contract's inspections that started within `period`, in date order."""
    held = [i for i in contract.inspections if period.start <= i.start_date <= period.end]
    return tuple(_inspection(i) for i in sorted(held, key=lambda i: (i.start_date, i.id)))


@dataclass(frozen=True)
class ActionLine:
    inspection: str
    recommendation: int | None
    action: str
    owner: str
    due: dt.date
    status: str  # as at the report's date
    completed: dt.date | None
    overdue: bool
    days_overdue: int
    latest_note: str | None


def status_on(item: ActionItem, on: dt.date) -> str:
    """The action's status on a day, from its completion date and dated progress notes."""
    done = item.completed_date
    if item.status == "complete" and done is not None and done <= on:
        return "complete"
    moved = [u.status for u in item.updates if u.on <= on and u.status and u.status != "complete"]
    if moved:
        return moved[-1]
    return item.status if item.status != "complete" else "in_progress"


def action_plan(contract: Contract, as_at: dt.date) -> tuple[ActionLine, ...]:
    """Every action of the contract's inspections held by `as_at`: overdue first, by due date."""
    lines = []
    for inspection in contract.inspections:  # the contract's own inspections
        if inspection.start_date > as_at:
            continue
        for item in inspection.actions:
            status = status_on(item, as_at)
            overdue = status != "complete" and item.due_date < as_at
            notes = [u for u in item.updates if u.on <= as_at]
            lines.append(
                ActionLine(
                    inspection=f"{_spaced(inspection.setting)} ({inspection.framework})",
                    recommendation=item.recommendation_number,
                    action=" ".join(item.action.split()),
                    owner=item.owner,
                    due=item.due_date,
                    status=words(status),
                    completed=item.completed_date if status == "complete" else None,
                    overdue=overdue,
                    days_overdue=(as_at - item.due_date).days if overdue else 0,
                    latest_note=f"{day(notes[-1].on)}: {notes[-1].note}" if notes else None,
                )
            )
    return tuple(sorted(lines, key=lambda a: (not a.overdue, a.due, a.action)))


@dataclass(frozen=True)
class MilestoneLine:
    title: str
    kind: str
    due: dt.date | None
    status: str
    note: str | None


def milestones(contract: Contract) -> tuple[MilestoneLine, ...]:
    return tuple(
        MilestoneLine(m.title, words(m.kind), m.due_date, words(m.status), m.note)
        for m in contract.milestones
    )


@dataclass(frozen=True)
class PriorityLine:
    kind: str
    title: str
    description: str | None
    leads: tuple[str, ...]
    from_year: int | None
    status: str
    funder: str | None
    funding_pence: int | None
    milestones: tuple[tuple[str, str, str], ...]  # title, due, status
    progress: tuple[str, ...]


def _priority(p: Priority, as_at: dt.date) -> PriorityLine:
    return PriorityLine(
        kind=p.kind,
        title=" ".join(p.title.split()),
        description=" ".join(p.description.split()) if p.description else None,
        leads=tuple(p.leads),
        from_year=p.from_year,
        status=words(p.status),
        funder=p.funder,
        funding_pence=p.funding_pence,
        milestones=tuple((m.title, day(m.due_date), words(m.status)) for m in p.milestones),
        progress=tuple(f"{day(u.on)}, {u.author}: {u.note}" for u in p.updates if u.on <= as_at),
    )


def priorities(
    contract: Contract, kind: str, as_at: dt.date, year: int | None = None
) -> tuple[PriorityLine, ...]:
    """Priorities of a kind in force in contract `year` (any year when None), still open."""
    return tuple(
        _priority(p, as_at)
        for p in contract.priorities
        if p.kind == kind
        and p.status not in ("complete", "stopped")
        and (year is None or p.from_year is None or p.from_year <= year)
    )


@dataclass(frozen=True)
class ChangeLine:
    reference: str
    kind: str
    title: str
    description: str | None
    state: str
    needs_direction: bool
    effective: dt.date | None
    summary: str
    moves: tuple[tuple[str, str, str, str, str], ...]  # date, party, who, to, why
    basket: tuple[dict[str, Any], ...]


def _state_on(request: ChangeRequest, as_at: dt.date) -> str:
    made = [m for m in request.moves if m.at.date() <= as_at]
    if len(made) == len(request.moves):
        return request.state
    return made[-1].to_state if made else changes.DRAFT


def change_requests(contract: Contract, as_at: dt.date) -> tuple[ChangeLine, ...]:
    """Change requests with the moves made by `as_at`; drafts are included, saying so."""
    found = []
    for request in contract.change_requests:
        proposal = request.proposal or {}
        found.append(
            ChangeLine(
                reference=request.reference,
                kind=words(request.kind),
                title=request.title,
                description=" ".join(request.description.split()) if request.description else None,
                state=_state_on(request, as_at),
                needs_direction=request.needs_statutory_direction,
                effective=request.effective_date,
                summary=changes.describe(request),
                moves=tuple(
                    (day(m.at.date()), m.actor_role, m.actor_name, words(m.to_state), m.reason)
                    for m in request.moves
                    if m.at.date() <= as_at
                ),
                basket=tuple(proposal.get("basket", ())) if request.kind == "basket_change" else (),
            )
        )
    return tuple(found)
