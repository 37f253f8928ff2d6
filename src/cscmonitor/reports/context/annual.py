"""The annual review to the Secretary of State: the seed's structure, every figure computed.

Its sections follow the Doncaster review of January 2016: a covering letter signed by the
parties' signatories; the performance against the basket in sentences made from computed
values; the inspections of the year with their judgements; spend against budget with the
risk share; next year's budget; strategic priorities; proposed changes to the contract; areas
of joint focus; and appendices with the detail. The records are read as at the review's date.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from cscmonitor.assess import RAG, Standing, Travel
from cscmonitor.periods import Period, add_months, twelve_months_to
from cscmonitor.records.governance_facts import (
    ActionLine,
    ChangeLine,
    InspectionLine,
    MilestoneLine,
    PriorityLine,
    action_plan,
    change_requests,
    inspections_in,
    milestones,
    priorities,
)
from cscmonitor.records.money_facts import BudgetPlan, MoneyPosition, next_budget, positions
from cscmonitor.records.narrative_sections import ReportKind
from cscmonitor.reports.context.commentary import commentary
from cscmonitor.reports.context.demand import DemandContext, demand_context
from cscmonitor.reports.context.indicators import (
    BASELINE_LABEL,
    Panel,
    Request,
    build_panels,
    figures_for,
)
from cscmonitor.reports.context.narrative import Narrative, narrative_for
from cscmonitor.reports.context.quarterly import basket_wanted
from cscmonitor.reports.context.sources import Sources
from cscmonitor.reports.context.timing import trend
from cscmonitor.reports.disclosure import Discloser, Mode, marking
from cscmonitor.wording import format_date, format_value, in_words, joined, plural, punctuated

# The Doncaster review was dated four months after its contract year ended.
REVIEW_AFTER_MONTHS = 4
PROPOSED_STATES = ("proposed", "agreed_in_principle", "direction_requested", "direction_granted")


def review_date(year_end: dt.date) -> dt.date:
    """The default date of the review: four months after the contract year ends."""
    return add_months(year_end, REVIEW_AFTER_MONTHS)


@dataclass(frozen=True)
class Signatory:
    name: str
    title: str
    party: str


@dataclass(frozen=True)
class Finding:
    """One sentence of the performance summary, about one indicator."""

    code: str
    text: str
    anchor: str


@dataclass(frozen=True)
class AnnualContext:
    title: str
    marking: str
    mode: Mode
    contract_name: str
    council: str | None
    trust: str | None
    place: str
    la_code: str
    year: int
    year_period: Period
    baseline_period: Period
    as_at: dt.date  # the date of the review, as at which the records are read
    window: Period  # the 12 months to the review's date, for inspections
    snapshot_id: str
    snapshot_date: dt.date
    signatories: tuple[Signatory, ...]  # the first signs the letter; the rest countersign
    letter: tuple[str, ...]
    overview: str
    findings: tuple[Finding, ...]
    outlooks: tuple[str, ...]  # each basket indicator's trajectory to its milestones
    panels: tuple[Panel, ...]
    inspections: tuple[InspectionLine, ...]
    inspection_findings: tuple[str, ...]
    actions: tuple[ActionLine, ...]
    actions_summary: str
    money: tuple[MoneyPosition, ...]
    budget: BudgetPlan | None
    performance_directions: tuple[MilestoneLine, ...]
    strategic: tuple[PriorityLine, ...]
    joint_focus: tuple[PriorityLine, ...]
    innovation: tuple[PriorityLine, ...]
    changes: tuple[ChangeLine, ...]  # proposed: not drafts, not decided
    in_preparation: tuple[ChangeLine, ...]  # drafts
    records_held: bool
    draft: bool = False
    demand: DemandContext | None = None
    narrative: Narrative = field(default_factory=Narrative)  # people's words, section by section


def _standing_word(standing: Standing) -> str | None:
    return {
        Standing.BETTER: "better than",
        Standing.WORSE: "worse than",
        Standing.HIGHER: "higher than",
        Standing.LOWER: "lower than",
        Standing.SIMILAR: "in line with",
    }.get(standing)


def _benchmark_clause(panel: Panel) -> str:
    """`now better than national (England 24.2%) and regional (…) performance (2014-15)`."""
    c, unit = panel.comparison, panel.unit
    if c.year is None or unit is None or panel.latest.value.number is None:
        return ""
    parts = []
    england, region = _standing_word(c.vs_england), _standing_word(c.vs_region)
    if england and c.england is not None:
        parts.append((england, f"national (England {format_value(c.england, unit)})"))
    if region and c.region is not None:
        parts.append((region, f"regional ({c.region_name} {format_value(c.region, unit)})"))
    text = ""
    if parts:
        if len(parts) == 2 and parts[0][0] == parts[1][0]:
            text = f"now {parts[0][0]} {parts[0][1]} and {parts[1][1]} performance"
        else:
            text = "now " + " and ".join(f"{w} {what} performance" for w, what in parts)
        text += f" (DfE {c.year}, allowing for chance)"
    if c.band is not None:
        cut = (
            f"; band A from {format_value(c.top_quartile, unit)}"
            if c.top_quartile is not None
            else ""
        )
        text += f"{'; ' if text else ''}in quartile band {c.band} of English local authorities"
        text += f" (A is the best quarter{cut})"
    return f" — {text}" if text else ""


def finding(panel: Panel, start: dt.date) -> str:
    """One indicator's sentence, in the review's style: the figure model's, with the figures
    as the report may show them."""
    name = panel.title[0].lower() + panel.title[1:]
    if panel.figure is None:
        return f"{name}: {panel.absent}"
    if panel.absent:
        return panel.figure.sentence(start)
    return panel.figure.sentence(
        start,
        was=(panel.compared.value.text, panel.compared.value.number),
        became=(panel.latest.value.text, panel.latest.value.number),
        clause=_benchmark_clause(panel),
    )


def outlooks(panels: tuple[Panel, ...]) -> tuple[str, ...]:
    """Each basket indicator's trajectory to its milestones, as the figure model words it."""
    return tuple(
        f"{p.title}: {text}"
        for p in panels
        if p.figure is not None
        for text in p.figure.outlook_texts
    )


def _counted(counts: list[tuple[int, str, str]], total: int) -> str:
    """`four improved and one did not`; `all five meet their target`; zero counts left out.

    Each count comes with its words for one and for many (`meets`, `meet`).
    """
    said = [
        f"{'all ' if n == total and total > 1 else ''}{in_words(n)} {one if n == 1 else many}"
        for n, one, many in counts
        if n
    ]
    return joined(said)


def overview(panels: tuple[Panel, ...]) -> str:
    """How the basket stands: travel and RAG counted from the panels."""
    travel = Counter(p.travel.travel for p in panels)
    rag = Counter(p.rag for p in panels)
    total = len(panels)
    improved, declined = travel[Travel.IMPROVED], travel[Travel.DECLINED]
    still = "did not move by more than chance or could not be compared"
    moved = _counted(
        [
            (improved, "improved by more than chance", "improved by more than chance"),
            (declined, "declined by more than chance", "declined by more than chance"),
            (total - improved - declined, still, still),
        ],
        total,
    )
    rated = _counted(
        [
            (rag[RAG.GREEN], "meets its target (Green)", "meet their target (Green)"),
            (rag[RAG.AMBER], "is within tolerance (Amber)", "are within tolerance (Amber)"),
            (rag[RAG.RED], "is beyond tolerance (Red)", "are beyond tolerance (Red)"),
            (rag[RAG.GREY] + rag[RAG.NOT_RATED], "cannot be rated", "cannot be rated"),
        ],
        total,
    )
    return (
        f"Of the {plural(total, 'indicator')} in the basket, against the baseline year "
        f"{moved}; {rated}."
    )


def headline(panels: tuple[Panel, ...]) -> str:
    """The letter's one sentence on the basket; the abridged report gives the detail."""
    total = len(panels)
    improved = sum(p.travel.travel is Travel.IMPROVED for p in panels)
    green = sum(p.rag is RAG.GREEN for p in panels)

    def of(n: int) -> str:
        if n == total:
            return "the one" if n == 1 else f"all {in_words(n)}"
        return f"{'none' if n == 0 else in_words(n)} of the {in_words(total)}"

    return (
        f"Against the baseline year, {of(improved)} {'indicator' if total == 1 else 'indicators'}"
        f" in the basket improved by more than chance, and {of(green)} "
        f"{'meets its' if green == 1 else 'meet their'} target."
    )


def _judged(line: InspectionLine) -> str:
    """`Doncaster Youth Offending Service, no overall judgement; by area, Reducing …`."""
    said = (
        f"{line.setting} judged {line.overall} overall"
        if line.overall
        else f"{line.setting}, no overall judgement"
    )
    if line.judgements:
        said += "; by area, " + "; ".join(f"{area}: {grade}" for area, grade in line.judgements)
    return said


def inspection_findings(lines: tuple[InspectionLine, ...]) -> tuple[str, ...]:
    """One sentence per kind of inspection: how many, and what they judged.

    `Ofsted, Children's home full inspection (2015 framework), four inspections: three Good
    and one Outstanding`; an inspection judged by area is written out with its setting.
    """
    groups: dict[str, list[InspectionLine]] = {}
    for line in lines:
        groups.setdefault(f"{line.inspectorate}, {line.framework}", []).append(line)
    found = []
    for kind, held in groups.items():
        if len(held) == 1:
            found.append(f"{kind}, {held[0].dates}: {_judged(held[0])}")
            continue
        overall = Counter(h.overall for h in held if h.overall)
        text = f"{kind}, {plural(len(held), 'inspection')}"
        if overall:
            text += ": " + joined([f"{in_words(n)} {grade}" for grade, n in overall.items()])
        text += "".join(f"; {_judged(h)}" for h in held if h.judgements)
        found.append(text)
    return punctuated(found) if found else ()


def _actions_summary(actions: tuple[ActionLine, ...], as_at: dt.date) -> str:
    if not actions:
        return "No inspection action plan is held."
    states = Counter(a.status for a in actions)
    overdue = sum(a.overdue for a in actions)
    counted = joined([f"{in_words(n)} {state}" for state, n in sorted(states.items())])
    late = "none" if overdue == 0 else in_words(overdue)
    return (
        f"The action plans hold {plural(len(actions), 'action')}: {counted}; "
        f"{late} overdue on {format_date(as_at)}."
    )


def _signatories(sources: Sources) -> tuple[Signatory, ...]:
    council = [p for p in sources.terms.parties if p.role.value == "council"]
    rest = [p for p in sources.terms.parties if p.role.value != "council"]
    return tuple(
        Signatory(s.name, s.title, party.name)
        for party in council + rest
        for s in party.signatories
    )


def _direction(m: MilestoneLine) -> str:
    status = {
        "on track": "is on track to meet",
        "at risk": "is at risk of missing",
        "met": "has met",
        "missed": "has missed",
        "not started": "is not yet assessed against",
    }.get(m.status, f"is {m.status} against")
    due = f" (due {format_date(m.due)})" if m.due else ""
    return f"{status} the performance direction '{m.title}'{due}"


def _letter(
    sources: Sources,
    year: int,
    period: Period,
    as_at: dt.date,
    panels: tuple[Panel, ...],
    inspections: tuple[InspectionLine, ...],
    directions: tuple[MilestoneLine, ...],
    money: tuple[MoneyPosition, ...],
) -> tuple[str, ...]:
    terms = sources.terms
    parties = joined([p.name for p in terms.parties if p.role.value != "other"])
    facts = (
        f"its facts come from the contract's governance records as at {format_date(as_at)}"
        if sources.records is not None
        else "no governance records are held for the contract"
    )
    paragraphs = [
        f"This is the annual report on the {terms.name} between {parties}, for contract year "
        f"{year}, {format_date(period.start)} to {format_date(period.end)}. Its figures are "
        f"computed from the statutory returns held (data snapshot {sources.snapshot.id}) and "
        f"{facts}.",
        headline(panels),
    ]
    if sources.records is not None:
        paragraphs.append(
            f"Over the 12 months to {format_date(as_at)} there have been "
            f"{plural(len(inspections), 'inspection')} by regulatory bodies of the services "
            "delivered under the contract."
        )
        if directions:
            paragraphs.append(
                "The Council's assessment is that the Trust "
                + joined([_direction(m) for m in directions])
                + "."
            )
        for position in money:
            paragraphs.append(
                f"Budget {position.budget}, {position.basis}: {position.variance_text()}; "
                f"{position.outcome_text()}."
            )
    return tuple(paragraphs)


def build_annual_context(
    sources: Sources,
    year: int,
    mode: Mode,
    *,
    as_at: dt.date | None = None,
    draft: bool = False,
) -> AnnualContext:
    """The annual review of contract `year`, with the records as at the review's date."""
    terms = sources.terms
    span = terms.contract_year(year)
    when = as_at or review_date(span.end)
    request = Request(
        la_code=terms.la_code,
        place=sources.place,
        latest=span,
        compared=terms.baseline_period(),
        compared_label=BASELINE_LABEL,
        trend=trend(terms, span.end),
        discloser=Discloser(mode),
    )
    wanted = basket_wanted(sources)
    what = f"the annual review of contract year {year}"
    figures = figures_for(sources, wanted, request, year=year, as_at=when, draft=draft, what=what)
    panels = build_panels(
        figures,
        wanted,
        request,
        commentary=commentary(sources.session, sources.records, span, within=True),
    )
    records = sources.records
    window = twelve_months_to(when)
    seen = () if records is None else inspections_in(records, window)
    directions = tuple(
        m
        for m in (() if records is None else milestones(records))
        if m.kind == "performance direction"
    )
    money = () if records is None else positions(records, span, when)
    actions = () if records is None else action_plan(records, when)
    held_changes = () if records is None else change_requests(records, when)
    party = {p.role.value: p.name for p in reversed(terms.parties)}
    return AnnualContext(
        title=f"Annual review of the Service Delivery Contract: contract year {year}",
        marking=marking(mode, draft=draft),
        mode=mode,
        contract_name=terms.name,
        council=party.get("council"),
        trust=party.get("trust"),
        place=sources.place,
        la_code=terms.la_code,
        year=year,
        year_period=span,
        baseline_period=terms.baseline_period(),
        as_at=when,
        window=window,
        snapshot_id=sources.snapshot.id,
        snapshot_date=sources.snapshot_date,
        signatories=_signatories(sources),
        letter=_letter(sources, year, span, when, panels, seen, directions, money),
        overview=overview(panels),
        findings=tuple(
            Finding(p.code, text, p.anchor)
            for p, text in zip(
                panels,
                punctuated([finding(p, terms.start_date) for p in panels]),
                strict=True,
            )
        ),
        outlooks=outlooks(panels),
        panels=panels,
        inspections=seen,
        inspection_findings=inspection_findings(seen),
        actions=actions,
        actions_summary=_actions_summary(actions, when),
        money=money,
        budget=None if records is None else next_budget(records, span.end),
        performance_directions=directions,
        strategic=()
        if records is None
        else priorities(records, "strategic_priority", when, year + 1),
        joint_focus=() if records is None else priorities(records, "joint_focus", when, year + 1),
        innovation=() if records is None else priorities(records, "innovation", when, year + 1),
        changes=tuple(c for c in held_changes if c.state in PROPOSED_STATES),
        in_preparation=tuple(c for c in held_changes if c.state == "draft"),
        records_held=records is not None,
        draft=draft,
        demand=demand_context(sources, span, when),
        narrative=narrative_for(sources, ReportKind.ANNUAL, year),
    )
