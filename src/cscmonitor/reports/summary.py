"""The summary of the Trust's performance against Performance Indicators for a contract year.

One typed context, built once from the assessments, holds every figure as display text;
the Jinja2 template only lays it out. Sentences use computed values only; the figures the
Council published before stand beside them in the table, never in their place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import assert_never

import jinja2

from cscmonitor.assess import (
    RAG,
    Assessment,
    Change,
    Computed,
    Direction,
    display_decimals,
)
from cscmonitor.indicators.engine import INSUFFICIENT_DATA, NO_DATA
from cscmonitor.indicators.registry import Polarity, Unit
from cscmonitor.periods import Period, add_months
from cscmonitor.terms import ContractTerms as Contract
from cscmonitor.terms import Party

TITLE = "Summary of the Trust's performance against Performance Indicators"
MARKING = "Internal — not for publication"
TEMPLATE = "summary.html.j2"


@dataclass(frozen=True)
class PartyLine:
    role: str
    name: str
    signatories: tuple[str, ...]


@dataclass(frozen=True)
class IndicatorRow:
    """One table row: every figure for one basket indicator, as display text."""

    code: str
    title: str
    polarity: str
    contract_baseline: str
    baseline_year: str
    baseline_year_note: str | None
    latest: str
    latest_note: str | None
    interval: str
    target: str
    tolerance: str
    rag: str
    rag_class: str
    direction: str
    reported: str | None


@dataclass(frozen=True)
class SourceNote:
    source: str
    codes: tuple[str, ...]


@dataclass(frozen=True)
class SummaryContext:
    """Everything the summary shows, formatted; built once by `build_summary_context`."""

    title: str
    marking: str
    contract_name: str
    la_code: str
    council: str | None
    parties: tuple[PartyLine, ...]
    year: int
    year_label: str
    year_dates: str
    baseline_label: str
    baseline_dates: str
    snapshot_id: str
    snapshot_date: str
    sentences: tuple[str, ...]
    rows: tuple[IndicatorRow, ...]
    sources: tuple[SourceNote, ...]
    any_lookback_incomplete: bool


def _in_unit(number: str, unit: Unit, *, percent: str = "%") -> str:
    match unit:
        case Unit.PERCENT:
            return f"{number}{percent}"
        case Unit.DAYS:
            return f"{number} days"
        case Unit.PER_10K | Unit.RATIO | Unit.COUNT:
            return number
        case _:
            assert_never(unit)


def _as_written(value: float) -> str:
    return f"{int(value):,}" if value.is_integer() else f"{value:,}"


def format_value(value: float, unit: Unit) -> str:
    """A computed value in its unit: 23.4%, 16.2, 412.3, 312 days, 12."""
    return _in_unit(f"{value:,.{display_decimals(unit)}f}", unit)


def format_agreed(value: float, unit: Unit) -> str:
    """A figure someone agreed or published, with the precision it was written with: 38%."""
    return _in_unit(_as_written(value), unit)


def format_tolerance(value: float, unit: Unit) -> str:
    """A tolerance in the indicator's units; for a percentage that is percentage points."""
    return _in_unit(_as_written(value), unit, percent=" percentage points")


def format_date(day: dt.date) -> str:
    """1 October 2014."""
    return f"{day.day} {day:%B %Y}"


def _figure(computed: Computed, unit: Unit) -> str:
    """The computed value, or why there is none."""
    value = computed.usable_value
    if value is not None:
        return format_value(value, unit)
    return INSUFFICIENT_DATA if computed.status == INSUFFICIENT_DATA else NO_DATA


def _interval(computed: Computed, unit: Unit) -> str:
    low, high = computed.ci_lower, computed.ci_upper
    if computed.usable_value is None or low is None or high is None:
        return "not available"
    return f"{format_value(low, unit)} to {format_value(high, unit)}"


def _note(computed: Computed) -> str | None:
    return "lookback incomplete" if computed.lookback_incomplete else None


def _polarity(polarity: Polarity) -> str:
    match polarity:
        case Polarity.LOWER:
            return "Lower is better"
        case Polarity.HIGHER:
            return "Higher is better"
        case Polarity.NEITHER:
            return "Neither higher nor lower is better"
        case _:
            assert_never(polarity)


def _rag(rag: RAG) -> tuple[str, str]:
    """The RAG as text, and the CSS class that colours it (colour is never the only cue)."""
    from cscmonitor.reports.wording import rag_text  # wording builds on this module

    text, tone = rag_text(rag)
    return text, "rag-not-rated" if tone == "none" else f"rag-{tone}"


def _reported(assessment: Assessment) -> str | None:
    """`Reported: 38% → 23%`, or the one figure the contract records."""
    reported, unit = assessment.reported, assessment.indicator.unit
    if reported is None:
        return None
    year = assessment.reported_latest
    if reported.baseline is not None and year is not None:
        return f"Reported: {format_agreed(reported.baseline, unit)} → {format_agreed(year, unit)}"
    if reported.baseline is not None:
        return f"Reported baseline: {format_agreed(reported.baseline, unit)}"
    if year is not None:
        return f"Reported for year {assessment.year}: {format_agreed(year, unit)}"
    return None


def _row(assessment: Assessment) -> IndicatorRow:
    unit, indicator = assessment.indicator.unit, assessment.indicator
    rag_label, rag_class = _rag(assessment.rag)
    return IndicatorRow(
        code=indicator.code,
        title=indicator.title,
        polarity=_polarity(indicator.polarity),
        contract_baseline=(
            "not agreed"
            if assessment.contract_baseline is None
            else format_agreed(assessment.contract_baseline, unit)
        ),
        baseline_year=_figure(assessment.baseline_year, unit),
        baseline_year_note=_note(assessment.baseline_year),
        latest=_figure(assessment.latest, unit),
        latest_note=_note(assessment.latest),
        interval=_interval(assessment.latest, unit),
        target="none" if assessment.target is None else format_agreed(assessment.target, unit),
        tolerance=(
            "none" if assessment.tolerance is None else format_tolerance(assessment.tolerance, unit)
        ),
        rag=rag_label,
        rag_class=rag_class,
        direction=assessment.direction.value.capitalize(),
        reported=_reported(assessment),
    )


def time_since_start(start: dt.date, period: Period, year: int) -> str:
    """`after 12 months` when the period ends a whole number of months in, else the year."""
    end = period.end + dt.timedelta(days=1)
    months = (end.year - start.year) * 12 + end.month - start.month
    if months > 0 and add_months(start, months) == end:
        return f"after {months} months"
    return f"in contract year {year}"


def _when(computed: Computed) -> str:
    """`(Oct 2013–Sep 2014)`, flagged where the lookback is incomplete."""
    flag = "; lookback incomplete" if computed.lookback_incomplete else ""
    return f"({computed.period.label}{flag})"


def sentence(assessment: Assessment, contract_start: dt.date) -> str:
    """One finding in the annual review's style, from computed values only."""
    unit, name = assessment.indicator.unit, assessment.indicator.short_title
    before, after = assessment.baseline_year, assessment.latest
    then = f"in the baseline year {_when(before)}"
    now = f"{time_since_start(contract_start, after.period, assessment.year)} {_when(after)}"
    was, became = _figure(before, unit), _figure(after, unit)
    match assessment.change:
        case Change.REDUCTION:
            return (
                f"a reduction in {name} from {was} {then} to {became} {now}{_verdict(assessment)}"
            )
        case Change.INCREASE:
            return (
                f"an increase in {name} from {was} {then} to {became} {now}{_verdict(assessment)}"
            )
        case Change.NO_CHANGE:
            return f"no change in {name}, at {became} {then} and {now}"
        case Change.NOT_COMPARABLE:
            return f"{name}: {was} {then} and {became} {now}, so no change can be stated"
        case _:
            assert_never(assessment.change)


def _verdict(assessment: Assessment) -> str:
    """Whether the change is for the better, given the indicator's polarity."""
    match assessment.direction:
        case Direction.IMPROVED:
            return ", an improvement"
        case Direction.DECLINED:
            return ", a decline"
        case Direction.CHANGED | Direction.NO_CHANGE | Direction.NOT_COMPARABLE:
            return ""
        case _:
            assert_never(assessment.direction)


def _punctuated(findings: Sequence[str]) -> tuple[str, ...]:
    """List items as the review writes them: `…;`, `…; and`, `….`."""
    last = len(findings) - 1
    return tuple(
        f"{text}." if i == last else f"{text}; and" if i == last - 1 else f"{text};"
        for i, text in enumerate(findings)
    )


def _party(party: Party) -> PartyLine:
    return PartyLine(
        role=party.role.value.capitalize(),
        name=party.name,
        signatories=tuple(f"{s.name}, {s.title}" for s in party.signatories),
    )


def _sources(assessments: Sequence[Assessment]) -> tuple[SourceNote, ...]:
    codes: dict[str, list[str]] = {}
    for a in assessments:
        if a.reported is not None:
            codes.setdefault(a.reported.source, []).append(a.indicator.code)
    return tuple(SourceNote(source, tuple(found)) for source, found in codes.items())


def build_summary_context(
    contract: Contract,
    assessments: Sequence[Assessment],
    *,
    snapshot_id: str,
    snapshot_date: dt.date,
) -> SummaryContext:
    """The summary's context for the contract year the assessments share."""
    years = {a.year for a in assessments}
    if len(years) != 1:
        raise ValueError(f"assessments must share one contract year, not {sorted(years)}")
    year = years.pop()
    period, baseline = contract.contract_year(year), contract.baseline_period()
    council = contract.council
    return SummaryContext(
        title=TITLE,
        marking=MARKING,
        contract_name=contract.name,
        la_code=contract.la_code,
        council=None if council is None else council.name,
        parties=tuple(_party(p) for p in contract.parties),
        year=year,
        year_label=period.label,
        year_dates=f"{format_date(period.start)} to {format_date(period.end)}",
        baseline_label=baseline.label,
        baseline_dates=f"{format_date(baseline.start)} to {format_date(baseline.end)}",
        snapshot_id=snapshot_id,
        snapshot_date=format_date(snapshot_date),
        sentences=_punctuated([sentence(a, contract.start_date) for a in assessments]),
        rows=tuple(_row(a) for a in assessments),
        sources=_sources(assessments),
        any_lookback_incomplete=any(
            a.baseline_year.lookback_incomplete or a.latest.lookback_incomplete for a in assessments
        ),
    )


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("cscmonitor.reports", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_summary(context: SummaryContext) -> str:
    """The summary as one self-contained HTML page."""
    return _environment().get_template(TEMPLATE).render(c=context)


def write_summary(path: str | Path, context: SummaryContext) -> Path:
    """Write the summary's HTML to `path`, creating its folder; returns the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_summary(context), encoding="utf-8")
    return target
