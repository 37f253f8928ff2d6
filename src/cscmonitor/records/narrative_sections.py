"""The named text sections of each report: what people write in their own words.

The annual review follows the seed's letter (the Council's judgement, what external reviews
found, the year's priority, joint working, youth justice); the quarterly pack has, for each
exception, the Trust's commentary and the Council's response; the corporate parenting pack a
foreword and conclusions. Each section says who writes it (the Trust or the Council) and where
it sits in the document; the report layouts place it there, and signing refuses a report whose
sections are neither written nor marked not applicable (`narrative.missing_sections`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from cscmonitor.records.errors import RecordsError

COUNCIL, TRUST = "council", "trust"
# A quarterly section's key: `exception.<indicator code>.<party>`.
EXCEPTION = "exception"


class FileFormat(StrEnum):
    """A narrative file's format (`narrative_file`), here so `--help` can name it cheaply."""

    MARKDOWN = "md"
    YAML = "yaml"

    @classmethod
    def of(cls, name: str) -> FileFormat:
        suffix = Path(name).suffix.lower()
        if suffix in (".md", ".markdown", ".txt"):
            return cls.MARKDOWN
        if suffix in (".yaml", ".yml"):
            return cls.YAML
        raise RecordsError(f"{name}: a narrative file is Markdown (.md) or YAML (.yaml)")


class ReportKind(StrEnum):
    """The reports cscmonitor makes (`reports.publish.Report`), each carrying people's words."""

    ANNUAL = "annual"
    QUARTERLY = "quarterly"
    CORPORATE_PARENTING = "corporate-parenting"
    FRAMEWORK = "framework"  # the National Framework pack: every measure, by outcome and enabler

    @property
    def label(self) -> str:
        return LABELS[self]

    @property
    def heading(self) -> str:
        """The label as a heading: `Quarterly performance report`."""
        return self.label[:1].upper() + self.label[1:]

    @property
    def quarterly(self) -> bool:
        """Whether it is made for a quarter (1 to 4) of a contract year."""
        return self in (ReportKind.QUARTERLY, ReportKind.FRAMEWORK)

    @property
    def written(self) -> bool:
        """Whether people write sections of it (the National Framework pack is figures only)."""
        return self is not ReportKind.FRAMEWORK


LABELS = {
    ReportKind.ANNUAL: "annual review",
    ReportKind.QUARTERLY: "quarterly performance report",
    ReportKind.CORPORATE_PARENTING: "corporate parenting report",
    ReportKind.FRAMEWORK: "National Framework pack",
}


@dataclass(frozen=True)
class Section:
    """One named section: its key (stable, in files and the records), title, writer, place."""

    key: str
    title: str
    party: str  # council or trust: the party whose people write it
    sits: str  # where the document places it, in words (the layout places it there)

    @property
    def writer(self) -> str:
        return "the Council" if self.party == COUNCIL else "the Trust"


ANNUAL: tuple[Section, ...] = (
    Section("letter", "Covering letter", COUNCIL, "in the covering letter, before the sign-off"),
    Section(
        "judgement",
        "Overall judgement",
        COUNCIL,
        "at the head of the abridged report, before the performance summary",
    ),
    Section(
        "performance",
        "Performance against the indicators",
        TRUST,
        "after the summary of performance against the indicators",
    ),
    Section("benchmarks", "Benchmarks", TRUST, "after the trajectories to the basket's targets"),
    Section(
        "inspections",
        "Inspections and the improvement plan",
        TRUST,
        "after the inspections in the year and the action plans",
    ),
    Section(
        "finance",
        "Finance and the risk share",
        COUNCIL,
        "after the summary of performance against budget",
    ),
    Section(
        "changes",
        "Notifiable changes and directions",
        COUNCIL,
        "after the proposed changes to the agreement",
    ),
    Section("priorities", "Strategic priorities", TRUST, "after the agreed strategic priorities"),
    Section("joint_working", "Joint working", COUNCIL, "after the areas of joint focus"),
    Section("youth_justice", "Youth justice", TRUST, "after joint working"),
    Section("conclusions", "Conclusions", COUNCIL, "at the end of the abridged report"),
)

CORPORATE_PARENTING: tuple[Section, ...] = (
    Section("foreword", "Foreword", COUNCIL, "after the report's heading, before the figures"),
    Section("conclusions", "Conclusions", TRUST, "after the figures, before the notes"),
)


def exception_key(indicator: str, party: str) -> str:
    return f"{EXCEPTION}.{indicator}.{party}"


def exception_sections(indicator: str) -> tuple[Section, Section]:
    """The quarterly pack's two sections on one exception: the Trust's commentary first."""
    from cscmonitor.indicators.registry import get  # Ibis: not for `--help`

    try:
        name = get(indicator).title
    except KeyError:
        name = indicator
    return (
        Section(
            exception_key(indicator, TRUST),
            f"{name}: the Trust's commentary",
            TRUST,
            "on the indicator's page, after its figures",
        ),
        Section(
            exception_key(indicator, COUNCIL),
            f"{name}: the Council's response",
            COUNCIL,
            "on the indicator's page, after the Trust's commentary",
        ),
    )


def report_kind(value: str | ReportKind) -> ReportKind:
    try:
        return ReportKind(value)
    except ValueError:
        kinds = ", ".join(k.value for k in ReportKind)
        raise RecordsError(f"report {value!r} is not one of {kinds}") from None


def sections(report: str | ReportKind, indicators: Iterable[str] = ()) -> tuple[Section, ...]:
    """The report's sections in document order; the quarterly pack's for `indicators` (the
    exceptions, or for writing, any basket indicator that may become one)."""
    match report_kind(report):
        case ReportKind.ANNUAL:
            return ANNUAL
        case ReportKind.CORPORATE_PARENTING:
            return CORPORATE_PARENTING
        case ReportKind.FRAMEWORK:
            return ()
        case ReportKind.QUARTERLY:
            return tuple(s for code in indicators for s in exception_sections(code))


def section(report: str | ReportKind, key: str, indicators: Sequence[str] = ()) -> Section:
    """The section `key` of the report; an error lists the keys there are."""
    held = sections(report, indicators)
    for found in held:
        if found.key == key:
            return found
    if report_kind(report) is ReportKind.QUARTERLY:
        raise RecordsError(
            f"{key!r} is not a section of the quarterly performance report: its sections are "
            f"{EXCEPTION}.<indicator>.trust and {EXCEPTION}.<indicator>.council for an "
            f"indicator of the basket ({', '.join(indicators) or 'none held'})"
        )
    raise RecordsError(
        f"{key!r} is not a section of the {report_kind(report).label}; its sections: "
        + ", ".join(s.key for s in held)
    )
