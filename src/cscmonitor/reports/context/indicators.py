"""Indicator panels: each indicator's figures, rating, travel, benchmarks, chart and commentary.

Every panel of a report comes from ONE engine call: all the report's indicators for every
period it shows (the period reported on, the period compared with, and the rolling 12 months
to each quarter end of the trend). Figures pass through the report's disclosure control
before anything else sees them; ratings and tests use the computed values.
"""

from __future__ import annotations

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
    computed_for,
    display_decimals,
    rag_rating,
    significant_travel,
)
from cscmonitor.benchmarks.values import Published
from cscmonitor.indicators.engine import NO_DATA, compute
from cscmonitor.indicators.registry import REGISTRY, Polarity, Tables, Unit, load_builtin
from cscmonitor.periods import Period
from cscmonitor.reports.charts import TrendChart, TrendPoint
from cscmonitor.reports.context.comparison import Comparison, comparisons
from cscmonitor.reports.disclosure import Discloser, Shown
from cscmonitor.reports.summary import format_agreed, format_tolerance

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
        if value is None or self.unit is None:
            return "none"
        return format_tolerance(value, self.unit) if tolerance else format_agreed(value, self.unit)


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


def build_panels(
    tables: Tables,
    wanted: Sequence[Wanted],
    request: Request,
    *,
    published: Published | None,
    commentary: Mapping[str, Sequence[Note]] | None = None,
) -> tuple[Panel, ...]:
    """One panel per wanted indicator, in order, from one engine call."""
    load_builtin()
    known = [w.code for w in wanted if w.code in REGISTRY]
    periods = sorted({request.latest, request.compared, *request.trend})
    results = compute(tables, periods, codes=known, las=[request.la_code]) if known else None
    by_period = {
        period: ({} if results is None else computed_for(results, period)) for period in periods
    }
    latest = {
        code: by_period[request.latest].get(code, Computed.missing(request.latest))
        for code in known
    }
    # Published years are plotted where the trend is: from its first point to the last.
    span = Period(
        request.trend[0].end if request.trend else request.latest.start, request.latest.end
    )
    compared_with = comparisons(published, request.la_code, latest, span) if published else {}
    notes = commentary or {}
    return tuple(
        _panel(w, by_period, request, compared_with.get(w.code), tuple(notes.get(w.code, ())))
        for w in wanted
    )


def _panel(
    wanted: Wanted,
    by_period: Mapping[Period, Mapping[str, Computed]],
    request: Request,
    comparison: Comparison | None,
    notes: tuple[Note, ...],
) -> Panel:
    indicator = REGISTRY.get(wanted.code)
    comparison = comparison or Comparison.none()
    if indicator is None:
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
            comparison=comparison,
            commentary=notes,
            chart=TrendChart(wanted.title or wanted.code, Unit.COUNT, request.place, ()),
            anchor=anchor_for(wanted.code),
        )
    unit, discloser = indicator.unit, request.discloser

    def got(period: Period) -> Computed:
        return by_period[period].get(indicator.code, Computed.missing(period))

    now, then = got(request.latest), got(request.compared)
    decimals = display_decimals(unit)
    series = tuple(_point(got(p), unit, discloser) for p in request.trend)
    absent = None
    if now.status == NO_DATA:
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
        baseline=wanted.baseline,
        target=wanted.target,
        tolerance=wanted.tolerance,
        compared_label=request.compared_label,
        compared=_point(then, unit, discloser),
        latest=_point(now, unit, discloser),
        series=series,
        rag=rag_rating(
            now.usable_value,
            now.status,
            wanted.target,
            wanted.tolerance,
            indicator.polarity,
            decimals=decimals,
        ),
        travel=significant_travel(
            Observation.from_computed(then),
            Observation.from_computed(now),
            indicator.polarity,
            interval=indicator.interval,
            decimals=decimals,
        ),
        comparison=comparison,
        commentary=notes,
        chart=TrendChart(indicator.title, unit, request.place, ()),
        anchor=anchor_for(indicator.code),
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
