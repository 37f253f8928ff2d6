"""The indicator registry: one decorated function per indicator, with its metadata.

Built-in indicators register through the same decorator a third party would use.
An indicator body receives the warehouse tables and a periods table
(`period_start`, `period_end`, one row per period) and returns row-level records for every
LA and period at once: `la_code, period_start, period_end`, the columns its measure kind
reads (see `Measure`) and whatever else says why each record counts; or, when the records
are events each counted in every period holding its date, those events
(`common.InPeriod`), which the engine places in the periods. The engine aggregates
the records as the measure kind declares, then adds value, confidence interval and status;
"explain this figure" is the same records, not aggregated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol, TypeVar, assert_never

import ibis.expr.types as ir

from cscmonitor.indicators.framework import Framework, Tag, grouped
from cscmonitor.returns.kind import ReturnKind

if TYPE_CHECKING:
    from cscmonitor.indicators.common import InPeriod


class Unit(StrEnum):
    """The closed set of units. A new unit is a big change: engine, CIs and RAG match on it."""

    PERCENT = "percent"
    PER_10K = "per_10k"
    DAYS = "days"
    RATIO = "ratio"
    COUNT = "count"
    MEAN = "mean"  # the mean of a score (SDQ), in the score's own points

    @property
    def scale(self) -> float:
        """What a 0–1 share is multiplied by to be in this unit (100 for a percentage)."""
        match self:
            case Unit.PERCENT:
                return 100.0
            case Unit.PER_10K:
                return 10_000.0
            case Unit.DAYS | Unit.RATIO | Unit.COUNT | Unit.MEAN:
                return 1.0
            case _:
                assert_never(self)

    @property
    def decimals(self) -> int:
        """Decimal places a computed value in this unit is shown with."""
        match self:
            case Unit.PERCENT | Unit.PER_10K | Unit.RATIO | Unit.MEAN:
                return 1
            case Unit.DAYS | Unit.COUNT:
                return 0
            case _:
                assert_never(self)

    def display(self, value: float) -> str:
        """A computed value in this unit: 23.4%, 16.2, 412.3, 312 days, 12."""
        return self._written(f"{value:,.{self.decimals}f}")

    def display_agreed(self, value: float) -> str:
        """A figure someone agreed or published, with the precision it was written with: 38%."""
        return self._written(_as_written(value))

    def display_tolerance(self, value: float) -> str:
        """A tolerance in this unit; for a percentage that is percentage points."""
        return self._written(_as_written(value), percent=" percentage points")

    def _written(self, number: str, *, percent: str = "%") -> str:
        match self:
            case Unit.PERCENT:
                return f"{number}{percent}"
            case Unit.DAYS:
                return f"{number} days"
            case Unit.PER_10K | Unit.RATIO | Unit.COUNT | Unit.MEAN:
                return number
            case _:
                assert_never(self)


def _as_written(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,}"


class Polarity(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"
    NEITHER = "neither"


class Interval(StrEnum):
    """How a value's 95% confidence interval is computed."""

    WILSON = "wilson"  # a proportion of a cohort
    POISSON = "poisson"  # a count over an exposure (rates, turnover): exact Garwood
    NONE = "none"  # means of durations, counts
    # A mean of scores: Student's t on n − 1 degrees of freedom, from the records' spread.
    NORMAL = "normal"


class Measure(StrEnum):
    """How the engine aggregates an indicator's records, per LA and period: a closed set.

    proportion: the records are the cohort; numerator, those with `counted` true.
    rate: the records are the things counted, over the LA's children aged 0–17 (child-years
        when `annualised`, so a quarter's events become a yearly rate).
    mean: the records are the things averaged; numerator, the sum of their `value` column;
        denominator, the sum of their `weight` column, or the records when it has none.
    weighted: each record has a `weight` column; numerator, the weight of those `counted`;
        denominator, the weight of those `in_denominator` (a numerator can lie outside it, as
        leavers lie outside the workers in post).
    count: the records are the things counted; no denominator.
    """

    PROPORTION = "proportion"
    RATE = "rate"
    MEAN = "mean"
    WEIGHTED = "weighted"
    COUNT = "count"


class Domain(StrEnum):
    """The part of the service an indicator speaks about (dashboards group by it)."""

    REFERRALS = "referrals"
    CHILD_PROTECTION = "child_protection"
    LOOKED_AFTER = "looked_after"
    CARE_LEAVERS = "care_leavers"
    ADOPTION = "adoption"
    VIRTUAL_SCHOOL = "virtual_school"
    EARLY_HELP = "early_help"
    WORKFORCE = "workforce"

    @property
    def label(self) -> str:
        return {
            "referrals": "Referrals and assessments",
            "child_protection": "Child protection",
            "looked_after": "Children looked after",
            "care_leavers": "Care leavers",
            "adoption": "Adoption",
            "virtual_school": "Education of children looked after",
            "early_help": "Early help",
            "workforce": "Workforce",
        }[self.value]


# The return an indicator reads is a return kind (`Source.SSDA903` is `ReturnKind.SSDA903`).
Source = ReturnKind


class Tables(Protocol):
    """What an indicator body may read: warehouse tables by name."""

    def table(self, name: str) -> ir.Table: ...


# A body returns its records, or events for the engine to place in the periods.
Body = Callable[[Tables, ir.Table], "ir.Table | InPeriod"]


@dataclass(frozen=True)
class Indicator:
    code: str
    title: str
    unit: Unit
    polarity: Polarity
    source: ReturnKind
    definition: str
    comparator: str | None
    min_denominator: int
    lookback_months: int | None
    interval: Interval
    body: Body
    measure: Measure
    domain: Domain
    framework: Tag  # the National Framework outcome or enabler it speaks to, and why
    # Other returns the body reads (the 903 for a virtual school cohort): a period they do
    # not cover gets the same statuses as one the main source does not cover.
    also_reads: tuple[Source, ...] = ()
    # The record columns the measure reads, where it reads one (see `Measure`).
    value: str | None = None
    weight: str | None = None
    annualised: bool = False
    # The first day the source collects what the indicator counts (a code new in a return
    # version): a period starting before it has no value, not a zero.
    collected_from: dt.date | None = None
    # The day of the year (month, day) a period must end on for the value to be complete,
    # where the return holds the records only for children there on that day (the 903's
    # social worker episodes, for those looked after on 31 March): any other period end is
    # "lookback incomplete".
    complete_on: tuple[int, int] | None = None
    # What the returns must hold beyond the source return for a value (a table or field not
    # every return carries), as the framework view says it: `the workers file's ETHNICITY column`.
    needs: str | None = None

    @property
    def short_title(self) -> str:
        return self.title[0].lower() + self.title[1:]


REGISTRY: dict[str, Indicator] = {}


def indicator(
    code: str,
    title: str,
    *,
    unit: Unit,
    polarity: Polarity,
    source: Source,
    measure: Measure,
    domain: Domain,
    framework: Tag,
    comparator: str | None = None,
    min_denominator: int = 5,
    lookback_months: int | None = None,
    interval: Interval = Interval.WILSON,
    also_reads: tuple[Source, ...] = (),
    value: str | None = None,
    weight: str | None = None,
    annualised: bool = False,
    collected_from: dt.date | None = None,
    complete_on: tuple[int, int] | None = None,
    needs: str | None = None,
) -> Callable[[Body], Body]:
    """Register an indicator; the function's docstring is its definition.

    `measure` says how the engine aggregates the body's records; `value` and `weight` name the
    record columns a mean or a weighted measure reads, and `annualised` makes a rate yearly.
    `framework` places it under a National Framework outcome or enabler (`framework.dashboard`
    for a dashboard measure it computes, `framework.serves` with the reason for any other);
    an indicator without one is refused.
    `collected_from` is the first day the source collects what is counted; `complete_on`
    the (month, day) a period must end on for the records to be complete; `needs` names a
    table or field the returns must hold beyond the source return, where there is one.
    """

    def register(body: Body) -> Body:
        if code in REGISTRY:
            raise ValueError(f"indicator {code} is registered twice")
        _check_measure(code, measure, value=value, weight=weight, annualised=annualised)
        if not isinstance(framework, Tag):
            raise ValueError(
                f"indicator {code}: framework= takes a framework tag (framework.dashboard or "
                f"framework.serves), not {framework!r}"
            )
        framework.check(code)
        if interval is Interval.NORMAL and (measure is not Measure.MEAN or weight is not None):
            raise ValueError(
                f"indicator {code}: a normal interval is for an unweighted mean, from the spread "
                "of its records' values"
            )
        REGISTRY[code] = Indicator(
            code=code,
            title=title,
            unit=unit,
            polarity=polarity,
            source=source,
            definition=" ".join((body.__doc__ or "").split()),
            comparator=comparator,
            min_denominator=min_denominator,
            lookback_months=lookback_months,
            interval=interval,
            body=body,
            measure=measure,
            domain=domain,
            framework=framework,
            also_reads=also_reads,
            value=value,
            weight=weight,
            annualised=annualised,
            collected_from=collected_from,
            complete_on=complete_on,
            needs=needs,
        )
        return body

    return register


def _check_measure(
    code: str, measure: Measure, *, value: str | None, weight: str | None, annualised: bool
) -> None:
    """Each measure kind names exactly the record columns it reads."""
    match measure:
        case Measure.MEAN:
            wrong = value is None
        case Measure.WEIGHTED:
            wrong = weight is None or value is not None
        case Measure.PROPORTION | Measure.COUNT | Measure.RATE:
            wrong = value is not None or weight is not None
        case _:
            assert_never(measure)
    if wrong or (annualised and measure is not Measure.RATE):
        raise ValueError(
            f"indicator {code}: a {measure} measure reads "
            + {
                Measure.MEAN: "a value column (and may read a weight column)",
                Measure.WEIGHTED: "a weight column and no value column",
                Measure.PROPORTION: "no value or weight column",
                Measure.COUNT: "no value or weight column",
                Measure.RATE: "no value or weight column",
            }[measure]
            + ("; only a rate is annualised" if annualised and measure is not Measure.RATE else "")
        )


def get(code: str) -> Indicator:
    """The indicator with this code, with a clear error naming the known codes."""
    load_builtin()
    try:
        return REGISTRY[code]
    except KeyError:
        known = ", ".join(sorted(REGISTRY))
        raise KeyError(f"unknown indicator {code!r}; known: {known}") from None


def all_indicators() -> list[Indicator]:
    load_builtin()
    return [REGISTRY[c] for c in sorted(REGISTRY)]


T = TypeVar("T")


def by_framework(
    items: Iterable[T], code_of: Callable[[T], str], *, keep_empty: bool = False
) -> list[tuple[Framework, list[T]]]:
    """Items (report panels, tiles, table rows) under the National Framework outcome or enabler
    of the indicator each names, in the Framework's order; see `framework.grouped`."""
    return grouped(
        items, lambda item: get(code_of(item)).framework.framework, keep_empty=keep_empty
    )


def load_builtin() -> None:
    """Import the domain modules, whose decorators fill the registry."""
    from cscmonitor.indicators import (  # noqa: F401
        adoption,
        adoption_decision,
        assessment_factors,
        care_leavers,
        ceasing_care,
        child_protection,
        cla_reviews,
        conferences_per_enquiry,
        deprivation_of_liberty,
        early_help,
        looked_after,
        placement_distance,
        placement_types,
        pre_proceedings,
        referrals,
        school_moves,
        sdq,
        social_worker_stability,
        starting_care,
        virtual_school,
        workforce,
        young_care_leavers,
    )
