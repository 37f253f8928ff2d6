"""The summary of the Trust's performance against Performance Indicators for a contract year.

One typed context renders the figure model (`figures.py`) as display text, never
recomputing or re-wording it; the Jinja2 template only lays it out. The figures the Council
published before stand beside the computed ones in the table, never in their place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import assert_never

import jinja2

from cscmonitor.assess import RAG, Computed
from cscmonitor.figures import DRAFT_MARK, Figure
from cscmonitor.indicators.registry import Polarity
from cscmonitor.terms import ContractTerms, Party
from cscmonitor.wording import format_agreed, format_date, punctuated, rag_text

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
    as_at: str
    snapshot_id: str
    snapshot_date: str
    sentences: tuple[str, ...]
    rows: tuple[IndicatorRow, ...]
    sources: tuple[SourceNote, ...]
    any_lookback_incomplete: bool


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
    text, tone = rag_text(rag)
    return text, "rag-not-rated" if tone == "none" else f"rag-{tone}"


def _reported(figure: Figure) -> str | None:
    """`Reported: 38% → 23%`, or the one figure the contract records."""
    reported, unit = figure.asked.reported, figure.indicator.unit
    if reported is None:
        return None
    year = None if figure.year is None else reported.years.get(figure.year)
    if reported.baseline is not None and year is not None:
        return f"Reported: {format_agreed(reported.baseline, unit)} → {format_agreed(year, unit)}"
    if reported.baseline is not None:
        return f"Reported baseline: {format_agreed(reported.baseline, unit)}"
    if year is not None:
        return f"Reported for year {figure.year}: {format_agreed(year, unit)}"
    return None


def _row(figure: Figure) -> IndicatorRow:
    indicator = figure.indicator
    rag_label, rag_class = _rag(figure.rag)
    return IndicatorRow(
        code=indicator.code,
        title=indicator.title,
        polarity=_polarity(indicator.polarity),
        contract_baseline=(
            "not agreed"
            if figure.asked.baseline is None
            else format_agreed(figure.asked.baseline, indicator.unit)
        ),
        baseline_year=figure.value_text(figure.baseline_year),
        baseline_year_note=_note(figure.baseline_year),
        latest=figure.value_text(),
        latest_note=_note(figure.latest),
        interval=figure.interval_text(),
        target=figure.target_text,
        tolerance=figure.tolerance_text,
        rag=rag_label,
        rag_class=rag_class,
        direction=figure.travel_text,
        reported=_reported(figure),
    )


def _party(party: Party) -> PartyLine:
    return PartyLine(
        role=party.role.value.capitalize(),
        name=party.name,
        signatories=tuple(f"{s.name}, {s.title}" for s in party.signatories),
    )


def _sources(figures: Sequence[Figure]) -> tuple[SourceNote, ...]:
    codes: dict[str, list[str]] = {}
    for f in figures:
        if f.asked.reported is not None:
            codes.setdefault(f.asked.reported.source, []).append(f.code)
    return tuple(SourceNote(source, tuple(found)) for source, found in codes.items())


def build_summary_context(
    contract: ContractTerms,
    figures: Sequence[Figure],
    *,
    snapshot_id: str,
    snapshot_date: dt.date,
    draft: bool = False,
) -> SummaryContext:
    """The summary's context for the contract year the figures share, as at their date."""
    years = {f.year for f in figures}
    if len(years) != 1 or None in years:
        raise ValueError(f"figures must share one contract year, not {sorted(map(str, years))}")
    year = years.pop()
    assert year is not None
    period, baseline = contract.contract_year(year), contract.baseline_period()
    council = contract.council
    return SummaryContext(
        title=TITLE,
        marking=f"{DRAFT_MARK} · {MARKING}" if draft else MARKING,
        contract_name=contract.name,
        la_code=contract.la_code,
        council=None if council is None else council.name,
        parties=tuple(_party(p) for p in contract.parties),
        year=year,
        year_label=period.label,
        year_dates=f"{format_date(period.start)} to {format_date(period.end)}",
        baseline_label=baseline.label,
        baseline_dates=f"{format_date(baseline.start)} to {format_date(baseline.end)}",
        as_at=format_date(figures[0].as_at),
        snapshot_id=snapshot_id,
        snapshot_date=format_date(snapshot_date),
        sentences=punctuated([f.sentence(contract.start_date) for f in figures]),
        rows=tuple(_row(f) for f in figures),
        sources=_sources(figures),
        any_lookback_incomplete=any(
            f.baseline_year.lookback_incomplete or f.latest.lookback_incomplete for f in figures
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
