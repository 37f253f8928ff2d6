"""The "demand and cost" section laid out: the fan chart of children looked after, its table,
and the modelled placement outturn with its split under the risk share (or why there is none).

Self-contained: a report adds `demand_blocks(context.demand, level, key)` where it wants it.
"""

from __future__ import annotations

from cscmonitor.records.money import format_pounds
from cscmonitor.reports.context.demand import (
    TABLE_HORIZONS,
    DemandContext,
    ModelledMoney,
)
from cscmonitor.reports.demand_chart import FanMonth, describe, draw
from cscmonitor.reports.document import Block, Cell, Figure, Heading, Paragraph, Table
from cscmonitor.reports.layout.common import MONEY_FORMAT
from cscmonitor.wording import capital, day

TITLE = "Demand and cost"


def _pounds(pence: int) -> str:
    """Whole pounds: a modelled figure's pence would be false precision."""
    return format_pounds(round(pence, -2))


def _signed_money(pence: int) -> Cell:
    return Cell(_pounds(pence), round(pence, -2) / 100, MONEY_FORMAT)


def _variance(pence: int) -> str:
    if pence == 0:
        return "on budget"
    kind = "an overspend" if pence > 0 else "an underspend"
    return f"{kind} of {_pounds(abs(pence))}"


def _month(m: FanMonth) -> Cell:
    """The median of the simulated paths with its 80% interval. The cell's number is the
    median; a spreadsheet shows the interval beside it through the number format."""
    interval = f" (80%: {m.lower80:,} to {m.upper80:,})"
    return Cell(f"{m.median:,}{interval}", m.median, f'#,##0"{interval}"')


def _between(low: int, high: int) -> str:
    return f"{_pounds(low)} to {_pounds(high)}"


def money_sentences(m: ModelledMoney) -> list[str]:
    """The modelled outturn, its variance and the two shares, each with its 80% interval."""
    mid, low, high = m.line("forecast"), m.line("lower80"), m.line("upper80")
    scenario = f"under scenario {m.scenario!r}" if m.scenario else "with no scenario adjustments"
    first = (
        f"The modelled forecast outturn of the {m.line_name} line of budget {m.budget} "
        f"(spend to date {_pounds(m.spent_to_date_pence)} plus the simulated rest of the "
        f"year from {day(m.as_at)}, {scenario}, on data snapshot {m.snapshot_id}) is "
        f"{_pounds(mid.line_outturn_pence)} (80% interval: "
        f"{_between(low.line_outturn_pence, high.line_outturn_pence)})."
    )
    if m.problem:
        return [first, capital(m.problem) + "."]
    return [
        first,
        f"With the other lines spending their budget, the budget shows "
        f"{_variance(mid.variance_pence)} (80% interval: {_variance(low.variance_pence)} to "
        f"{_variance(high.variance_pence)}). Under the risk share the Council's share is "
        f"{_pounds(mid.council_pence)} (80% interval: "
        f"{_between(low.council_pence, high.council_pence)}) and the Trust's "
        f"{_pounds(mid.trust_pence)} (80% interval: "
        f"{_between(low.trust_pence, high.trust_pence)}).",
    ]


def money_table(m: ModelledMoney, key: str) -> Table:
    return Table(
        key=key,
        caption=f"Modelled outturn of {m.line_name}, budget {m.budget}, and the risk share",
        columns=("Measure", "Line outturn", "Budget variance", "Council's share", "Trust's share"),
        rows=tuple(
            (
                Cell(s.label),
                _signed_money(s.line_outturn_pence),
                _signed_money(s.variance_pence),
                _signed_money(s.council_pence),
                _signed_money(s.trust_pence),
            )
            for s in m.lines
        ),
        notes=(
            "A positive variance is an overspend. A positive share is what the party pays "
            "towards an overspend; a negative one is what it takes back or keeps from an "
            "underspend. The other budget lines are taken to spend their budget.",
        ),
    )


def demand_blocks(
    d: DemandContext, level: int, key: str, title: str = TITLE, *, appendix: bool = False
) -> list[Block]:
    """The section, its heading at `level` (numbered in its appendix when `appendix`); `key`
    prefixes its tables' keys."""
    blocks: list[Block] = [Heading(level, title, appendix=appendix)]
    if d.chart is None or d.origin is None:
        blocks.append(
            Paragraph(f"No forecast of children looked after can be made: {d.no_forecast}.")
        )
    else:
        every = next(r for r in d.rows if r.category == "all")
        ahead = every.months[-1] if every.months else d.chart.months[-1]
        scenario = f" under scenario {d.scenario!r}" if d.scenario else ""
        blocks.append(
            Paragraph(
                f"Forecast from {day(d.origin)}{scenario}: {ahead.median:,} children looked "
                f"after on {day(ahead.on)} (80% interval {ahead.lower80:,} to {ahead.upper80:,}; "
                f"95% interval {ahead.lower95:,} to {ahead.upper95:,}), against "
                f"{d.chart.history[-1][1]:,} on {day(d.chart.history[-1][0])}."
                if d.chart.history
                else f"Forecast from {day(d.origin)}{scenario}."
            )
        )
        blocks.append(
            Figure(
                png=draw(d.chart),
                alt=describe(d.chart, every.months),
                caption=d.chart.title,
            )
        )
        horizons = [h for h in TABLE_HORIZONS if h <= len(d.chart.months)]
        blocks.append(
            Table(
                key=f"{key}-children",
                caption=f"Children looked after by placement: forecast from {day(d.origin)}",
                columns=("Placement", *(f"In {h} months" for h in horizons)),
                rows=tuple(
                    (
                        Cell("All children" if r.category == "all" else capital(r.category)),
                        *(_month(m) for m in r.months),
                    )
                    for r in d.rows
                ),
                notes=(
                    "Each cell is the median of the simulated paths with its 80% interval "
                    "(docs/forecast.md).",
                ),
            )
        )
    blocks += [Paragraph(note, style="note") for note in d.notes]
    if not d.records_held:
        blocks.append(
            Paragraph("No governance records are held, so no modelled forecast outturn is held.")
        )
    elif d.money is None:
        blocks.append(
            Paragraph(
                "No modelled forecast of placement spend is held for this period: the forecast "
                "outturn and its split under the risk share appear here once one is made "
                "(cscmonitor forecast outturn)."
            )
        )
    else:
        blocks += [Paragraph(t) for t in money_sentences(d.money)]
        if d.money.lines:
            blocks.append(money_table(d.money, f"{key}-money"))
    return blocks
