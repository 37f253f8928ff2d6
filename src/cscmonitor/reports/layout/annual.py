"""The annual review laid out in the seed's order, with page references from the abridged
report to the appendix pages that hold the detail (the seed's margin numbers)."""

from __future__ import annotations

from cscmonitor.indicators.registry import Unit, by_framework
from cscmonitor.records.governance_facts import ChangeLine, InspectionLine, PriorityLine
from cscmonitor.records.money import format_pounds
from cscmonitor.reports.context.annual import AnnualContext
from cscmonitor.reports.context.indicators import Panel
from cscmonitor.reports.disclosure import Mode
from cscmonitor.reports.document import (
    Anchor,
    Block,
    Bullets,
    Cell,
    Document,
    Facts,
    Heading,
    Item,
    PageRef,
    Paragraph,
    Table,
)
from cscmonitor.reports.layout.common import (
    action_table,
    agreed_cell,
    basket_table,
    indicator_blocks,
    method_notes,
    money_cell,
    money_sentences,
    money_table,
)
from cscmonitor.reports.layout.demand import demand_blocks
from cscmonitor.reports.layout.narrative import letter_blocks, section_blocks
from cscmonitor.reports.layout.numbering import numbered
from cscmonitor.wording import capital, day, joined, plural, punctuated, sentence, words

# Anchors name what they hold, never a letter: `layout.numbering` letters the appendices.
INDICATORS, INDICATORS_END = "indicators", "indicators-end"
INSPECTIONS, ACTIONS = "inspections", "action-plans"
MONEY, BUDGET = "spend-against-budget", "next-budget"
CHANGES = "proposed-changes"
STRATEGIC, JOINT, INNOVATION = "strategic-priorities", "joint-focus", "innovation"


def change_anchor(number: int) -> str:
    return f"proposed-change-{number}"


def _letter(c: AnnualContext) -> list[Block]:
    blocks: list[Block] = [
        Heading(2, "Covering letter"),
        Facts(
            (
                ("To", "The Secretary of State for Education"),
                ("From", c.council or c.place),
                ("Date", day(c.as_at)),
            )
        ),
        Paragraph(
            f"Annual Report of the {c.trust or c.contract_name} "
            f"({day(c.year_period.start)} – {day(c.year_period.end)})",
            style="lead",
        ),
        Paragraph("Dear Secretary of State,"),
        *letter_blocks(c.narrative),
        *(Paragraph(text, summary=True) for text in c.letter),
        Paragraph("Yours sincerely"),
    ]
    if c.signatories:
        first, *others = c.signatories
        blocks.append(Paragraph(f"{first.name}, {first.title}, {first.party}", style="signature"))
        if others:
            blocks.append(Paragraph("Counter-signatories:"))
            blocks.append(Bullets(tuple(Item(f"{s.name}, {s.title}, {s.party}") for s in others)))
    return blocks


def _inspection_row(line: InspectionLine) -> tuple[Cell, ...]:
    areas = "; ".join(f"{area}: {grade}" for area, grade in line.judgements) or "—"
    return (
        Cell(line.setting),
        Cell(f"{line.inspectorate}: {line.framework}"),
        Cell(line.kind),
        Cell(line.dates),
        Cell(line.overall or "no overall judgement"),
        Cell(areas),
        Cell(str(len(line.recommendations)), len(line.recommendations), "#,##0")
        if line.recommendations
        else Cell("—"),
    )


def _priority_table(lines: tuple[PriorityLine, ...], key: str, caption: str) -> Table:
    return Table(
        key=key,
        caption=caption,
        columns=("Priority", "Leads", "From contract year", "Status", "Milestones", "Progress"),
        rows=tuple(
            (
                Cell(p.title + (f": {p.description}" if p.description else "")),
                Cell("; ".join(p.leads) or "—"),
                Cell("—") if p.from_year is None else Cell(str(p.from_year), p.from_year, "0"),
                Cell(capital(p.status)),
                Cell("; ".join(f"{t} (due {d}, {s})" for t, d, s in p.milestones) or "—"),
                Cell(" ".join(p.progress) or "—"),
            )
            for p in lines
        ),
    )


def _change_item(number: int, change: ChangeLine) -> Item:
    state = words(change.state)
    direction = "; it needs a Statutory Direction" if change.needs_direction else ""
    said = f"{change.title} ({change.reference}): {state}{direction}."
    return Item(
        f"{said} {change.description}" if change.description else said,
        (PageRef(change_anchor(number)),),
    )


def _neighbours_now(panels: tuple[Panel, ...]) -> dict[str, str]:
    """Each indicator's statistical neighbours' mean as the indicators' appendix shows it (the
    figure model's DfE year), so the proposed basket's typed figure stands beside the one this
    review uses."""
    shown = {}
    for p in panels:
        if p.figure is not None:
            f = p.figure
            year = f" (DfE {f.benchmark.year})" if f.benchmark.year else ""
            shown[p.code] = f"{f.neighbours_text}{year}"
    return shown


def _proposed_cell(value: object, unit: Unit | None, term: str) -> Cell:
    """A figure of a proposed basket, as the request records it; a number keeps its number,
    in the indicator's unit when the review shows that indicator."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return Cell("—" if value is None else str(value))
    if unit is None:
        return Cell(str(value), value)
    return agreed_cell(value, unit, tolerance=term == "tolerance")


def _change_blocks(number: int, change: ChangeLine, panels: tuple[Panel, ...]) -> list[Block]:
    blocks: list[Block] = [
        Heading(
            3, f"{change.reference}: {change.title}", anchor=change_anchor(number), appendix=True
        ),
        Facts(
            (
                ("Kind", capital(change.kind)),
                ("State", capital(words(change.state))),
                ("Statutory Direction needed", "yes" if change.needs_direction else "no"),
                ("Takes effect", day(change.effective)),
                ("What it changes", change.summary),
            )
        ),
    ]
    # The description is the abridged report's, beside its reference to this page.
    if change.moves:
        blocks.append(
            Table(
                key=f"change-{number}-moves",
                caption=f"{change.reference}: its moves through the change-request workflow",
                columns=("Date", "Party", "By", "Moved to", "Reason"),
                rows=tuple(tuple(Cell(x) for x in move) for move in change.moves),
                row_headers=False,
            )
        )
    if change.basket:
        neighbours = _neighbours_now(panels)
        units = {p.code: p.unit for p in panels}
        blocks.append(
            Table(
                key=f"change-{number}-basket",
                caption=f"{change.reference}: the proposed basket",
                columns=(
                    "Indicator",
                    "Baseline",
                    "Target",
                    "Tolerance",
                    "Statistical neighbours' figure, as the request records it",
                    "Statistical neighbours' mean in this review",
                ),
                rows=tuple(
                    (
                        _proposed_cell(e.get("indicator"), None, "indicator"),
                        *(
                            _proposed_cell(e.get(k), units.get(str(e.get("indicator"))), k)
                            for k in ("baseline", "target", "tolerance", "statistical_neighbour")
                        ),
                        Cell(neighbours.get(str(e.get("indicator")), "not in this review")),
                    )
                    for e in change.basket
                ),
            )
        )
    return blocks


def _abridged(c: AnnualContext) -> list[Block]:
    panels_ref = PageRef(INDICATORS, INDICATORS_END)
    blocks: list[Block] = [
        Heading(2, "Abridged report"),
        *section_blocks(c.narrative, "judgement", 3, summary=True),
        Heading(
            3,
            "Summary of the Trust's performance against Performance Indicators in the "
            "preceding Contract Year",
        ),
        Paragraph(c.overview, (panels_ref,)),
        Paragraph("Of particular note, computed from the statutory returns:"),
        Bullets(tuple(Item(f.text, (PageRef(f.anchor),)) for f in c.findings)),
        *section_blocks(c.narrative, "performance", 4),
    ]
    if c.outlooks:
        blocks += [
            Paragraph(
                "Trajectories to the basket's targets: a straight line fitted to the rolling "
                f"12-month figures held as at {day(c.as_at)}, each weighted by its cohort, "
                "projected with its 95% prediction interval (on track: the interval's worse end "
                "still meets the target; at risk: the projection meets it, the worse end does "
                "not; off track: the projection misses it):"
            ),
            Bullets(tuple(Item(text) for text in c.outlooks)),
        ]
    blocks += section_blocks(c.narrative, "benchmarks", 4)
    if not c.records_held:
        blocks.append(
            Paragraph(
                "No governance records are held for this contract: inspections, finance, "
                "priorities and changes cannot be reported."
            )
        )
        return blocks
    blocks += [
        Heading(3, "Inspections in the year"),
        Paragraph(
            f"The {plural(len(c.inspections), 'inspection')} of the 12 months to {day(c.as_at)}, "
            "by framework:",
            (PageRef(INSPECTIONS),),
        ),
        Bullets(tuple(Item(t) for t in c.inspection_findings)),
        Paragraph(c.actions_summary, (PageRef(ACTIONS),)),
        *section_blocks(c.narrative, "inspections", 4),
        Heading(
            3, "Summary of the Trust's performance against budget in the preceding Contract Year"
        ),
    ]
    blocks += [Paragraph(t, (PageRef(MONEY),)) for t in money_sentences(c.money)]
    if not c.money:
        blocks.append(Paragraph("No budget covering the contract year is held."))
    blocks += section_blocks(c.narrative, "finance", 4)
    blocks.append(Heading(3, "Confirmation in principle of the budget for the next Contract Year"))
    if c.budget is not None:
        b = c.budget
        approval = " (subject to Council approval)" if b.status == "indicative" else ""
        adjustments = joined(
            [f"{kind} {format_pounds(amount)}" for kind, amount, _ in b.adjustments]
        )
        blocks.append(
            Paragraph(
                f"The {b.status} budget for {b.label}{approval} is {format_pounds(b.total_pence)}, "
                f"{b.change_text()}"
                + (f" on {format_pounds(b.base_pence)}" if b.base_pence is not None else "")
                + (f". The adjustments: {adjustments}." if adjustments else ".")
                + (f" {b.note}" if b.note else ""),
                (PageRef(BUDGET),),
            )
        )
    else:
        blocks.append(Paragraph("No budget for the next contract year is held yet."))
    blocks.append(
        Heading(
            3,
            "Agreed strategic priorities and outcomes relevant to the Services in the next "
            "Contract Year",
        )
    )
    if c.strategic:
        blocks.append(
            Paragraph(
                "Strategic priorities have been agreed that focus on:",
                (PageRef(STRATEGIC),),
            )
        )
        blocks.append(Bullets(tuple(Item(t) for t in punctuated([p.title for p in c.strategic]))))
    else:
        blocks.append(Paragraph("No strategic priorities are held for the next contract year."))
    blocks += section_blocks(c.narrative, "priorities", 4)
    blocks.append(Heading(3, "Proposed changes to the Agreement as a result of the Annual Review"))
    if c.changes:
        held = "is" if len(c.changes) == 1 else "are"
        blocks.append(
            Paragraph(
                f"{capital(plural(len(c.changes), 'proposed change'))} to the contract {held} held:"
            )
        )
        blocks.append(
            Bullets(tuple(_change_item(n, ch) for n, ch in enumerate(c.changes, 1)), ordered=True)
        )
    else:
        blocks.append(Paragraph("No change to the contract is proposed."))
    if c.in_preparation:
        blocks.append(
            Paragraph(
                sentence(
                    "In preparation (drafts not yet proposed): "
                    + "; ".join(
                        f"{ch.title} ({ch.reference}): {ch.summary}" for ch in c.in_preparation
                    )
                )
            )
        )
    blocks += section_blocks(c.narrative, "changes", 4)
    blocks.append(Heading(3, "Areas of Joint Focus"))
    if c.joint_focus:
        blocks.append(
            Paragraph(
                f"Both parties have agreed {plural(len(c.joint_focus), 'area')} of joint "
                "focus over the coming year:"
            )
        )
        blocks.append(
            Bullets(
                tuple(
                    Item(
                        sentence(p.title) + (f" {p.description}" if p.description else ""),
                        (PageRef(JOINT),),
                    )
                    for p in c.joint_focus
                ),
                ordered=True,
            )
        )
    else:
        blocks.append(Paragraph("No area of joint focus is held."))
    blocks += section_blocks(c.narrative, "joint_working", 4)
    if c.innovation:
        blocks.append(
            Paragraph(
                "Innovation projects: " + joined([p.title for p in c.innovation]) + ".",
                (PageRef(INNOVATION),),
            )
        )
    blocks += section_blocks(c.narrative, "youth_justice", 3)
    blocks += section_blocks(c.narrative, "conclusions", 3)
    return blocks


def _by_framework(panels: tuple[Panel, ...], latest: str) -> list[Block]:
    """Appendix A's indicators under the National Framework outcome or enabler each speaks to
    (`registry.by_framework`), in the Framework's order; one cscmonitor does not compute has
    no tag and comes last."""
    computed = by_framework([p for p in panels if p.figure is not None], lambda p: p.code)
    groups: list[tuple[str, list[Panel]]] = [(f.label, members) for f, members in computed]
    if rest := [p for p in panels if p.figure is None]:
        groups.append(("Not computed by cscmonitor", rest))
    blocks: list[Block] = []
    n = 0
    for label, members in groups:
        blocks.append(Heading(3, label))
        for panel in members:
            n += 1
            blocks += indicator_blocks(panel, panel.title, 4, f"series-a{n}", latest, appendix=True)
    return blocks


def _appendices(c: AnnualContext) -> list[Block]:
    latest = f"Contract year {c.year} ({c.year_period.label})"
    blocks: list[Block] = [
        Heading(2, "Performance indicators", anchor=INDICATORS, new_page=True, appendix=True),
        Paragraph(
            f"Each indicator computed for contract year {c.year} ({day(c.year_period.start)} to "
            f"{day(c.year_period.end)}) against the baseline year ({c.baseline_period.label}), "
            "with its trend over the rolling 12 months to each quarter end."
        ),
        basket_table(
            c.panels,
            "basket",
            f"The basket in contract year {c.year}",
            latest,
            "Baseline year",
            summary=True,
        ),
    ]
    blocks += _by_framework(c.panels, latest)
    blocks.append(Anchor(INDICATORS_END))
    if not c.records_held:
        return blocks
    blocks += [
        Heading(2, "Inspections", appendix=True),
        Heading(
            3, f"Inspections in the 12 months to {day(c.as_at)}", anchor=INSPECTIONS, appendix=True
        ),
        Table(
            key="inspections",
            caption=f"Inspections from {day(c.window.start)} to {day(c.window.end)}",
            columns=(
                "Setting",
                "Framework",
                "Type",
                "Dates",
                "Overall judgement",
                "Judgements by area",
                "Recommendations",
            ),
            rows=tuple(_inspection_row(i) for i in c.inspections),
        ),
        Heading(3, "Inspection action plans", anchor=ACTIONS, appendix=True),
        action_table(c.actions, "actions", f"Action plans on {day(c.as_at)}, overdue first"),
        Heading(2, "Finance", appendix=True),
        Heading(3, "Spend against budget and the risk share", anchor=MONEY, appendix=True),
        money_table(c.money, "finance", "Spend against budget, before and after the risk share"),
        Heading(3, "The budget for the next contract year", anchor=BUDGET, appendix=True),
    ]
    if c.budget is not None:
        b = c.budget
        blocks += [
            Table(
                key="budget-lines",
                caption=f"Budget {b.label} ({b.status}) by service area",
                columns=("Service area", "Amount"),
                rows=(
                    *((Cell(area), money_cell(amount)) for area, amount in b.lines),
                    (Cell("Total"), money_cell(b.total_pence)),
                ),
            ),
            Table(
                key="budget-adjustments",
                caption=f"Budget {b.label}: adjustments to the base budget"
                + (f" of {format_pounds(b.base_pence)}" if b.base_pence is not None else ""),
                columns=("Adjustment", "Amount", "Note"),
                rows=tuple(
                    (Cell(capital(kind)), money_cell(amount), Cell(note or "—"))
                    for kind, amount, note in b.adjustments
                ),
            ),
        ]
    else:
        blocks.append(Paragraph("No budget for the next contract year is held yet."))
    if c.demand:
        blocks += demand_blocks(c.demand, 3, "demand", "Demand and cost", appendix=True)
    blocks.append(Heading(2, "Proposed changes to the Agreement", anchor=CHANGES, appendix=True))
    for n, change in enumerate(c.changes, start=1):
        blocks += _change_blocks(n, change, c.panels)
    if not c.changes:
        blocks.append(Paragraph("No change to the contract is proposed."))
    blocks += [
        Heading(2, "Priorities, joint focus and innovation", appendix=True),
        Heading(3, "Strategic priorities", anchor=STRATEGIC, appendix=True),
        _priority_table(
            c.strategic,
            "strategic-priorities",
            f"Strategic priorities for contract year {c.year + 1}",
        ),
        Heading(3, "Areas of joint focus", anchor=JOINT, appendix=True),
        _priority_table(c.joint_focus, "joint-focus", "Areas of joint focus"),
        Heading(3, "Innovation projects", anchor=INNOVATION, appendix=True),
        Table(
            key="innovation",
            caption="Funded innovation projects",
            columns=("Project", "Funder", "Funding", "Status", "Progress"),
            rows=tuple(
                (
                    Cell(p.title + (f": {p.description}" if p.description else "")),
                    Cell(p.funder or "—"),
                    money_cell(p.funding_pence),
                    Cell(capital(p.status)),
                    Cell(" ".join(p.progress) or "—"),
                )
                for p in c.innovation
            ),
        ),
    ]
    return blocks


def annual_document(c: AnnualContext) -> Document:
    blocks: list[Block] = [
        Heading(1, c.title),
        Facts(
            (
                ("Contract", c.contract_name),
                ("Local authority", f"{c.place} ({c.la_code})"),
                (
                    "Contract year",
                    f"{c.year}: {day(c.year_period.start)} to {day(c.year_period.end)}",
                ),
                (
                    "Baseline year",
                    f"{day(c.baseline_period.start)} to {day(c.baseline_period.end)}",
                ),
                ("As at (figures, judgements and records)", day(c.as_at)),
                ("Data snapshot", f"{c.snapshot_id}, taken {day(c.snapshot_date)}"),
                ("Report", c.marking),
            )
        ),
        *_letter(c),
        *_abridged(c),
        *_appendices(c),
        Heading(2, "Notes on method"),
        method_notes(c.mode is Mode.PUBLICATION),
    ]
    return Document(
        title=c.title,
        marking=c.marking,
        blocks=numbered(blocks),
        subject=f"Annual review to the Secretary of State: {c.contract_name}",
        author=c.council or c.place,
        filename=f"annual-review-{c.year}",
        date=c.as_at,
    )
