"""Commentary from the records, by indicator, for the period a report covers."""

from __future__ import annotations

from collections.abc import Mapping

from cscmonitor.periods import Period
from cscmonitor.records.basket import comments
from cscmonitor.records.contracts import Contract
from cscmonitor.records.db import Session
from cscmonitor.reports.context.indicators import Note


def commentary(
    session: Session | None, contract: Contract | None, period: Period, *, within: bool
) -> Mapping[str, tuple[Note, ...]]:
    """Notes per indicator: those covering `period`'s end, or (`within`) written for periods
    inside it."""
    if session is None or contract is None:
        return {}
    held = (
        comments(session, contract, within=period)
        if within
        else comments(session, contract, on=period.end)
    )
    found: dict[str, list[Note]] = {}
    for note in held:
        found.setdefault(note.indicator, []).append(
            Note(note.period, note.role, note.author, note.text)
        )
    return {code: tuple(notes) for code, notes in found.items()}
