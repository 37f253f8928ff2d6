"""People's words for a report: each named section's newest text, who wrote it and when."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from cscmonitor.records import narrative
from cscmonitor.records.narrative import ReportPeriod
from cscmonitor.records.narrative_sections import ReportKind, sections
from cscmonitor.reports.context.sources import Sources


@dataclass(frozen=True)
class Words:
    """One section as the report shows it: empty when nothing is written yet."""

    key: str
    title: str
    party: str  # council or trust
    text: str = ""
    not_applicable: bool = False
    author: str | None = None
    at: dt.datetime | None = None
    version: int = 0


@dataclass(frozen=True)
class Narrative:
    """The report's sections in document order; none when no records are held (then there
    is nowhere to write, and the report shows only what it computes)."""

    sections: tuple[Words, ...] = ()

    def get(self, key: str) -> Words | None:
        return next((w for w in self.sections if w.key == key), None)

    @property
    def missing(self) -> tuple[str, ...]:
        """Titles of the sections neither written nor marked not applicable."""
        return tuple(w.title for w in self.sections if not w.text and not w.not_applicable)


def narrative_for(
    sources: Sources,
    report: ReportKind,
    year: int,
    quarter: int | None = None,
    exceptions: Sequence[str] = (),
) -> Narrative:
    """The newest text of each of the report's sections (the quarterly pack's: for its
    `exceptions`), read from the records."""
    if sources.session is None or sources.records is None:
        return Narrative()
    period = ReportPeriod.of(report, year, quarter)
    held = narrative.latest(sources.session, sources.records, period)
    found = []
    for s in sections(report, exceptions):
        v = held.get(s.key)
        if v is None:
            found.append(Words(s.key, s.title, s.party))
        else:
            found.append(
                Words(s.key, s.title, s.party, v.text, v.not_applicable, v.author, v.at, v.version)
            )
    return Narrative(tuple(found))
