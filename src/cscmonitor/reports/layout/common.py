"""Pieces every report lays out the same way: the basket table, an indicator's page, money,
action plans and the notes on method."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import assert_never

from cscmonitor.benchmarks.comparison import NO_BENCHMARK, Comparison
from cscmonitor.indicators.registry import Unit
from cscmonitor.records.governance_facts import ActionLine
from cscmonitor.records.money import format_pounds
from cscmonitor.records.money_facts import MoneyPosition
from cscmonitor.reports.charts import describe, draw
from cscmonitor.reports.context.indicators import Panel, Point
from cscmonitor.reports.disclosure import Shown
from cscmonitor.reports.document import (
    Block,
    Bullets,
    Cell,
    Facts,
    Figure,
    Heading,
    Item,
    Paragraph,
    Table,
)
from cscmonitor.wording import (
    agreed_or_none,
    benchmark_missing_text,
    capital,
    day,
    format_value,
    polarity_text,
    rag_text,
    travel_text,
)

MONEY_FORMAT = '"£"#,##0'


def the(label: str) -> str:
    """`Baseline year` → `the baseline year`; `A year earlier` → `a year earlier`."""
    lowered = label[:1].lower() + label[1:]
    return lowered if lowered.startswith(("a ", "an ", "the ")) else f"the {lowered}"


def unit_format(unit: Unit, decimals: int, *, tolerance: bool = False) -> str:
    """The Excel number format showing a number as the report writes it in its unit.

    A percentage is kept as the figure itself (23.4, not 0.234) with a literal `%`, so a
    spreadsheet cell holds the same number as the figure model, the API and the CSV; a
    tolerance of a percentage is in percentage points.
    """
    digits = "#,##0" + ("." + "0" * decimals if decimals else "")
    match unit:
        case Unit.PERCENT:
            return digits + ('" percentage points"' if tolerance else '"%"')
        case Unit.DAYS:
            return digits + '" days"'
        case Unit.PER_10K | Unit.RATIO | Unit.COUNT | Unit.MEAN:
            return digits
        case _:
            assert_never(unit)


def number_format(unit: Unit | None) -> str | None:
    """The format of a computed value in `unit`: the decimals the report shows it with."""
    return None if unit is None else unit_format(unit, unit.decimals)


def written_decimals(value: float) -> int:
    """The decimal places an agreed figure was written with: 38 → 0, 2.5 → 1, 0.25 → 2."""
    exponent = Decimal(repr(float(value))).normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def agreed_cell(value: float | None, unit: Unit | None, *, tolerance: bool = False) -> Cell:
    """A contract figure (baseline, target, tolerance) as written, its number kept."""
    if value is None or unit is None:
        return Cell("none")
    text = agreed_or_none(value, unit, tolerance=tolerance)
    return Cell(text, value, unit_format(unit, written_decimals(value), tolerance=tolerance))


def figure_cell(shown: Shown, unit: Unit | None) -> Cell:
    return Cell(shown.text, shown.number, number_format(unit))


def count_cell(shown: Shown) -> Cell:
    whole = shown.number is not None and round(shown.number, 1).is_integer()
    fmt = None if shown.number is None else ("#,##0" if whole else "#,##0.0")
    return Cell(shown.text, shown.number, fmt)


def money_cell(pence: int | None) -> Cell:
    if pence is None:
        return Cell("—")
    return Cell(format_pounds(pence), pence / 100, MONEY_FORMAT)


def rag_cell(panel: Panel) -> Cell:
    text, tone = rag_text(panel.rag)
    return Cell(text, tone=tone)


def published(comparison: Comparison, which: str, unit: Unit | None) -> Cell:
    """A benchmark (england, region, sn_mean) in its unit, or why it is missing."""
    value = getattr(comparison, which)
    if value is None or unit is None:
        gap = comparison.gap(which)
        if gap is None:
            return Cell(benchmark_missing_text(str(NO_BENCHMARK)))
        return Cell(benchmark_missing_text(str(gap.state), gap.flag, gap.detail))
    return Cell(format_value(value, unit), value, number_format(unit))


def basket_table(
    panels: Sequence[Panel],
    key: str,
    caption: str,
    latest_label: str,
    compared_label: str,
    *,
    summary: bool = False,
) -> Table:
    """One row per indicator: figures, terms, rating, travel and benchmarks."""
    return _basket_table(panels, key, caption, latest_label, compared_label, summary)


def _latest_cell(panel: Panel) -> Cell:
    if panel.absent:
        return Cell("not yet available")
    return figure_cell(panel.latest.value, panel.unit)


def _basket_table(
    panels: Sequence[Panel],
    key: str,
    caption: str,
    latest_label: str,
    compared_label: str,
    summary: bool,
) -> Table:
    rows = []
    for p in panels:
        c = p.comparison
        rows.append(
            (
                Cell(f"{p.title} ({p.code})"),
                _latest_cell(p),
                Cell(p.latest.interval),
                figure_cell(p.compared.value, p.unit),
                agreed_cell(p.target, p.unit),
                agreed_cell(p.tolerance, p.unit, tolerance=True),
                rag_cell(p),
                Cell(travel_text(p.travel) if not p.absent else "—"),
                published(c, "england", p.unit),
                published(c, "region", p.unit),
                published(c, "sn_mean", p.unit),
                Cell(c.band or "—"),
                Cell(c.year or "—"),
            )
        )
    return Table(
        key=key,
        caption=caption,
        columns=(
            "Indicator",
            latest_label,
            "95% confidence interval",
            compared_label,
            "Target",
            "Tolerance",
            "RAG",
            f"Direction of travel since {the(compared_label)}",
            "England",
            "Region",
            "Statistical neighbours (mean)",
            "Quartile band (A best)",
            "Published year compared",
        ),
        rows=tuple(rows),
        summary=summary,
    )


def _series_row(point: Point, panel: Panel) -> tuple[Cell, ...]:
    return (
        Cell(point.period.label),
        count_cell(point.numerator),
        count_cell(point.denominator),
        figure_cell(point.value, panel.unit),
        figure_cell(point.lower, panel.unit),
        figure_cell(point.upper, panel.unit),
        Cell(point.status),
    )


def series_table(panel: Panel, key: str) -> Table:
    """The figures behind the chart: one row per rolling 12 months, then the published years."""
    notes = tuple(
        f"England, {h.year}: {format_value(h.england, panel.unit)}"
        + (f"; region: {format_value(h.region, panel.unit)}" if h.region is not None else "")
        + (
            f"; statistical neighbours (mean): {format_value(h.sn_mean, panel.unit)}"
            if h.sn_mean is not None
            else ""
        )
        for h in panel.comparison.history
        if h.england is not None and panel.unit is not None
    )
    return Table(
        key=key,
        caption=f"{panel.title}: rolling 12 months to each quarter end (the data behind the chart)",
        columns=(
            "12 months",
            "Numerator",
            "Denominator",
            "Value",
            "95% CI lower",
            "95% CI upper",
            "Status",
        ),
        rows=tuple(_series_row(p, panel) for p in panel.series),
        notes=notes,
        charted=("Value", "95% CI lower", "95% CI upper"),
    )


def indicator_blocks(
    panel: Panel, heading: str, level: int, key: str, latest_label: str, *, appendix: bool = False
) -> list[Block]:
    """An indicator's section: what it measures, its figures, chart, data table and commentary.

    It flows on from the one before (a page each left half-empty pages behind); `appendix`
    numbers its heading as a section of the appendix it is in.
    """
    blocks: list[Block] = [Heading(level, heading, anchor=panel.anchor, appendix=appendix)]
    if panel.definition:
        blocks.append(Paragraph(panel.definition, style="note"))
    c = panel.comparison
    facts = [
        (latest_label, panel.latest.value.text),
        ("95% confidence interval", panel.latest.interval),
        (capital(panel.compared_label), panel.compared.value.text),
    ]
    if panel.polarity is not None:
        facts.append(("Polarity", capital(polarity_text(panel.polarity))))
    if panel.target is not None:
        facts += [
            ("Contract baseline", panel.agreed(panel.baseline)),
            ("Target", panel.agreed(panel.target)),
            ("Tolerance", panel.agreed(panel.tolerance, tolerance=True)),
            ("RAG", rag_text(panel.rag)[0]),
        ]
    if not panel.absent:
        facts.append(("Direction of travel", travel_text(panel.travel)))
    if c.year is not None and panel.unit is not None:
        facts.append(
            (
                f"Published benchmarks ({c.year})",
                "; ".join(
                    part
                    for part in (
                        f"England {format_value(c.england, panel.unit)}"
                        if c.england is not None
                        else "",
                        f"{c.region_name} {format_value(c.region, panel.unit)}"
                        if c.region is not None
                        else "",
                        f"statistical neighbours' mean {format_value(c.sn_mean, panel.unit)}"
                        f" ({c.sn_count} of 10)"
                        if c.sn_mean is not None
                        else "",
                        f"quartile band {c.band}" if c.band else "",
                    )
                    if part
                ),
            )
        )
    elif not panel.absent:
        facts.append(("Published benchmarks", "none published for this period"))
    facts.append(("Source", panel.source or "—"))
    blocks.append(Facts(tuple(facts)))
    if panel.absent:
        blocks.append(Paragraph(capital(panel.absent) + "."))
    if panel.chart.points:
        blocks.append(
            Figure(
                png=draw(panel.chart),
                alt=describe(panel.chart),
                caption=f"{panel.title}: trend, rolling 12 months to each quarter end",
            )
        )
        blocks.append(series_table(panel, key))
    if panel.commentary:
        blocks.append(Paragraph("Commentary from the records:", style="lead"))
        blocks.extend(
            Paragraph(
                f"{note.text} ({capital(note.role)}, {note.author}; {note.period.label})",
                style="quote",
            )
            for note in panel.commentary
        )
    return blocks


def money_table(money: Sequence[MoneyPosition], key: str, caption: str) -> Table:
    return Table(
        key=key,
        caption=caption,
        columns=(
            "Budget",
            "Basis",
            "Budget (with variations)",
            "Spend",
            "Variance",
            "Council's share",
            "Trust's share",
            "Trust after the risk share",
        ),
        rows=tuple(
            (
                Cell(f"{m.budget} ({day(m.period.start)} to {day(m.period.end)})"),
                Cell(m.basis),
                money_cell(m.budget_pence),
                money_cell(m.spend_pence),
                Cell(
                    m.variance_text(),
                    None if m.variance_pence is None else m.variance_pence / 100,
                    MONEY_FORMAT,
                ),
                money_cell(m.council_pence),
                money_cell(m.trust_pence),
                Cell(
                    "—"
                    if m.trust_after_pence is None
                    else ("surplus " if m.trust_after_pence >= 0 else "deficit ")
                    + format_pounds(abs(m.trust_after_pence)),
                    None if m.trust_after_pence is None else m.trust_after_pence / 100,
                    MONEY_FORMAT,
                ),
            )
            for m in money
        ),
    )


def money_sentences(money: Sequence[MoneyPosition]) -> list[str]:
    return [
        f"Budget {m.budget} ({day(m.period.start)} to {day(m.period.end)}), {m.basis}: "
        + (
            f"spend of {format_pounds(m.spend_pence)} against {format_pounds(m.budget_pence)}, "
            f"{m.variance_text()}; {m.outcome_text()}."
            if m.spend_pence is not None
            else f"{format_pounds(m.budget_pence)}; no forecast or outturn held yet."
        )
        + (f" {m.note}" if m.note else "")
        for m in money
    ]


def action_table(actions: Sequence[ActionLine], key: str, caption: str) -> Table:
    return Table(
        key=key,
        caption=caption,
        columns=(
            "Action",
            "Inspection",
            "Recommendation",
            "Owner",
            "Due",
            "Status",
            "Overdue",
            "Latest progress",
        ),
        rows=tuple(
            (
                Cell(a.action),
                Cell(a.inspection),
                Cell("—" if a.recommendation is None else str(a.recommendation)),
                Cell(a.owner),
                Cell(day(a.due)),
                Cell(capital(a.status) + (f" ({day(a.completed)})" if a.completed else "")),
                Cell(
                    f"Overdue by {a.days_overdue} days" if a.overdue else "No",
                    tone="red" if a.overdue else "none",
                ),
                Cell(a.latest_note or "—"),
            )
            for a in actions
        ),
    )


def method_notes(publishing: bool) -> Bullets:
    notes = [
        "Green meets the target; Amber is beyond the target but within the tolerance; Red is "
        "beyond the tolerance, comparing the figures as shown. Grey means too few cases to rate; "
        "Not rated means no target or no better direction.",
        "Direction of travel says improved or declined only when the change is larger than "
        "chance (two-proportion z-test, Fisher's exact test for small counts, or the exact "
        "Poisson test for rates; p < 0.05).",
        "Benchmarks are DfE's published figures for the latest year ending by the period's end; "
        "the quartile band places the computed figure among English local authorities that year "
        "(A is the best quarter).",
        "Every figure is computed from the statutory returns held; none is typed in.",
    ]
    notes.append(
        "This report is for publication: counts of 1 to 5, and percentages, rates and "
        "intervals computed from them, are shown as c. Only primary suppression is applied."
        if publishing
        else "This report is internal: small numbers are shown and it must not be published."
    )
    return Bullets(tuple(Item(n) for n in notes))
