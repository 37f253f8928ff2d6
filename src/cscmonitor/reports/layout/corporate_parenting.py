"""The corporate parenting pack laid out: a summary, what is not yet available, then a page per
measure by section."""

from __future__ import annotations

from cscmonitor.reports.context.corporate_parenting import CorporateParentingContext
from cscmonitor.reports.disclosure import Mode
from cscmonitor.reports.document import Block, Bullets, Document, Facts, Heading, Item, Paragraph
from cscmonitor.reports.layout.common import basket_table, indicator_blocks, method_notes
from cscmonitor.reports.layout.narrative import section_blocks
from cscmonitor.wording import capital, day


def corporate_parenting_document(c: CorporateParentingContext) -> Document:
    latest = f"12 months to {day(c.period.end)}"
    blocks: list[Block] = [
        Heading(1, c.title),
        Facts(
            (
                ("Local authority", f"{c.place} ({c.la_code})"),
                ("Contract", c.contract_name),
                (
                    "Figures",
                    f"{latest}, against the same 12 months a year earlier ({c.compared.label})",
                ),
                ("Data snapshot", f"{c.snapshot_id}, taken {day(c.snapshot_date)}"),
                ("As at", day(c.as_at)),
                ("Report", c.marking),
            )
        ),
        *section_blocks(c.narrative, "foreword", 2),
        Heading(2, "Summary"),
    ]
    for n, section in enumerate(c.sections, start=1):
        blocks.append(
            basket_table(
                section.panels,
                f"summary-{n}",
                section.title,
                latest,
                "A year earlier",
                summary=True,
            )
        )
    # The heading names what follows: a list of absent measures, or the news that none is.
    if c.absent:
        blocks.append(Heading(2, "Not yet available"))
        blocks.append(Bullets(tuple(Item(f"{p.title} ({p.code}): {p.absent}.") for p in c.absent)))
    else:
        blocks.append(Heading(2, "Every measure available"))
        blocks.append(Paragraph("Every measure in the pack is available from the returns held."))
    for n, section in enumerate(c.sections, start=1):
        blocks.append(Heading(2, section.title, new_page=True))
        shown = [p for p in section.panels if not p.absent]
        if not shown:
            blocks.append(
                Paragraph(
                    "None of this section's measures is available yet from the "
                    "returns held (see Not yet available)."
                )
            )
        for m, panel in enumerate(shown, start=1):
            blocks += indicator_blocks(
                panel, f"{n}.{m} {panel.title}", 3, f"series-{n}-{m}", capital(latest)
            )
    blocks += section_blocks(c.narrative, "conclusions", 2)
    blocks += [Heading(2, "Notes"), method_notes(c.mode is Mode.PUBLICATION)]
    return Document(
        title=c.title,
        marking=c.marking,
        blocks=tuple(blocks),
        subject=f"Corporate parenting pack: {c.contract_name}",
        author=c.council or c.place,
        filename=f"corporate-parenting-{c.year}" + (f"-q{c.quarter}" if c.quarter else ""),
        date=c.as_at,
    )
