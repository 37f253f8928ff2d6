"""The quarterly performance report's context: the basket at a quarter end, money and actions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cscmonitor.figures import Figure
from cscmonitor.periods import Period, twelve_months_to
from cscmonitor.records.governance_facts import ActionLine, action_plan
from cscmonitor.records.money_facts import MoneyPosition, positions
from cscmonitor.records.narrative_sections import ReportKind
from cscmonitor.reports.context.commentary import commentary
from cscmonitor.reports.context.demand import DemandContext, demand_context
from cscmonitor.reports.context.indicators import (
    Panel,
    Request,
    Wanted,
    build_panels,
    figures_for,
)
from cscmonitor.reports.context.narrative import Narrative, narrative_for
from cscmonitor.reports.context.sources import Sources
from cscmonitor.reports.context.timing import contract_quarter, trend
from cscmonitor.reports.disclosure import Discloser, Mode, marking


@dataclass(frozen=True)
class QuarterlyContext:
    title: str
    marking: str
    mode: Mode
    contract_name: str
    council: str | None
    place: str
    la_code: str
    year: int
    quarter: int
    quarter_period: Period
    latest_period: Period  # the 12 months to the quarter's end
    baseline_period: Period
    as_at: dt.date
    snapshot_id: str
    snapshot_date: dt.date
    panels: tuple[Panel, ...]  # exceptions first, then in basket order
    money: tuple[MoneyPosition, ...]
    actions: tuple[ActionLine, ...]
    records_held: bool
    draft: bool = False
    demand: DemandContext | None = None
    narrative: Narrative = field(
        default_factory=Narrative
    )  # each exception's commentary and response

    @property
    def exceptions(self) -> tuple[Panel, ...]:
        return tuple(p for p in self.panels if p.exception)

    @property
    def controls(self) -> tuple[Figure, ...]:
        """The figures whose control charts the pack shows, in the panels' order: each carries
        its monthly chart to the quarter's end, its variation and assurance and their words."""
        return tuple(p.figure for p in self.panels if p.figure is not None)


def basket_wanted(sources: Sources) -> tuple[Wanted, ...]:
    return tuple(
        Wanted(e.indicator, baseline=e.baseline, target=e.target, tolerance=e.tolerance)
        for e in sources.terms.basket
    )


def build_quarterly_context(
    sources: Sources,
    year: int,
    quarter: int,
    mode: Mode,
    *,
    as_at: dt.date | None = None,
    draft: bool = False,
) -> QuarterlyContext:
    """The report for `quarter` of contract `year`, as at the quarter's end by default."""
    terms = sources.terms
    span = contract_quarter(terms, year, quarter)
    when = as_at or span.end
    latest = twelve_months_to(span.end)
    request = Request(
        la_code=terms.la_code,
        place=sources.place,
        latest=latest,
        compared=terms.baseline_period(),
        compared_label="baseline year",
        trend=trend(terms, span.end),
        discloser=Discloser(mode),
    )
    wanted = basket_wanted(sources)
    what = f"the quarterly report for contract year {year}, quarter {quarter}"
    figures = figures_for(sources, wanted, request, year=year, as_at=when, draft=draft, what=what)
    panels = build_panels(
        figures,
        wanted,
        request,
        commentary=commentary(sources.session, sources.records, span, within=False),
    )
    records = sources.records
    return QuarterlyContext(
        title=f"Quarterly performance report: contract year {year}, quarter {quarter}",
        marking=marking(mode, draft=draft),
        mode=mode,
        contract_name=terms.name,
        council=terms.council.name if terms.council else None,
        place=sources.place,
        la_code=terms.la_code,
        year=year,
        quarter=quarter,
        quarter_period=span,
        latest_period=latest,
        baseline_period=terms.baseline_period(),
        as_at=when,
        snapshot_id=sources.snapshot.id,
        snapshot_date=sources.snapshot_date,
        panels=tuple(sorted(panels, key=lambda p: not p.exception)),
        money=() if records is None else positions(records, span, when),
        actions=() if records is None else action_plan(records, when),
        records_held=records is not None,
        draft=draft,
        demand=demand_context(sources, span, when),
        narrative=narrative_for(
            sources, ReportKind.QUARTERLY, year, quarter, [p.code for p in panels if p.exception]
        ),
    )
