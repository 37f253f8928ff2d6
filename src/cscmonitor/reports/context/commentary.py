"""Commentary from the records, by indicator, for the period a report covers."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from cscmonitor.periods import Period
from cscmonitor.records.basket import commentary_for
from cscmonitor.records.models import Contract
from cscmonitor.reports.context.indicators import Note


def commentary(
    session: Session | None, contract: Contract | None, period: Period, *, within: bool
) -> Mapping[str, tuple[Note, ...]]:
    """Notes per indicator: those covering `period`'s end, or (`within`) written for periods
    inside it."""
    if session is None or contract is None:
        return {}
    found: dict[str, list[Note]] = {}
    held = commentary_for(session, contract, on=None if within else period.end)
    for note in held:
        span = Period(note.period_start, note.period_end)
        if within and not (period.start <= span.start and span.end <= period.end):
            continue
        found.setdefault(note.indicator, []).append(
            Note(span, note.author_role, note.author, " ".join(note.text.split()))
        )
    return {code: tuple(notes) for code, notes in found.items()}
