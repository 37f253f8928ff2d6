"""The corporate parenting pack: children looked after, adoption, care leavers, virtual school.

The pack lists the measures the Corporate Parenting Board follows (INDICATORS.md). A measure
cscmonitor does not compute yet, or whose return is not held, is shown as not yet available,
saying what is missing; no figure is ever put in its place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cscmonitor.periods import Period, twelve_months_to
from cscmonitor.records.narrative_sections import ReportKind
from cscmonitor.reports.context.commentary import commentary
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

SSDA903 = "the SSDA903 return"
CARE_LEAVERS = "the SSDA903 return's OC3 care leavers' records"
VIRTUAL_SCHOOL = "the virtual school's records"
ADOPTION = "the SSDA903 return's episodes and adoption records (AD1)"

SECTIONS: tuple[tuple[str, tuple[Wanted, ...]], ...] = (
    (
        "Children looked after",
        (
            Wanted("CLA_RATE", "Children looked after per 10,000 at period end", SSDA903),
            Wanted("CLA_3PLUS", "Three or more placements in the year", SSDA903),
            Wanted("CLA_LT_STABLE", "Long-term placement stability", SSDA903),
            Wanted("CLA_MISSING", "Children missing from placement", SSDA903),
            Wanted("CLA_AWAY", "Children away from placement without authorisation", SSDA903),
            Wanted("CLA_REVIEWS_TIMELY", "Looked-after reviews within timescale", SSDA903),
        ),
    ),
    (
        "Care leavers",
        (
            Wanted(
                "CL_EET",
                "Care leavers aged 19–21 in education, employment or training",
                CARE_LEAVERS,
            ),
            Wanted(
                "CL_SUITABLE", "Care leavers aged 19–21 in suitable accommodation", CARE_LEAVERS
            ),
            Wanted("CL_IN_TOUCH", "Care leavers in touch", CARE_LEAVERS),
        ),
    ),
    (
        "Adoption (three years to the period end)",
        (
            Wanted(
                "ADOPT_A1",
                "Days from entering care to moving in with the adoptive family",
                ADOPTION,
            ),
            Wanted("ADOPT_A10", "A1 adjusted for foster-carer adoptions", ADOPTION),
            Wanted("ADOPT_A2", "Days from court authority to match", ADOPTION),
        ),
    ),
    (
        "Education of children looked after (the virtual school)",
        (
            Wanted(
                "VS_GOOD_SCHOOL", "Attending a school judged good or outstanding", VIRTUAL_SCHOOL
            ),
            Wanted("VS_PEP_TIMELY", "Personal education plan reviewed this term", VIRTUAL_SCHOOL),
            Wanted("VS_PEP_QUALITY", "PEPs audited as good or better", VIRTUAL_SCHOOL),
            Wanted("VS_PERSIST_ABS", "Persistent absence", VIRTUAL_SCHOOL),
            Wanted("VS_SUSPENDED", "Suspended at least once", VIRTUAL_SCHOOL),
            Wanted("VS_PERM_EXCL", "Permanent exclusions", VIRTUAL_SCHOOL),
        ),
    ),
)


@dataclass(frozen=True)
class Section:
    title: str
    panels: tuple[Panel, ...]


@dataclass(frozen=True)
class CorporateParentingContext:
    title: str
    marking: str
    mode: Mode
    contract_name: str
    council: str | None
    place: str
    la_code: str
    year: int
    quarter: int | None
    period: Period  # the 12 months reported on
    compared: Period  # the same 12 months a year earlier
    as_at: dt.date
    snapshot_id: str
    snapshot_date: dt.date
    sections: tuple[Section, ...]
    draft: bool = False
    narrative: Narrative = field(default_factory=Narrative)  # the foreword and the conclusions

    @property
    def panels(self) -> tuple[Panel, ...]:
        return tuple(p for s in self.sections for p in s.panels)

    @property
    def absent(self) -> tuple[Panel, ...]:
        return tuple(p for p in self.panels if p.absent)


def build_corporate_parenting_context(
    sources: Sources,
    year: int,
    mode: Mode,
    *,
    quarter: int | None = None,
    as_at: dt.date | None = None,
    draft: bool = False,
) -> CorporateParentingContext:
    """The pack for the 12 months to the end of contract `year` (or of its `quarter`)."""
    terms = sources.terms
    end = (contract_quarter(terms, year, quarter) if quarter else terms.contract_year(year)).end
    period = twelve_months_to(end)
    compared = twelve_months_to(period.start - dt.timedelta(days=1))
    basket = {e.indicator: e for e in terms.basket}
    sections = []
    wanted_all: list[Wanted] = []
    for _title, wanted in SECTIONS:
        for w in wanted:
            entry = basket.get(w.code)
            wanted_all.append(
                w
                if entry is None
                else Wanted(
                    w.code, w.title, w.source, entry.baseline, entry.target, entry.tolerance
                )
            )
    request = Request(
        la_code=terms.la_code,
        place=sources.place,
        latest=period,
        compared=compared,
        compared_label="a year earlier",
        trend=trend(terms, end, since=compared.start),
        discloser=Discloser(mode),
    )
    when = as_at or end
    what = f"the corporate parenting pack for contract year {year}"
    figures = figures_for(
        sources, wanted_all, request, year=year, as_at=when, draft=draft, what=what
    )
    panels = iter(
        build_panels(
            figures,
            wanted_all,
            request,
            commentary=commentary(sources.session, sources.records, period, within=False),
        )
    )
    for title, wanted in SECTIONS:
        sections.append(Section(title, tuple(next(panels) for _ in wanted)))
    named = f"quarter {quarter} of contract year {year}" if quarter else f"contract year {year}"
    return CorporateParentingContext(
        title=f"Corporate parenting pack: {sources.place}, {named}",
        marking=marking(mode, draft=draft),
        mode=mode,
        contract_name=terms.name,
        council=terms.council.name if terms.council else None,
        place=sources.place,
        la_code=terms.la_code,
        year=year,
        quarter=quarter,
        period=period,
        compared=compared,
        as_at=when,
        snapshot_id=sources.snapshot.id,
        snapshot_date=sources.snapshot_date,
        sections=tuple(sections),
        draft=draft,
        narrative=narrative_for(sources, ReportKind.CORPORATE_PARENTING, year, quarter),
    )
