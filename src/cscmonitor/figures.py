"""The figure model: everything any surface shows about one figure, built once.

A `Figure` is one indicator for one LA and period (a contract year, or the 12 months to a
quarter's end), as at a stated date: the computed value with its counts, interval and status;
the contract's baseline, target and tolerance; RAG; travel since the baseline year and since
the same period a year earlier (one significance-aware rule, `assess.significant_travel`);
DfE's benchmarks for the year docs/benchmarks.md maps the period to; the trajectory to each
milestone; the control chart of the monthly series to the period's end, with its variation and
assurance judgements (`spc`, docs/spc.md); and the words the reports print for each judgement
(`wording`). The web pages, the
JSON API, `cscmonitor figures` and every report render it and never recompute or re-word it.

All the figures of one build come from ONE engine call (every period they need at once).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, assert_never

import pandas as pd

from cscmonitor.assess import (
    RAG,
    Change,
    Computed,
    Observation,
    Outlook,
    Trajectory,
    TravelJudgement,
    change_between,
    computed_for,
    rag_rating,
    significant_travel,
    trajectory,
)
from cscmonitor.basket import data_end, data_span
from cscmonitor.benchmarks.comparison import Comparison, comparisons
from cscmonitor.benchmarks.values import Published
from cscmonitor.indicators.engine import (
    INCOMPLETE_DATA,
    INSUFFICIENT_DATA,
    RETURN_MISSING,
    compute,
)
from cscmonitor.indicators.registry import REGISTRY, Indicator, Tables, load_builtin
from cscmonitor.periods import Period, Series, add_months, series, twelve_months_to
from cscmonitor.spc import SPC_COLUMNS, Assurance, ChangePoint, Dated, Variation, control_charts
from cscmonitor.terms import ContractTerms, ReportedFigures
from cscmonitor.wording import (
    agreed_or_none,
    benchmark_missing_text,
    format_date,
    missing_text,
    neighbours_model_text,
    outlook_text,
    plural,
    rag_text,
    time_since_start,
    travel_clause,
    travel_text,
)

ONE_DAY = dt.timedelta(days=1)
DRAFT_MARK = "DRAFT — figures not held"


class NoFigures(ValueError):
    """A document was asked for a period the returns held give no figure for."""


@dataclass(frozen=True)
class Milestone:
    """A target the contract sets for an indicator, to be met by a date."""

    label: str  # e.g. "contract year 2 target"
    due: dt.date
    target: float


@dataclass(frozen=True)
class Asked:
    """An indicator a surface asks for, with the contract's terms for it (none outside a basket)."""

    code: str
    baseline: float | None = None
    target: float | None = None
    tolerance: float | None = None
    reported: ReportedFigures | None = None
    milestones: tuple[Milestone, ...] = ()


@dataclass(frozen=True)
class Projection:
    """The trend fitted to the figures held as at the build's date, projected to a milestone."""

    milestone: Milestone
    trajectory: Trajectory

    @property
    def outlook(self) -> Outlook:
        return self.trajectory.outlook

    def text(self, indicator: Indicator) -> str:
        """`On track for the contract year 2 target of 14% by 30 September 2016 (projected …)`."""
        t, unit, m = self.trajectory, indicator.unit, self.milestone
        head = (
            f"{outlook_text(t.outlook)} for the {m.label} of {unit.display_agreed(m.target)} "
            f"by {format_date(m.due)}"
        )
        if t.projected is None or t.lower is None or t.upper is None:
            return f"{head} ({plural(t.points, 'figure')} held)"
        slope = "" if t.slope_per_year is None else f", trend {t.slope_per_year:+.1f} a year"
        return (
            f"{head} (projected {unit.display(t.projected)}, {t.level:.0%} interval "
            f"{unit.display(t.lower)} to {unit.display(t.upper)}{slope}; "
            f"{plural(t.points, 'figure')})"
        )


CONTRACT_START = "contract start"  # the phase label `records.change_points` gives it too
FROM_THE_START = dt.date(1900, 1, 1)  # the basket's target applies to the whole series
VARIATION_WORDS = {
    Variation.COMMON_CAUSE: "Common cause variation",
    Variation.IMPROVING: "Special cause variation: improving",
    Variation.CONCERNING: "Special cause variation: concerning",
    Variation.NEITHER: "Special cause variation: neither better nor worse",
}


@dataclass(frozen=True)
class Control:
    """The figure's control chart: its monthly series to the period's end (`control_charts`
    rows, phases from the contract start and the records' change points) and the two icons,
    variation and assurance, read at the latest point charted."""

    points: pd.DataFrame = field(compare=False, repr=False)
    variation: str  # a `Variation` value; "" when nothing is charted
    assurance: str  # an `Assurance` value; "" when there is no target or direction
    signal: str  # the latest point's signal: improvement, concern, neither or ""
    signal_rule: str  # the rules that flagged it
    month: dt.date | None  # the latest point's period end

    @classmethod
    def of(cls, points: pd.DataFrame) -> Control:
        if points.empty:
            return cls(points, "", "", "", "", None)
        last = points.iloc[-1]
        return cls(
            points.reset_index(drop=True),
            str(last["variation"]),
            str(last["assurance"]),
            str(last["signal"]),
            str(last["signal_rule"]),
            pd.Timestamp(last["period_end"]).date(),
        )

    @property
    def charted(self) -> bool:
        return self.month is not None


@dataclass(frozen=True)
class Figure:
    indicator: Indicator
    la_code: str
    year: int | None  # the contract year the period lies in
    as_at: dt.date
    latest: Computed
    baseline_year: Computed  # the contract's baseline year, computed
    previous: Computed  # the same period a year earlier
    asked: Asked
    rag: RAG
    travel: TravelJudgement  # since the baseline year
    travel_last: TravelJudgement  # since the same period a year earlier
    benchmark: Comparison
    trend: tuple[Computed, ...]  # the 12 months to each quarter end, to the period's end
    projections: tuple[Projection, ...] = field(default=())
    control: Control = field(default_factory=lambda: Control.of(pd.DataFrame(columns=SPC_COLUMNS)))

    @property
    def code(self) -> str:
        return self.indicator.code

    @property
    def period(self) -> Period:
        return self.latest.period

    @property
    def held(self) -> bool:
        """Whether the returns held give this figure a value."""
        return self.latest.usable_value is not None

    # The words every surface shows ------------------------------------------------------

    def value_text(self, computed: Computed | None = None) -> str:
        return computed_text(self.indicator, self.latest if computed is None else computed)

    def interval_text(self, computed: Computed | None = None) -> str:
        c = self.latest if computed is None else computed
        if c.usable_value is None or c.ci_lower is None or c.ci_upper is None:
            return "not available"
        unit = self.indicator.unit
        return f"{unit.display(c.ci_lower)} to {unit.display(c.ci_upper)}"

    @property
    def target_text(self) -> str:
        return agreed_or_none(self.asked.target, self.indicator.unit)

    @property
    def tolerance_text(self) -> str:
        return agreed_or_none(self.asked.tolerance, self.indicator.unit, tolerance=True)

    @property
    def rag_text(self) -> str:
        return rag_text(self.rag)[0]

    @property
    def travel_text(self) -> str:
        """The travel since the baseline year, as the reports print it in their tables."""
        return travel_text(self.travel)

    @property
    def travel_clause(self) -> str:
        """The same judgement as the reports' sentences end it: `, an improvement … (p = …)`."""
        return travel_clause(self.travel)

    @property
    def travel_last_text(self) -> str:
        return travel_text(self.travel_last)

    @property
    def absent_text(self) -> str | None:
        """Why the figure has no value, naming the return, table or field it needs; None
        when it has one."""
        return None if self.held else absence_text(self.indicator, self.latest)

    @property
    def latest_month_text(self) -> str:
        """The latest month charted: `12.3% in March 2016`, or why no month is."""
        c = self.control
        if c.month is None:
            return "no sound monthly figure held"
        value = float(c.points.iloc[-1]["value"])
        return f"{self.indicator.unit.display(value)} in {c.month:%B %Y}"

    @property
    def trend_text(self) -> str:
        """The 12 months to each quarter end, as figures: `Mar 2015: 12.0%; Jun 2015: …`."""
        if not self.trend:
            return "no quarter ends before the period's end"
        return "; ".join(f"{c.period.end:%b %Y}: {self.value_text(c)}" for c in self.trend)

    @property
    def band_text(self) -> str:
        b = self.benchmark
        if b.band is None:
            if b.year is None:
                return "no band"
            return f"no band (DfE {b.year}: {self.benchmark_missing('band')})"
        return f"{b.band} (DfE {b.year}; A is the best quarter)"

    def benchmark_missing(self, which: str) -> str:
        """Why benchmark `which` (england, region, sn_mean, band) is missing, in words."""
        return _missing(self.benchmark, which)

    def benchmark_value_text(self, which: str) -> str:
        """Benchmark `which` (england, region, sn_mean) in its unit, or why it is missing:
        no published benchmark, not held, or not published (suppressed by DfE)."""
        return comparison_text(self.indicator, self.benchmark, which)

    @property
    def england_text(self) -> str:
        return self.benchmark_value_text("england")

    @property
    def region_text(self) -> str:
        return self.benchmark_value_text("region")

    @property
    def neighbours_text(self) -> str:
        return self.benchmark_value_text("sn_mean")

    @property
    def neighbours_model_text(self) -> str:
        """`neighbours: 2025 model`: DfE's statistical neighbour grouping the benchmark uses."""
        return neighbours_model_text(self.benchmark.sn_grouping)

    def benchmark_text(self, number: float | None) -> str:
        """A benchmark figure, or why it is missing (the comparison's state when no year is
        held; prefer `benchmark_value_text`, which tells each value's reason)."""
        if number is None:
            b = self.benchmark
            if b.year is None:
                gap = b.gaps.get("england")
                detail = None if gap is None else gap.detail
                return benchmark_missing_text(str(b.state), None, detail)
            return "not held"
        return self.indicator.unit.display(number)

    def sentence(
        self,
        contract_start: dt.date,
        *,
        was: tuple[str, float | None] | None = None,
        became: tuple[str, float | None] | None = None,
        clause: str = "",
    ) -> str:
        """The finding the reports write, from the baseline year to the period reported on.

        `was` and `became` are the figures as the document may show them (text and number; a
        suppressed figure has no number, so no change is stated); by default, as computed.
        Without a figure held, the sentence says so and judges nothing.
        """
        name = self.indicator.title[0].lower() + self.indicator.title[1:]
        before, after = self.baseline_year, self.latest
        if not self.held:
            return f"{name}: figures not held for {after.period.label}, so nothing is judged"
        was = was or (self.value_text(before), before.usable_value)
        became = became or (self.value_text(after), after.usable_value)
        then = f"in the baseline year {_when(before)}"
        since = time_since_start(contract_start, after.period.end, self.year)
        now = f"{since} {_when(after)}"
        change = change_between(was[1], became[1], decimals=self.indicator.unit.decimals)
        moved = f"from {was[0]} {then} to {became[0]} {now}{self.travel_clause}{clause}"
        match change:
            case Change.REDUCTION:
                return f"a reduction in {name} {moved}"
            case Change.INCREASE:
                return f"an increase in {name} {moved}"
            case Change.NO_CHANGE:
                return f"no change in {name}, at {became[0]} {then} and {now}{clause}"
            case Change.NOT_COMPARABLE:
                return (
                    f"{name}: {was[0]} {then} and {became[0]} {now}, so no change can be "
                    f"stated{clause}"
                )
            case _:
                assert_never(change)

    @property
    def variation_text(self) -> str:
        """The variation icon in words, with the latest month and the rule that flagged it."""
        c = self.control
        if c.month is None:
            return "Not charted: no sound monthly figure held"
        words = VARIATION_WORDS[Variation(c.variation)]
        when = f"{c.month:%B %Y}"
        if c.variation == Variation.COMMON_CAUSE:
            return f"{words} in {when}"
        return f"{words} in {when} ({c.signal_rule})"

    @property
    def assurance_text(self) -> str:
        """The assurance icon in words: where the target sits against the latest limits."""
        c = self.control
        if c.month is None:
            return "No assurance: not charted"
        if c.assurance == Assurance.NONE:
            reason = "no target" if self.asked.target is None else "no limits or direction"
            return f"No assurance: {reason}"
        last = c.points.iloc[-1]
        unit = self.indicator.unit
        limits = (
            f"process limits {unit.display(float(last['lower_limit']))} to "
            f"{unit.display(float(last['upper_limit']))}"
        )
        target = f"target {unit.display_agreed(float(last['target']))}"
        match Assurance(c.assurance):
            case Assurance.HIT_AND_MISS:
                return f"Hit and miss: the {target} lies within the {limits}"
            case Assurance.PASSING:
                return f"Consistently passing: the {limits} all meet the {target}"
            case Assurance.FAILING:
                return f"Consistently failing: the {limits} all miss the {target}"
            case _:
                raise AssertionError(c.assurance)

    @property
    def outlook_texts(self) -> tuple[str, ...]:
        return tuple(p.text(self.indicator) for p in self.projections)

    def record(self) -> dict[str, Any]:
        """The figure as one flat record: the CLI and the API print exactly this."""
        c, b = self.latest, self.benchmark
        usable = c.usable_value is not None
        first = self.projections[0] if self.projections else None
        return {
            "indicator": self.code,
            "la_code": self.la_code,
            "contract_year": self.year,
            "period_start": c.period.start.isoformat(),
            "period_end": c.period.end.isoformat(),
            "value": c.usable_value,
            "numerator": c.numerator,
            "denominator": c.denominator,
            "ci_lower": c.ci_lower if usable else None,
            "ci_upper": c.ci_upper if usable else None,
            "status": c.status,
            "value_text": self.value_text(),
            "baseline_year_value": self.baseline_year.usable_value,
            "contract_baseline": self.asked.baseline,
            "target": self.asked.target,
            "tolerance": self.asked.tolerance,
            "rag": str(self.rag),
            "rag_text": self.rag_text,
            "travel": str(self.travel.travel),
            "travel_p_value": self.travel.significance.p_value,
            "travel_method": str(self.travel.significance.method),
            "travel_text": self.travel_text,
            "travel_last": str(self.travel_last.travel),
            "travel_last_text": self.travel_last_text,
            "england": b.england,
            "england_text": self.england_text,
            "region": b.region,
            "region_text": self.region_text,
            "sn_mean": b.sn_mean,
            "sn_mean_text": self.neighbours_text,
            "sn_grouping": b.sn_grouping,
            "sn_model_text": self.neighbours_model_text,
            "vs_england": str(b.vs_england),
            "quartile_band": b.band,
            "band_text": self.band_text,
            "benchmark_year": b.year,
            "benchmark_state": str(b.state),
            "outlook": None if first is None else str(first.outlook),
            "outlook_text": None if first is None else first.text(self.indicator),
            "variation": self.control.variation or None,
            "variation_text": self.variation_text,
            "assurance": self.control.assurance or None,
            "assurance_text": self.assurance_text,
            "spc_month": None if self.control.month is None else self.control.month.isoformat(),
            "spc_signal": self.control.signal or None,
            "spc_rule": self.control.signal_rule or None,
            "as_at": self.as_at.isoformat(),
        }


def computed_text(indicator: Indicator, computed: Computed) -> str:
    """A computed value in its unit, or why there is none: how every surface writes it."""
    v = computed.usable_value
    return missing_text(computed.status) if v is None else indicator.unit.display(v)


def comparison_text(indicator: Indicator, comparison: Comparison, which: str) -> str:
    """A comparison's benchmark `which` (england, region, sn_mean) in the indicator's unit, or
    why it is missing."""
    number = getattr(comparison, which)
    if number is None:
        return _missing(comparison, which)
    return indicator.unit.display(number)


def _missing(comparison: Comparison, which: str) -> str:
    gap = comparison.gap(which)
    if gap is None:
        return ""
    return benchmark_missing_text(str(gap.state), gap.flag, gap.detail)


def absence_text(indicator: Indicator, computed: Computed) -> str:
    """Why a computed figure has no value, in words naming what it needs: the return (or the
    version of it that first collects what is counted), the table or field the indicator
    declares it needs, or enough children."""
    period = computed.period
    sources = [indicator.source, *indicator.also_reads]
    returns = " and ".join(s.label for s in sources) + (
        " returns" if len(sources) > 1 else " return"
    )
    if computed.status == INSUFFICIENT_DATA and not computed.denominator and indicator.needs:
        # No record held carries what it counts (an optional column left out): say what.
        return f"needs {indicator.needs} (no record held for {period.label} has it)"
    if computed.status == INSUFFICIENT_DATA:
        return (
            f"too few to show for {period.label}: fewer than {indicator.min_denominator} "
            "in the cohort"
        )
    if computed.status == RETURN_MISSING:
        return f"a {returns} between two held is missing, and {period.label} reaches into its year"
    if computed.status == INCOMPLETE_DATA:
        return f"the {returns} held cover only part of {period.label}"
    if indicator.needs:
        return f"needs {indicator.needs}"
    first = indicator.collected_from
    if first is not None and period.start < first:
        return (
            f"needs the {indicator.source.label} return from {format_date(first)}, the first "
            f"to collect what it counts ({period.label} starts before it)"
        )
    return f"needs the {returns} for {period.label}"


def _when(computed: Computed) -> str:
    """`(Oct 2013–Sep 2014)`, flagged where the lookback is incomplete."""
    flag = "; lookback incomplete" if computed.lookback_incomplete else ""
    return f"({computed.period.label}{flag})"


RECORD_KEYS = tuple(
    [
        "indicator",
        "la_code",
        "contract_year",
        "period_start",
        "period_end",
        "value",
        "numerator",
        "denominator",
        "ci_lower",
        "ci_upper",
        "status",
        "value_text",
        "baseline_year_value",
        "contract_baseline",
        "target",
        "tolerance",
        "rag",
        "rag_text",
        "travel",
        "travel_p_value",
        "travel_method",
        "travel_text",
        "travel_last",
        "travel_last_text",
        "england",
        "england_text",
        "region",
        "region_text",
        "sn_mean",
        "sn_mean_text",
        "sn_grouping",
        "sn_model_text",
        "vs_england",
        "quartile_band",
        "band_text",
        "benchmark_year",
        "benchmark_state",
        "outlook",
        "outlook_text",
        "variation",
        "variation_text",
        "assurance",
        "assurance_text",
        "spc_month",
        "spc_signal",
        "spc_rule",
        "as_at",
    ]
)


def year_earlier(period: Period) -> Period:
    """The same span twelve months before."""
    return Period(add_months(period.start, -12), add_months(period.end + ONE_DAY, -12) - ONE_DAY)


def trend_periods(terms: ContractTerms, until: dt.date) -> tuple[Period, ...]:
    """The 12 months to each contract quarter end, from the baseline year's first to `until`."""
    origin = terms.baseline_period().start
    ends = []
    step = 1
    while (end := add_months(origin, 3 * step) - ONE_DAY) <= until:
        ends.append(end)
        step += 1
    return tuple(twelve_months_to(end) for end in ends)


def basket_asked(terms: ContractTerms, year: int | None, as_at: dt.date) -> tuple[Asked, ...]:
    """The basket's terms, each target a milestone: the year reported on (when it ends after
    the as-at date) and the next contract year, both by their last day."""
    asked = []
    for e in terms.basket:
        milestones: tuple[Milestone, ...] = ()
        if e.target is not None and year is not None:
            milestones = tuple(
                Milestone(f"contract year {n} target", terms.contract_year(n).end, e.target)
                for n in (year, year + 1)
                if terms.contract_year(n).end > as_at
            )
        asked.append(Asked(e.indicator, e.baseline, e.target, e.tolerance, e.reported, milestones))
    return tuple(asked)


def build_figures(
    tables: Tables,
    terms: ContractTerms,
    period: Period,
    *,
    as_at: dt.date,
    published: Published | None,
    asked: Sequence[Asked] | None = None,
    year: int | None = None,
    change_points: Sequence[Dated] = (),
) -> tuple[Figure, ...]:
    """One figure per asked indicator cscmonitor computes (default: the basket), in order.

    The period must have ended by `as_at`: a figure is judged as at a date it was known.
    `change_points` are the records' (`records.change_points.phase_starts`); the contract's
    start is always one.
    """
    if period.end > as_at:
        raise ValueError(
            f"{period.label} ends on {format_date(period.end)}, after the as-at date "
            f"{format_date(as_at)}: its figures are not final as at that date"
        )
    load_builtin()
    if year is None and period.start >= terms.start_date:
        year = terms.contract_year_number(period.start)
    wanted = tuple(asked) if asked is not None else basket_asked(terms, year, as_at)
    known = [a for a in wanted if a.code in REGISTRY]
    if not known:
        return ()
    baseline, previous = terms.baseline_period(), year_earlier(period)
    trend = trend_periods(terms, period.end)
    months = monthly_series(tables, terms.la_code, period.end)
    periods = sorted({period, baseline, previous, *trend, *months})
    results = compute(tables, periods, codes=[a.code for a in known], las=[terms.la_code])
    by_period = {p: computed_for(results, p) for p in periods}
    controls = _controls(results, months, terms, known, change_points)

    def got(code: str, p: Period) -> Computed:
        return by_period[p].get(code, Computed.missing(p))

    latest = {a.code: got(a.code, period) for a in known}
    span = Period(trend[0].end if trend else period.start, period.end)
    compared = comparisons(published, terms.la_code, latest, span) if published else {}
    return tuple(
        figure_of(
            REGISTRY[a.code],
            a,
            terms.la_code,
            year,
            as_at,
            latest[a.code],
            got(a.code, baseline),
            got(a.code, previous),
            tuple(got(a.code, p) for p in trend),
            compared.get(a.code) or Comparison.without_tables(a.code),
            controls.get(a.code),
        )
        for a in known
    )


def monthly_series(tables: Tables, la_code: str, until: dt.date) -> tuple[Period, ...]:
    """Every calendar month from the first the LA's returns cover to `until` (the points of
    the control charts; the engine marks a month without a sound value, and it is not drawn)."""
    span = data_span(tables, la_code)
    if span is None or span[0] > until:
        return ()
    return tuple(series(Series.MONTHLY, span[0], until))


def _controls(
    results: pd.DataFrame,
    months: Sequence[Period],
    terms: ContractTerms,
    asked: Sequence[Asked],
    change_points: Sequence[Dated],
) -> dict[str, Control]:
    """The control chart of each asked indicator's monthly series, all charted at once."""
    if not months:
        return {}
    spans = pd.MultiIndex.from_frame(
        results[["period_start", "period_end"]].apply(lambda c: pd.to_datetime(c).dt.date)
    )
    monthly = results[spans.isin([(m.start, m.end) for m in months])]
    if monthly.empty:
        return {}
    targets = pd.DataFrame(
        [(a.code, terms.la_code, FROM_THE_START, a.target) for a in asked if a.target is not None],
        columns=["indicator", "la_code", "from_date", "target"],
    )
    phases = [ChangePoint(terms.la_code, terms.start_date, CONTRACT_START), *change_points]
    charts = control_charts(monthly, phases, targets)
    return {code: Control.of(rows[SPC_COLUMNS]) for code, rows in charts.groupby("indicator")}


def figure_of(
    indicator: Indicator,
    asked: Asked,
    la_code: str,
    year: int | None,
    as_at: dt.date,
    now: Computed,
    baseline: Computed,
    before: Computed,
    trend: tuple[Computed, ...],
    benchmark: Comparison,
    control: Control | None = None,
) -> Figure:
    """One figure from its computed periods: rated, its travel judged, projected, charted."""
    unit, polarity = indicator.unit, indicator.polarity

    def travel(then: Computed) -> TravelJudgement:
        return significant_travel(
            Observation.from_computed(then),
            Observation.from_computed(now),
            polarity,
            interval=indicator.interval,
            decimals=unit.decimals,
        )

    return Figure(
        indicator=indicator,
        la_code=la_code,
        year=year,
        as_at=as_at,
        latest=now,
        baseline_year=baseline,
        previous=before,
        asked=asked,
        rag=rag_rating(
            now.usable_value,
            now.status,
            asked.target,
            asked.tolerance,
            polarity,
            decimals=unit.decimals,
        ),
        travel=travel(baseline),
        travel_last=travel(before),
        benchmark=benchmark,
        trend=trend,
        projections=_projections(indicator, trend, asked.milestones, as_at),
        control=control or Control.of(pd.DataFrame(columns=SPC_COLUMNS)),
    )


def _projections(
    indicator: Indicator,
    trend: Sequence[Computed],
    milestones: Sequence[Milestone],
    as_at: dt.date,
) -> tuple[Projection, ...]:
    """The trend of the figures known as at `as_at`, projected to each milestone still ahead."""
    known = [c for c in trend if c.usable_value is not None and c.period.end <= as_at]
    dates = [c.period.end for c in known]
    values = [float(c.usable_value) for c in known if c.usable_value is not None]
    weights = [c.denominator for c in known]
    weighted = all(w is not None and w > 0 for w in weights)
    return tuple(
        Projection(
            m,
            trajectory(
                dates,
                values,
                m.target,
                m.due,
                indicator.polarity,
                denominators=[float(w) for w in weights if w is not None] if weighted else None,
            ),
        )
        for m in milestones
        if m.due > as_at
    )


def latest_contract_year(tables: Tables, terms: ContractTerms, as_at: dt.date) -> int:
    """The latest contract year the returns held cover to its end, ended by `as_at`."""
    until = min(data_end(tables, terms.la_code) or dt.date.min, as_at)
    first = terms.contract_year(1)
    if first.end > until:
        raise NoFigures(
            f"the returns held do not cover contract year 1 of {terms.name} ({first.label}) "
            f"to its end as at {format_date(as_at)}"
        )
    year = 1
    while terms.contract_year(year + 1).end <= until:
        year += 1
    return year


def contract_year_figures(
    tables: Tables,
    terms: ContractTerms,
    year: int,
    *,
    as_at: dt.date,
    published: Published | None,
    change_points: Sequence[Dated] = (),
) -> tuple[Figure, ...]:
    """The basket's figures for contract `year`, as at a date (the web, API, CLI and summary)."""
    return build_figures(
        tables,
        terms,
        terms.contract_year(year),
        as_at=as_at,
        published=published,
        year=year,
        change_points=change_points,
    )


def figures_held(figures: Sequence[Figure]) -> bool:
    """Whether any figure has a value from the returns held."""
    return any(f.held for f in figures)


def missing_figures(figures: Sequence[Figure]) -> str:
    """What is missing, by return: `CIN census (CIN_RATE, CPP_REPEAT); SSDA903 (CLA_3PLUS)`."""
    by_source: dict[str, list[str]] = {}
    for f in figures:
        if not f.held:
            by_source.setdefault(f.indicator.source.label, []).append(f.code)
    return "; ".join(f"{source} ({', '.join(codes)})" for source, codes in by_source.items())


def refuse_without_figures(figures: Sequence[Figure], what: str, period: Period) -> None:
    """Refuse a document about `period` when no figure of it is held (unless drafting)."""
    if figures_held(figures):
        return
    missing = missing_figures(figures) or "every indicator asked for"
    raise NoFigures(
        f"{what}: no figures are held for {period.label} ({format_date(period.start)} to "
        f"{format_date(period.end)}); the returns held do not cover it. Missing: {missing}. "
        "Load the returns for that period, or use --draft for a draft marked "
        "'DRAFT — figures not held'"
    )


def by_code(figures: Sequence[Figure]) -> Mapping[str, Figure]:
    return {f.code: f for f in figures}
