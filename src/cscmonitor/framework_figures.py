"""The National Framework view's figure model: every measure of each outcome and enabler.

Every registered indicator sits under the outcome or enabler its registration tags it with
(`indicators.framework`); here each becomes a `Figure` for the LA and period (the basket's
terms where the contract sets them, so a RAG only where there is a target), built in ONE
engine call like any other set of figures. Beside them, the dashboard's benchmark-only
measures (absence, attainment, hospital admissions, spend, Ofsted leadership) with their
published values where cscmonitor bundles the file, and a statement that it does not where it
does not. The web's framework pages and the National Framework pack render this; they never
recompute or re-word it. New indicators appear here by registering, with no change.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

from cscmonitor.benchmarks.geography import LocalAuthority, UnknownLA, resolve
from cscmonitor.benchmarks.values import Published
from cscmonitor.figures import Asked, Figure, basket_asked, build_figures
from cscmonitor.indicators.framework import BENCHMARK_ONLY, Framework, Kind, PublishedOnly
from cscmonitor.indicators.registry import Indicator, Tables, all_indicators, by_framework
from cscmonitor.periods import Period
from cscmonitor.records import ofsted, scales
from cscmonitor.spc import Dated
from cscmonitor.terms import ContractTerms
from cscmonitor.wording import format_date

OFSTED_LEADERSHIP = "OFSTED_LEADERSHIP"
LEADERS = "leaders"  # the area `records.ofsted` files "the impact of leaders" under


@dataclass(frozen=True)
class PublishedMeasure:
    """A dashboard measure the returns cannot give, with what is published for the LA."""

    measure: PublishedOnly
    bundled: bool  # whether cscmonitor ships the file(s) it is published in
    value: str  # the LA's published figure, or why none is shown
    region: str  # the LA's region's, or why none is shown
    england: str  # England's, or why none is shown

    @property
    def code(self) -> str:
        return self.measure.code

    @property
    def title(self) -> str:
        return self.measure.title

    @property
    def framework(self) -> Framework:
        return self.measure.framework

    @property
    def source_text(self) -> str:
        """Where it is published, and whether cscmonitor bundles it."""
        held = "bundled with cscmonitor" if self.bundled else "not bundled with cscmonitor"
        return f"{self.measure.source}; {held}"


@dataclass(frozen=True)
class Section:
    """One outcome or enabler: its computed figures and its benchmark-only measures."""

    framework: Framework
    figures: tuple[Figure, ...]
    published: tuple[PublishedMeasure, ...]

    @property
    def label(self) -> str:
        return self.framework.label

    @property
    def description(self) -> str:
        return self.framework.description

    @property
    def measures(self) -> int:
        return len(self.figures) + len(self.published)

    @property
    def held(self) -> int:
        """How many of its figures the returns held give a value."""
        return sum(f.held for f in self.figures)

    @property
    def summary_text(self) -> str:
        """`12 measures: 9 computed with a value, 1 published only` (or why there are none)."""
        if not self.measures:
            what = "outcome" if self.framework.kind is Kind.OUTCOME else "enabler"
            return (
                f"The dashboard has no measure of this {what}, and no indicator computed here "
                "serves it"
            )
        parts = []
        if self.figures:
            parts.append(f"{self.held} of {len(self.figures)} computed with a value")
        if self.published:
            parts.append(f"{len(self.published)} published only")
        noun = "measure" if self.measures == 1 else "measures"
        return f"{self.measures} {noun}: " + ", ".join(parts)


def framework_order(indicator: Indicator) -> tuple[bool, int, str]:
    """Dashboard measures first, in the dashboard's order; then the rest by code."""
    row = indicator.framework.row
    return (row is None, row or 0, indicator.code)


def framework_indicators() -> tuple[Indicator, ...]:
    """Every registered indicator, in framework order (within each outcome or enabler)."""
    return tuple(sorted(all_indicators(), key=framework_order))


def framework_asked(terms: ContractTerms, year: int | None, as_at: dt.date) -> tuple[Asked, ...]:
    """Every registered indicator, with the contract's terms where the basket sets them."""
    basket = {a.code: a for a in basket_asked(terms, year, as_at)}
    return tuple(basket.get(i.code) or Asked(i.code) for i in framework_indicators())


def framework_figures(
    tables: Tables,
    terms: ContractTerms,
    period: Period,
    *,
    as_at: dt.date,
    published: Published | None,
    year: int | None = None,
    change_points: Sequence[Dated] = (),
) -> tuple[Figure, ...]:
    """One figure per registered indicator for the LA and period, built at once."""
    if year is None and period.start >= terms.start_date:
        year = terms.contract_year_number(period.start)
    return build_figures(
        tables,
        terms,
        period,
        as_at=as_at,
        published=published,
        asked=framework_asked(terms, year, as_at),
        year=year,
        change_points=change_points,
    )


def is_bundled(measure: PublishedOnly) -> bool:
    """Whether every file the measure is published in ships with cscmonitor (under `data/`)."""
    data = resources.files("cscmonitor").joinpath("data")
    return bool(measure.files) and all(data.joinpath(f).is_file() for f in measure.files)


def published_measures(
    la_code: str, as_at: dt.date, published: Published | None = None
) -> tuple[PublishedMeasure, ...]:
    """The benchmark-only measures for the LA as at a date: published values where bundled."""
    return tuple(_published_measure(m, la_code, as_at, published) for m in BENCHMARK_ONLY)


def _published_measure(
    measure: PublishedOnly, la_code: str, as_at: dt.date, published: Published | None
) -> PublishedMeasure:
    if not is_bundled(measure):
        files = ", ".join(measure.files)
        value = f"not bundled: published in {files}, which cscmonitor does not ship"
        return PublishedMeasure(measure, False, value, "not bundled", "not bundled")
    if measure.code == OFSTED_LEADERSHIP:
        return _leadership(measure, la_code, as_at, published)
    # A file bundled for another purpose that this view does not read yet says so.
    unread = f"bundled in {', '.join(measure.files)}, but not read by the framework view"
    return PublishedMeasure(measure, True, unread, "not read", "not read")


def _leadership(
    measure: PublishedOnly, la_code: str, as_at: dt.date, published: Published | None
) -> PublishedMeasure:
    """Ofsted's judgement of the impact of leaders: the LA's latest published by `as_at`, and
    how many LAs in its region and in England hold each judgement as their latest."""
    latest: dict[str, tuple[dt.date, dt.date, str]] = {}
    for row in ofsted.bundled_rows():
        judgement = row["judged"].get(LEADERS)
        out = row["published_date"] or row["start_date"]
        if judgement is None or out > as_at:
            continue
        held = latest.get(row["la_code"])
        if held is None or (row["start_date"], out) > held[:2]:
            latest[row["la_code"]] = (row["start_date"], out, judgement)
    source = f"Ofsted's outcomes workbook ({ofsted.BUNDLED})"
    mine = latest.get(la_code)
    if mine is None:
        value = f"no judgement of leaders published by {format_date(as_at)} in {source}"
    else:
        value = (
            f"{mine[2]} (inspection from {format_date(mine[0])}, published {format_date(mine[1])})"
        )
    region = "no region known for this LA"
    place = _place(la_code, published)
    if published is not None and place is not None and place.region_code is not None:
        same = [
            j
            for code, (_s, _o, j) in latest.items()
            if _region_of(code, published) == place.region_code
        ]
        region = f"{place.region_name}: {_counts(same, as_at)}"
    england = "England: " + _counts([j for _s, _o, j in latest.values()], as_at)
    return PublishedMeasure(measure, True, value, region, england)


def _place(la_code: str, published: Published | None) -> LocalAuthority | None:
    if published is None:
        return None
    try:
        return resolve(la_code, published.places)
    except UnknownLA:
        return None


def _region_of(la_code: str, published: Published) -> str | None:
    place = _place(la_code, published)
    return None if place is None else place.region_code


def _counts(judgements: Sequence[str], as_at: dt.date) -> str:
    """`Outstanding 12, Good 60, … (of 150 LAs judged by 31 March 2025)`."""
    if not judgements:
        return f"no LA judged by {format_date(as_at)}"
    held = Counter(judgements)
    order = [g for g in scales.OFSTED_FOUR_POINT.grades if g in held] + sorted(
        g for g in held if g not in scales.OFSTED_FOUR_POINT.grades
    )
    counts = ", ".join(f"{grade} {held[grade]}" for grade in order)
    return f"{counts} (of {len(judgements)} LAs judged by {format_date(as_at)})"


def framework_sections(
    figures: Sequence[Figure], published: Sequence[PublishedMeasure]
) -> tuple[Section, ...]:
    """Every outcome and enabler in the Framework's order, each with its measures (the
    figures in the order given, grouped by `registry.by_framework`)."""
    grouped = dict(by_framework(figures, lambda f: f.code, keep_empty=True))
    return tuple(
        Section(
            element,
            tuple(grouped.get(element, ())),
            tuple(p for p in published if p.framework is element),
        )
        for element in Framework
    )


def section_of(sections: Sequence[Section], element: Framework) -> Section:
    return next(s for s in sections if s.framework is element)
