"""The National Framework pack's context: every measure for the LA at a quarter's end, under
the outcome or enabler of the Children's Social Care National Framework it speaks to.

The sections are the framework figure model (`framework_figures`): every registered
indicator (the basket's terms where the contract sets them) and the dashboard's
benchmark-only measures, built once; the layout only renders them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cscmonitor.figures import refuse_without_figures
from cscmonitor.framework_figures import (
    Section,
    framework_figures,
    framework_sections,
    published_measures,
)
from cscmonitor.periods import Period, twelve_months_to
from cscmonitor.reports.context.sources import Sources
from cscmonitor.reports.context.timing import contract_quarter
from cscmonitor.reports.disclosure import Discloser, Mode, marking


@dataclass(frozen=True)
class FrameworkContext:
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
    as_at: dt.date
    snapshot_id: str
    snapshot_date: dt.date
    sections: tuple[Section, ...]  # every outcome and enabler, in the Framework's order
    discloser: Discloser
    draft: bool = False


def build_framework_context(
    sources: Sources,
    year: int,
    quarter: int,
    mode: Mode,
    *,
    as_at: dt.date | None = None,
    draft: bool = False,
) -> FrameworkContext:
    """The pack for `quarter` of contract `year`, as at the quarter's end by default.

    Refused (`figures.NoFigures`) when no figure is held for the 12 months, unless `draft`.
    """
    terms = sources.terms
    span = contract_quarter(terms, year, quarter)
    when = as_at or span.end
    latest = twelve_months_to(span.end)
    figures = framework_figures(
        sources.tables,
        terms,
        latest,
        as_at=when,
        published=sources.published,
        year=year,
        change_points=sources.phases(),
    )
    if not draft:
        what = f"the National Framework pack for contract year {year}, quarter {quarter}"
        refuse_without_figures(figures, what, latest)
    others = published_measures(terms.la_code, when, sources.published)
    return FrameworkContext(
        title=f"National Framework pack: contract year {year}, quarter {quarter}",
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
        as_at=when,
        snapshot_id=sources.snapshot.id,
        snapshot_date=sources.snapshot_date,
        sections=framework_sections(figures, others),
        discloser=Discloser(mode),
        draft=draft,
    )
