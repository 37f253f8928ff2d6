"""The quarterly performance report laid out: summary, exceptions, a page per indicator,
finance and inspection action plans."""

from __future__ import annotations

from cscmonitor.figures import Figure
from cscmonitor.reports import spc_chart
from cscmonitor.reports.context.quarterly import QuarterlyContext
from cscmonitor.reports.disclosure import Mode
from cscmonitor.reports.document import (
    Block,
    Bullets,
    Cell,
    Document,
    Facts,
    Heading,
    Item,
    Paragraph,
    Table,
)
from cscmonitor.reports.document import Figure as Picture
from cscmonitor.reports.layout.common import (
    action_table,
    basket_table,
    indicator_blocks,
    method_notes,
    money_sentences,
    money_table,
    number_format,
)
from cscmonitor.reports.layout.demand import demand_blocks
from cscmonitor.reports.layout.narrative import exception_blocks
from cscmonitor.wording import capital, day, in_words, plural, rag_text, travel_text


def quarterly_document(c: QuarterlyContext) -> Document:
    latest = f"12 months to {day(c.latest_period.end)}"
    blocks: list[Block] = [
        Heading(1, c.title),
        Facts(
            (
                ("Contract", c.contract_name),
                ("Local authority", f"{c.place} ({c.la_code})"),
                ("Quarter", f"{day(c.quarter_period.start)} to {day(c.quarter_period.end)}"),
                (
                    "Figures",
                    f"rolling {latest}, against the baseline year ({c.baseline_period.label})",
                ),
                ("As at (figures, judgements and records)", day(c.as_at)),
                ("Data snapshot", f"{c.snapshot_id}, taken {day(c.snapshot_date)}"),
                ("Report", c.marking),
            )
        ),
        Heading(2, "Summary of the basket"),
        basket_table(
            c.panels,
            "basket",
            f"The basket at the end of quarter {c.quarter}: {latest}",
            latest,
            "Baseline year",
            summary=True,
        ),
        Heading(2, "Exceptions"),
    ]
    if c.exceptions:
        blocks.append(
            Bullets(
                tuple(
                    Item(
                        f"{p.title}: {p.latest.value.text}, {rag_text(p.rag)[0]}; "
                        f"{travel_text(p.travel).lower()}."
                    )
                    for p in c.exceptions
                ),
                summary=True,
            )
        )
    else:
        blocks.append(
            Paragraph("No indicator is Red or declining by more than chance.", summary=True)
        )
    blocks.append(Heading(2, "Indicators, exceptions first", new_page=True))
    for number, panel in enumerate(c.panels, start=1):
        blocks += indicator_blocks(
            panel, f"{number}. {panel.title}", 3, f"series-{number}", f"Rolling {latest}"
        )
        blocks += exception_blocks(c.narrative, panel.code, 4) if panel.exception else []
    blocks += control_blocks(c)
    blocks.append(Heading(2, "Finance"))
    if not c.records_held:
        blocks.append(Paragraph("No governance records are held for this contract."))
    elif c.money:
        blocks.append(Bullets(tuple(Item(t) for t in money_sentences(c.money))))
        blocks.append(money_table(c.money, "finance", "Spend against budget and the risk share"))
    else:
        blocks.append(Paragraph("No budget covering this quarter is held."))
    blocks += demand_blocks(c.demand, 2, "demand") if c.demand else []
    blocks.append(Heading(2, "Inspection action plans, overdue first"))
    if c.actions:
        overdue = sum(a.overdue for a in c.actions)
        blocks.append(
            Paragraph(
                f"{capital('none' if overdue == 0 else in_words(overdue))} of the "
                f"{plural(len(c.actions), 'action')} {'is' if overdue == 1 else 'are'} "
                f"overdue on {day(c.as_at)}."
            )
        )
        blocks.append(action_table(c.actions, "actions", f"Action plan progress on {day(c.as_at)}"))
    else:
        blocks.append(Paragraph("No inspection action plan is held."))
    blocks += [Heading(2, "Notes"), method_notes(c.mode is Mode.PUBLICATION)]
    return Document(
        title=c.title,
        marking=c.marking,
        blocks=tuple(blocks),
        subject=f"{c.contract_name}: {capital(c.title)}",
        author=c.council or c.place,
        filename=f"quarterly-{c.year}-q{c.quarter}",
        date=c.as_at,
    )


def control_blocks(c: QuarterlyContext) -> list[Block]:
    """Signal or noise: each indicator's control chart, month by month, with its two icons in
    the figure model's words (docs/spc.md). Monthly figures rest on small cohorts, so a pack
    for publication gives the icons' words and leaves the charts and their tables out."""
    blocks: list[Block] = [
        Heading(2, "Signal or noise: control charts, month by month", new_page=True),
        Paragraph(
            "Each indicator's monthly figures to the quarter's end on a control chart (XmR, or "
            "a p-chart for a proportion of small or uneven cohorts). The limits are "
            "recalculated from the contract's start and each change point held in the "
            "records. Variation says whether the latest month is a special cause; assurance "
            "says whether the process, as it runs, will meet the target."
        ),
    ]
    blocks.append(
        Table(
            key="spc",
            caption=f"Variation and assurance at {day(c.quarter_period.end)}",
            columns=("Indicator", "Variation", "Assurance"),
            rows=tuple(
                (Cell(f.indicator.title), Cell(f.variation_text), Cell(f.assurance_text))
                for f in c.controls
            ),
        )
    )
    if c.mode is not Mode.INTERNAL:
        blocks.append(
            Paragraph(
                "Monthly figures rest on small cohorts and are not published: the charts and "
                "their tables are in the internal report.",
                style="note",
            )
        )
        return blocks
    for number, f in enumerate((f for f in c.controls if f.control.charted), start=1):
        title = f"{f.indicator.title}: control chart"
        points, unit = f.control.points, f.indicator.unit
        blocks += [
            Heading(3, f"{number}. {f.indicator.title}"),
            Picture(
                png=spc_chart.draw(points, title, unit),
                alt=spc_chart.describe(points, title, unit),
                caption=f"{title}, monthly to {day(c.quarter_period.end)}",
            ),
            control_table(f, f"spc-{number}"),
        ]
    return blocks


def control_table(f: Figure, key: str) -> Table:
    """The points behind a control chart, as the chart plots them."""
    unit, fmt = f.indicator.unit, number_format(f.indicator.unit)
    rows = f.control.points.to_dict("records")

    def number(value: float) -> Cell:
        return Cell(unit.display(value), value, fmt)

    return Table(
        key=key,
        notes=(f"Variation: {f.variation_text}.", f"Assurance: {f.assurance_text}."),
        caption=f"{f.indicator.title}: the control chart's points (the data behind the chart)",
        columns=("Month", "Value", "Mean", "Lower limit", "Upper limit", "Phase", "Signal", "Rule"),
        rows=tuple(
            (
                Cell(f"{r['period_end']:%b %Y}"),
                number(float(r["value"])),
                number(float(r["mean"])),
                number(float(r["lower_limit"])),
                number(float(r["upper_limit"])),
                Cell(str(r["phase"])),
                Cell(capital(str(r["signal"])) or "None"),
                Cell(str(r["signal_rule"])),
            )
            for r in rows
        ),
        charted=("Value", "Mean", "Lower limit", "Upper limit"),
    )
