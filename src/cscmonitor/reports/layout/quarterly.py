"""The quarterly performance report laid out: summary, exceptions, a page per indicator,
finance and inspection action plans."""

from __future__ import annotations

from cscmonitor.reports.context.quarterly import QuarterlyContext
from cscmonitor.reports.disclosure import Mode
from cscmonitor.reports.document import Block, Bullets, Document, Facts, Heading, Item, Paragraph
from cscmonitor.reports.layout.common import (
    action_table,
    basket_table,
    indicator_blocks,
    method_notes,
    money_sentences,
    money_table,
)
from cscmonitor.reports.layout.demand import demand_blocks
from cscmonitor.wording import capital, day, rag_text, travel_text


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
                )
            )
        )
    else:
        blocks.append(Paragraph("No indicator is Red or declining by more than chance."))
    blocks.append(Heading(2, "Indicators, exceptions first"))
    for number, panel in enumerate(c.panels, start=1):
        blocks += indicator_blocks(
            panel, f"{number}. {panel.title}", 3, f"series-{number}", f"Rolling {latest}"
        )
    blocks.append(Heading(2, "Finance", new_page=True))
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
            Paragraph(f"{overdue} of {len(c.actions)} actions overdue on {day(c.as_at)}.")
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
    )
