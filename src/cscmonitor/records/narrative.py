"""People's words in the reports: versions of each named section's text, who wrote them, when.

A section (`narrative_sections`) belongs to one report of one period: the annual review of a
contract year, or the quarterly pack of one quarter. Writing adds a version (never changes
one: the newest is the text); writing the same text again adds nothing. Only the party whose
section it is may write it. Every version is audited through the records' audit listener.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from cscmonitor.records import vocab
from cscmonitor.records.audit import Actor
from cscmonitor.records.errors import RecordsError
from cscmonitor.records.models import Contract, NarrativeText
from cscmonitor.records.narrative_sections import (
    ReportKind,
    Section,
    report_kind,
    section,
    sections,
)

# Longer than any section of the seed's review (its longest is under 3,000 characters).
MAX_TEXT = 20_000
# A section has its title: a Markdown heading inside its text would break the Markdown file.
_HEADING = re.compile(r"^ {0,3}#{1,6}(\s|$)", re.MULTILINE)
NOT_APPLICABLE = "Not applicable"


@dataclass(frozen=True)
class ReportPeriod:
    """Which report of which period the text is for: `quarter` is 0 for a whole year."""

    report: ReportKind
    contract_year: int
    quarter: int = 0

    @classmethod
    def of(
        cls, report: str | ReportKind, contract_year: int, quarter: int | None = None
    ) -> ReportPeriod:
        """Checked: a quarterly pack needs a quarter 1–4; an annual review takes none."""
        kind = report_kind(report)
        if contract_year < 1:
            raise RecordsError(f"contract years are numbered from 1, not {contract_year}")
        given = quarter or 0
        if kind.quarterly and given not in (1, 2, 3, 4):
            raise RecordsError(f"the {kind.label} needs a quarter, 1 to 4")
        if kind is ReportKind.ANNUAL and given:
            raise RecordsError("the annual review covers a whole contract year: no quarter")
        if given not in (0, 1, 2, 3, 4):
            raise RecordsError(f"a quarter is 1 to 4, not {given}")
        return cls(kind, contract_year, given)

    @property
    def label(self) -> str:
        quarter = f", quarter {self.quarter}" if self.quarter else ""
        return f"the {self.report.label} of contract year {self.contract_year}{quarter}"


@dataclass(frozen=True)
class Version:
    """One version of a section's text, as pages, files and reports read it."""

    section: str
    version: int
    text: str
    not_applicable: bool
    author: str
    role: str  # the party: council or trust
    at: dt.datetime

    @property
    def empty(self) -> bool:
        return not self.text and not self.not_applicable


def _version(row: NarrativeText) -> Version:
    return Version(
        row.section,
        row.version,
        row.text,
        row.not_applicable,
        row.author,
        row.author_role,
        row.at,
    )


def basket_indicators(contract: Contract) -> tuple[str, ...]:
    """Every indicator of any basket version: the quarterly pack's possible exceptions."""
    seen: dict[str, None] = {}
    for version in contract.basket_versions:
        for entry in version.entries:
            seen.setdefault(entry.indicator, None)
    return tuple(seen)


def section_of(contract: Contract, period: ReportPeriod, key: str) -> Section:
    """The section `key` of the period's report, for this contract's basket."""
    return section(period.report, key, basket_indicators(contract))


def clean_text(text: str) -> str:
    """The text as it is held: line ends as \\n, no trailing spaces, no blank lines around it.

    Held this way, a Markdown or YAML file gives back exactly what it was written from.
    """
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    cleaned = "\n".join(lines).strip("\n")
    if len(cleaned) > MAX_TEXT:
        raise RecordsError(f"a section's text is at most {MAX_TEXT:,} characters")
    heading = _HEADING.search(cleaned)
    if heading:
        line = cleaned[: heading.start()].count("\n") + 1
        raise RecordsError(
            f"line {line} of the text is a Markdown heading ('#'): a section's text has "
            "paragraphs, lists, emphasis and links; its heading is the section's title"
        )
    return cleaned


def _rows(session: Session, contract: Contract, period: ReportPeriod) -> list[NarrativeText]:
    query = select(NarrativeText).where(
        NarrativeText.contract_id == contract.id,
        NarrativeText.report == period.report.value,
        NarrativeText.contract_year == period.contract_year,
        NarrativeText.quarter == period.quarter,
    )
    return list(session.scalars(query.order_by(NarrativeText.section, NarrativeText.version)))


def latest(session: Session, contract: Contract, period: ReportPeriod) -> dict[str, Version]:
    """Each written section's newest version, by key (a section never written is absent)."""
    return {row.section: _version(row) for row in _rows(session, contract, period)}


def history(
    session: Session, contract: Contract, period: ReportPeriod, key: str
) -> tuple[Version, ...]:
    """Every version of one section, newest first."""
    section_of(contract, period, key)
    held = [row for row in _rows(session, contract, period) if row.section == key]
    return tuple(_version(row) for row in reversed(held))


def write(
    session: Session,
    contract: Contract,
    period: ReportPeriod,
    key: str,
    text: str,
    actor: Actor,
    *,
    not_applicable: bool = False,
) -> Version | None:
    """Add a version of the section's text as `actor` (who must act for the section's party);
    None, adding nothing, when it is what the section already says."""
    found = section_of(contract, period, key)
    cleaned = clean_text(text)
    held = [row for row in _rows(session, contract, period) if row.section == key]
    newest = held[-1] if held else None
    # What the section already says is no change, whoever sends it (a file holds every
    # section, the other party's too).
    if newest is not None and (newest.text, newest.not_applicable) == (cleaned, not_applicable):
        return None
    if newest is None and not cleaned and not not_applicable:
        return None  # nothing written, nothing to clear
    if actor.role != found.party:
        acting = f"the {actor.role}" if actor.role else "no party"
        raise RecordsError(f"{found.title} is for {found.writer} to write; you act for {acting}")
    if not_applicable and cleaned:
        raise RecordsError(
            f"{found.title}: a section marked not applicable has no text; remove the text "
            "or untick 'not applicable'"
        )
    row = NarrativeText(
        contract_id=contract.id,
        report=period.report.value,
        contract_year=period.contract_year,
        quarter=period.quarter,
        section=key,
        version=(newest.version if newest else 0) + 1,
        text=cleaned,
        not_applicable=not_applicable,
        author=vocab.check_text(actor.name, "author"),
        author_role=found.party,
    )
    session.add(row)
    session.flush()
    return _version(row)


def missing_sections(
    session: Session,
    contract: Contract,
    report: str | ReportKind,
    contract_year: int,
    quarter: int | None = None,
    *,
    exceptions: Sequence[str] = (),
) -> list[str]:
    """The titles of the report's sections that have no text and are not marked not
    applicable, in document order: what signing must refuse while any is listed.

    `report` is `annual`, `quarterly` or `corporate-parenting`; `quarter` (1–4) only for the
    quarterly pack, whose sections are the Trust's commentary and the Council's response on
    each of its `exceptions` (the indicator codes the pack shows as exceptions).
    """
    period = ReportPeriod.of(report, contract_year, quarter)
    held = latest(session, contract, period)
    return [
        s.title
        for s in sections(period.report, exceptions)
        if s.key not in held or held[s.key].empty
    ]


def _refuse_changed_versions(session: Session, _context: object, _instances: object) -> None:
    for row in (*session.dirty, *session.deleted):
        if not isinstance(row, NarrativeText):
            continue
        if row in session.deleted and row.contract not in session.deleted:
            raise RecordsError("a version of a section's text is kept: write a new one instead")
        if row in session.dirty and session.is_modified(row):
            raise RecordsError("a version of a section's text is kept: write a new one instead")


event.listen(Session, "before_flush", _refuse_changed_versions)
