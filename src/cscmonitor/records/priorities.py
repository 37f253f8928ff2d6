"""Strategic priorities, areas of joint focus and funded innovation projects, with progress."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.orm import Session

from cscmonitor.records import vocab
from cscmonitor.records.errors import RecordsError
from cscmonitor.records.models import Contract, Priority, PriorityMilestone, PriorityUpdate


def add_priority(
    session: Session,
    contract: Contract,
    kind: str,
    title: str,
    *,
    description: str | None = None,
    leads: Sequence[str] = (),
    funder: str | None = None,
    funding_pence: int | None = None,
    from_year: int | None = None,
    status: str = "active",
) -> Priority:
    """A strategic priority, an area of joint focus or an innovation project, with its leads."""
    vocab.check(kind, vocab.PRIORITY_KINDS, "priority kind")
    if funding_pence is not None and funding_pence < 0:
        raise RecordsError(f"{title}: funding cannot be negative")
    if (funder is not None or funding_pence is not None) and kind != "innovation":
        raise RecordsError(f"{title}: only innovation projects record a funder and funding")
    if from_year is not None and from_year < 1:
        raise RecordsError(f"contract years are numbered from 1, not {from_year}")
    priority = Priority(
        position=len(contract.priorities),
        kind=kind,
        title=vocab.check_text(title, "priority title"),
        description=description,
        leads=[vocab.check_text(lead, "lead") for lead in leads],
        funder=funder,
        funding_pence=funding_pence,
        from_year=from_year,
        status=vocab.check(status, vocab.PRIORITY_STATUSES, "priority status"),
    )
    contract.priorities.append(priority)
    session.flush()
    return priority


def add_milestone(
    session: Session,
    priority: Priority,
    title: str,
    due_date: dt.date | None = None,
    status: str = "not_started",
) -> PriorityMilestone:
    milestone = PriorityMilestone(
        position=len(priority.milestones),
        title=vocab.check_text(title, "milestone title"),
        due_date=due_date,
        status=vocab.check(status, vocab.MILESTONE_STATUSES, "milestone status"),
    )
    priority.milestones.append(milestone)
    session.flush()
    return milestone


def add_update(
    session: Session, priority: Priority, on: dt.date, author: str, note: str
) -> PriorityUpdate:
    """A note of progress."""
    update = PriorityUpdate(
        on=on,
        author=vocab.check_text(author, "progress author"),
        note=vocab.check_text(note, "progress note"),
    )
    priority.updates.append(update)
    session.flush()
    return update


def by_kind(contract: Contract, kind: str) -> list[Priority]:
    vocab.check(kind, vocab.PRIORITY_KINDS, "priority kind")
    return [p for p in contract.priorities if p.kind == kind]
