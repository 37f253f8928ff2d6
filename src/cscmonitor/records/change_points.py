"""Change points: the days from which an LA's service ran differently.

Control charts (cscmonitor.spc) start a new phase at each, with limits of its own. A contract's
start is a change point without being entered: `phase_starts` adds it from the contract held.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from cscmonitor.records import vocab
from cscmonitor.records.errors import RecordsError
from cscmonitor.records.inspections import check_la_code
from cscmonitor.records.models import ChangePoint, Contract


class PhaseStart(NamedTuple):
    """A change point as the control charts read it (`cscmonitor.spc.Dated`)."""

    la_code: str
    on: dt.date
    label: str


def add_change_point(session: Session, la_code: str, on: dt.date, label: str) -> ChangePoint:
    """Record that the LA's service ran differently from `on` (one change point a day)."""
    la_code = check_la_code(la_code)
    label = vocab.check_text(label, "change point label")
    held = session.scalar(
        select(ChangePoint).where(ChangePoint.la_code == la_code, ChangePoint.on == on)
    )
    if held is not None:
        raise RecordsError(f"LA {la_code} already has a change point on {on}: {held.label!r}")
    point = ChangePoint(la_code=la_code, on=on, label=label)
    session.add(point)
    session.flush()
    return point


def remove_change_point(session: Session, point_id: int) -> ChangePoint:
    """Remove a change point entered in error (the removal is audited)."""
    point = session.get(ChangePoint, point_id)
    if point is None:
        raise RecordsError(
            f"no change point {point_id}; see `cscmonitor records change-point list`"
        )
    session.delete(point)
    session.flush()
    return point


def change_points(session: Session, la_code: str | None = None) -> list[ChangePoint]:
    """The change points entered, oldest first; one LA's with `la_code`."""
    query = select(ChangePoint)
    if la_code is not None:
        query = query.where(ChangePoint.la_code == la_code)
    return list(session.scalars(query.order_by(ChangePoint.la_code, ChangePoint.on)))


def phase_starts(session: Session, la_code: str | None = None) -> list[PhaseStart]:
    """Where control charts rebase: every contract's start and every change point entered."""
    contracts = select(Contract).order_by(Contract.start_date)
    if la_code is not None:
        contracts = contracts.where(Contract.la_code == la_code)
    starts = [
        PhaseStart(c.la_code, c.start_date, "contract start") for c in session.scalars(contracts)
    ]
    entered = [PhaseStart(p.la_code, p.on, p.label) for p in change_points(session, la_code)]
    return sorted(starts + entered, key=lambda p: (p.la_code, p.on))
