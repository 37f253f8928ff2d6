"""Indicator panels: each indicator's figures, rating, travel, benchmarks, chart and commentary.

Every panel renders the figure model (`figures.build_figures`: one engine call for all the
report's indicators and periods); it never rates, tests or words a judgement itself. Figures
pass through the report's disclosure control before they are shown; ratings and tests are the
figure model's, on the computed values.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import assert_never

from cscmonitor.assess import (
    RAG,
    Computed,
    Observation,
    Travel,
    TravelJudgement,
    significant_travel,
)
from cscmonitor.benchmarks.comparison import Comparison
from cscmonitor.figures import (
    Asked,
    Figure,
    basket_asked,
    build_figures,
    by_code,
    refuse_without_figures,
)
from cscmonitor.indicators.engine import NO_DATA
from cscmonitor.indicators.registry import Polarity, Unit
from cscmonitor.periods import Period
from cscmonitor.reports.charts import TrendChart, TrendPoint
from cscmonitor.reports.context.sources import Sources
from cscmonitor.reports.disclosure import Discloser, Shown
from cscmonitor.wording import agreed_or_none

NOT_AVAILABLE = "not yet available from the returns held"


@dataclass(frozen=True)
class Wanted:
    """An indicator a report asks for; title and source say what it is if cscmonitor lacks it."""

    code: str
    title: str = ""
    source: str = ""
    baseline: float | None = None  # the contract's terms, for basket indicators
    target: float | None = None
    tolerance: float | None = None


@dataclass(frozen=True)
class Point:
    """One computed figure as the report may show it."""

    period: Period
    status: str
    value: Shown
    lower: Shown
    upper: Shown
    numerator: Shown
    denominator: Shown
    interval: str


@dataclass(frozen=True)
class Note:
    """Commentary from the records."""

    period: Period
    role: str
    author: str
    text: str


@dataclass(frozen=True)
class Panel:
    code: str
    title: str
    unit: Unit | None  # None for an indicator cscmonitor does not compute
    polarity: Polarity | None
    definition: str
    source: str
    absent: str | None  # why there is no figure, when there is none
    baseline: float | None
    target: float | None
    tolerance: float | None
    compared_label: str  # "baseline year" or "a year earlier"
    compared: Point
    latest: Point
    series: tuple[Point, ...]
    rag: RAG
    travel: TravelJudgement
    comparison: Comparison
    commentary: tuple[Note, ...]
    chart: TrendChart
    anchor: str
    figure: Figure | None = None  # None for an indicator cscmonitor does not compute

    @property
    def exception(self) -> bool:
        """Red, or declining by more than chance: shown first."""
        return self.rag is RAG.RED or self.travel.travel is Travel.DECLINED

    @property
    def tolerance_edge(self) -> float | None:
        if self.target is None or self.tolerance is None or self.polarity is None:
            return None
        match self.polarity:
            case Polarity.LOWER:
                return self.target + self.tolerance
            case Polarity.HIGHER:
                return self.target - self.tolerance
            case Polarity.NEITHER:
                return None
            case _:
                assert_never(self.polarity)

    def agreed(self, value: float | None, *, tolerance: bool = False) -> str:
        """A contract figure in the indicator's unit, or `none`."""
        if self.unit is None:
            return "none"
        return agreed_or_none(value, self.unit, tolerance=tolerance)


def anchor_for(code: str) -> str:
    return "ind-" + re.sub(r"[^a-z0-9]+", "-", code.lower())


def _point(computed: Computed, unit: Unit, discloser: Discloser) -> Point:
    return Point(
        period=computed.period,
        status=computed.status,
        value=discloser.value(computed, unit),
        lower=discloser.bound(computed, computed.ci_lower, unit),
        upper=discloser.bound(computed, computed.ci_upper, unit),
        numerator=discloser.count(computed.numerator),
        denominator=discloser.count(computed.denominator),
        interval=discloser.interval(computed, unit),
    )


def _missing(period: Period) -> Point:
    empty = Shown("—", None)
    return Point(period, NO_DATA, Shown(NO_DATA, None), empty, empty, empty, empty, "—")


@dataclass(frozen=True)
class Request:
    """What the panels cover: periods, place and how figures may be shown."""

    la_code: str
    place: str
    latest: Period
    compared: Period
    compared_label: str
    trend: tuple[Period, ...]
    discloser: Discloser

    @property
    def against_baseline(self) -> bool:
        return self.compared_label == BASELINE_LABEL


BASELINE_LABEL = "baseline year"


def figures_for(
    sources: Sources,
    wanted: Sequence[Wanted],
    request: Request,
    *,
    year: int,
    as_at: dt.date,
    draft: bool,
    what: str,
) -> tuple[Figure, ...]:
    """The figure model for the wanted indicators (basket ones with their milestones).

    A document about a period with no figure held is refused unless it is a draft.
    """
    basket = {a.code: a for a in basket_asked(sources.terms, year, as_at)}
    asked = [basket.get(w.code) or Asked(w.code, w.baseline, w.target, w.tolerance) for w in wanted]
    figures = build_figures(
        sources.tables,
        sources.terms,
        request.latest,
        as_at=as_at,
        published=sources.published,
        asked=asked,
        year=year,
        change_points=sources.phases(),
    )
    if not draft:
        refuse_without_figures(figures, what, request.latest)
    return figures


def build_panels(
    figures: Sequence[Figure],
    wanted: Sequence[Wanted],
    request: Request,
    *,
    commentary: Mapping[str, Sequence[Note]] | None = None,
) -> tuple[Panel, ...]:
    """One panel per wanted indicator, in order, each rendering its figure (built once)."""
    found = by_code(figures)
    notes = commentary or {}
    return tuple(
        _panel(w, found.get(w.code), request, tuple(notes.get(w.code, ()))) for w in wanted
    )


def _panel(
    wanted: Wanted, figure: Figure | None, request: Request, notes: tuple[Note, ...]
) -> Panel:
    if figure is None:
        nothing = _missing(request.latest)
        return Panel(
            code=wanted.code,
            title=wanted.title or wanted.code,
            unit=None,
            polarity=None,
            definition="",
            source=wanted.source,
            absent=f"{NOT_AVAILABLE}: cscmonitor does not compute {wanted.code} yet"
            + (f" (it needs {wanted.source})" if wanted.source else ""),
            baseline=wanted.baseline,
            target=wanted.target,
            tolerance=wanted.tolerance,
            compared_label=request.compared_label,
            compared=_missing(request.compared),
            latest=nothing,
            series=tuple(_missing(p) for p in request.trend),
            rag=RAG.GREY if wanted.target is not None else RAG.NOT_RATED,
            travel=significant_travel(Observation(None), Observation(None), Polarity.NEITHER),
            comparison=Comparison.none(),
            commentary=notes,
            chart=TrendChart(wanted.title or wanted.code, Unit.COUNT, request.place, ()),
            anchor=anchor_for(wanted.code),
        )
    indicator, discloser = figure.indicator, request.discloser
    unit = indicator.unit
    trend = {c.period: c for c in figure.trend}
    then = figure.baseline_year if request.against_baseline else figure.previous
    now = figure.latest
    absent = None
    if not figure.held:
        absent = (
            f"{NOT_AVAILABLE}: no {indicator.source.label} return held covers "
            f"{request.latest.label}"
        )
    panel = Panel(
        code=indicator.code,
        title=indicator.title,
        unit=unit,
        polarity=indicator.polarity,
        definition=indicator.definition,
        source=indicator.source.label,
        absent=absent,
        baseline=figure.asked.baseline,
        target=figure.asked.target,
        tolerance=figure.asked.tolerance,
        compared_label=request.compared_label,
        compared=_point(then, unit, discloser),
        latest=_point(now, unit, discloser),
        series=tuple(
            _point(trend.get(p, Computed.missing(p)), unit, discloser) for p in request.trend
        ),
        rag=figure.rag,
        travel=figure.travel if request.against_baseline else figure.travel_last,
        comparison=figure.benchmark,
        commentary=notes,
        chart=TrendChart(indicator.title, unit, request.place, ()),
        anchor=anchor_for(indicator.code),
        figure=figure,
    )
    return _with_chart(panel, request.place)


def _with_chart(panel: Panel, place: str) -> Panel:
    """The panel with its trend chart, drawn from the figures the report may show."""
    assert panel.unit is not None
    chart = TrendChart(
        title=panel.title,
        unit=panel.unit,
        place=place,
        points=tuple(
            TrendPoint(
                p.period.end, p.value.number, p.lower.number, p.upper.number, p.value.suppressed
            )
            for p in panel.series
        ),
        target=panel.target,
        tolerance_edge=panel.tolerance_edge,
        england=tuple(
            (h.period_end, h.england) for h in panel.comparison.history if h.england is not None
        ),
        neighbours=tuple(
            (h.period_end, h.sn_mean) for h in panel.comparison.history if h.sn_mean is not None
        ),
    )
    return replace(panel, chart=chart)
