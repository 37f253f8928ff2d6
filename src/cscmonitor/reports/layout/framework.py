"""The National Framework pack laid out: a summary, then each outcome and enabler with every
measure (value, latest month, travel, RAG where the contract sets a target, what a measure
without a value needs), its benchmarks, its trend, and the measures shown only as published."""

from __future__ import annotations

from cscmonitor.figures import Figure
from cscmonitor.framework_figures import Section
from cscmonitor.reports.context.framework import FrameworkContext
from cscmonitor.reports.disclosure import Discloser, Mode
from cscmonitor.reports.document import Block, Cell, Document, Facts, Heading, Paragraph, Table
from cscmonitor.reports.layout.common import figure_cell, method_notes, number_format
from cscmonitor.wording import capital, day, rag_text

TREND_POINTS = 8  # the quarter ends a section's trend table shows, the latest last


def framework_document(c: FrameworkContext) -> Document:
    latest = f"12 months to {day(c.latest_period.end)}"
    blocks: list[Block] = [
        Heading(1, c.title),
        Facts(
            (
                ("Contract", c.contract_name),
                ("Local authority", f"{c.place} ({c.la_code})"),
                ("Quarter", f"{day(c.quarter_period.start)} to {day(c.quarter_period.end)}"),
                ("Figures", f"rolling {latest}"),
                ("As at (figures and judgements)", day(c.as_at)),
                ("Data snapshot", f"{c.snapshot_id}, taken {day(c.snapshot_date)}"),
                ("Report", c.marking),
            )
        ),
        Paragraph(
            "Every measure cscmonitor computes from the statutory returns, and the measures of "
            "DfE's children's social care outcomes and enablers dashboard that only published "
            "data can give, under the outcome or enabler of the Children's Social Care "
            "National Framework (December 2023) each speaks to. A RAG rating is given only "
            "where the contract sets a target."
        ),
        Heading(2, "Summary by outcome and enabler"),
        summary_table(c.sections),
    ]
    for number, section in enumerate(c.sections, start=1):
        blocks += section_blocks(c, section, number, latest)
    blocks += [Heading(2, "Notes"), method_notes(c.mode is Mode.PUBLICATION)]
    return Document(
        title=c.title,
        marking=c.marking,
        blocks=tuple(blocks),
        subject=f"{c.contract_name}: {capital(c.title)}",
        author=c.council or c.place,
        filename=f"framework-{c.year}-q{c.quarter}",
        date=c.as_at,
    )


def summary_table(sections: tuple[Section, ...]) -> Table:
    def count(n: int) -> Cell:
        return Cell(f"{n:,}", n, "#,##0")

    return Table(
        key="summary",
        caption="Measures under each outcome and enabler",
        columns=("Outcome or enabler", "Measures", "Computed with a value", "Published only"),
        rows=tuple(
            (Cell(s.label), count(s.measures), count(s.held), count(len(s.published)))
            for s in sections
        ),
        summary=True,
    )


def section_blocks(c: FrameworkContext, s: Section, number: int, latest: str) -> list[Block]:
    blocks: list[Block] = [
        Heading(2, s.label, new_page=True),
        Paragraph(s.description),
        Paragraph(f"{s.summary_text}."),
    ]
    if s.figures:
        blocks += [
            measures_table(s.figures, c.discloser, f"fw{number}", f"{s.label}: {latest}"),
            benchmarks_table(s.figures, c.discloser, f"fw{number}-bench", s.label),
            trend_table(s.figures, c.discloser, f"fw{number}-trend", s.label),
        ]
    if s.published:
        blocks.append(
            Table(
                key=f"fw{number}-published",
                caption=f"{s.label}: measures shown as published",
                columns=("Measure", "Dashboard", "This LA", "Region", "England", "Source"),
                rows=tuple(
                    (
                        Cell(p.title),
                        Cell(p.measure.rows_text),
                        Cell(p.value),
                        Cell(p.region),
                        Cell(p.england),
                        Cell(p.source_text),
                    )
                    for p in s.published
                ),
            )
        )
    return blocks


def _value(f: Figure, discloser: Discloser) -> Cell:
    return figure_cell(discloser.value(f.latest, f.indicator.unit), f.indicator.unit)


def measures_table(
    figures: tuple[Figure, ...], discloser: Discloser, key: str, caption: str
) -> Table:
    """Each measure's value, latest month, travel, target and RAG, or what it needs."""
    monthly = not discloser.publishing

    def month(f: Figure) -> Cell:
        # Monthly figures rest on small cohorts: the internal pack only (as the quarterly's
        # control charts).
        return Cell(f.latest_month_text if monthly else "not published (monthly)")

    def rag(f: Figure) -> Cell:
        text, tone = rag_text(f.rag)
        return Cell(text, tone=tone)

    return Table(
        key=key,
        caption=caption,
        columns=(
            "Measure",
            "Value",
            "Latest month",
            "Since a year earlier",
            "Target",
            "RAG",
            "Without a value: what it needs",
        ),
        rows=tuple(
            (
                Cell(f"{f.indicator.title} ({f.code})"),
                _value(f, discloser),
                month(f),
                Cell(f.travel_last_text),
                Cell(f.target_text),
                rag(f),
                Cell(f.absent_text or "—"),
            )
            for f in figures
        ),
    )


def benchmarks_table(
    figures: tuple[Figure, ...], discloser: Discloser, key: str, label: str
) -> Table:
    """Each measure beside DfE's published region, neighbours and England, and its band."""

    def bench(f: Figure, which: str) -> Cell:
        value = getattr(f.benchmark, which)
        return Cell(f.benchmark_value_text(which), value, number_format(f.indicator.unit))

    return Table(
        key=key,
        caption=f"{label}: against DfE's published figures",
        columns=(
            "Measure",
            "Value",
            "Region",
            "Statistical neighbours' mean",
            "England",
            "Quartile band",
        ),
        rows=tuple(
            (
                Cell(f"{f.indicator.title} ({f.code})"),
                _value(f, discloser),
                bench(f, "region"),
                bench(f, "sn_mean"),
                bench(f, "england"),
                Cell(f.band_text),
            )
            for f in figures
        ),
    )


def trend_table(figures: tuple[Figure, ...], discloser: Discloser, key: str, label: str) -> Table:
    """Each measure over the rolling 12 months to the latest quarter ends."""
    ends = sorted({c.period for f in figures for c in f.trend}, key=lambda p: p.end)[-TREND_POINTS:]
    columns = tuple(f"12 months to {p.end:%b %Y}" for p in ends)

    def point(f: Figure, period: object) -> Cell:
        found = next((c for c in f.trend if c.period == period), None)
        if found is None:
            return Cell("—")
        return figure_cell(discloser.value(found, f.indicator.unit), f.indicator.unit)

    return Table(
        key=key,
        caption=f"{label}: trend, rolling 12 months at each quarter end",
        columns=("Measure", *columns),
        rows=tuple(
            (Cell(f"{f.indicator.title} ({f.code})"), *(point(f, p) for p in ends)) for f in figures
        ),
    )
