"""The indicator registry: one decorated function per indicator, with its metadata.

Built-in indicators register through the same decorator a third party would use.
An indicator body receives the warehouse tables and a periods table
(`period_start`, `period_end`, one row per period) and returns an Ibis table with
`la_code, period_start, period_end, numerator, denominator` for every LA and
period at once. The engine adds value, confidence interval and status.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, assert_never

import ibis.expr.types as ir


class Unit(StrEnum):
    """The closed set of units. A new unit is a big change: engine, CIs and RAG match on it."""

    PERCENT = "percent"
    PER_10K = "per_10k"
    DAYS = "days"
    RATIO = "ratio"
    COUNT = "count"

    @property
    def scale(self) -> float:
        """What a 0–1 share is multiplied by to be in this unit (100 for a percentage)."""
        match self:
            case Unit.PERCENT:
                return 100.0
            case Unit.PER_10K:
                return 10_000.0
            case Unit.DAYS | Unit.RATIO | Unit.COUNT:
                return 1.0
            case _:
                assert_never(self)

    @property
    def decimals(self) -> int:
        """Decimal places a computed value in this unit is shown with."""
        match self:
            case Unit.PERCENT | Unit.PER_10K | Unit.RATIO:
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
            case Unit.PER_10K | Unit.RATIO | Unit.COUNT:
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


class Source(StrEnum):
    """The return an indicator reads; the value is the warehouse's return kind."""

    CIN_CENSUS = "cin"
    SSDA903 = "ssda903"
    WORKFORCE = "workforce"
    EARLY_HELP = "early_help"
    VIRTUAL_SCHOOL = "virtual_school"

    @property
    def label(self) -> str:
        return {
            "cin": "CIN census",
            "ssda903": "SSDA903",
            "workforce": "Workforce",
            "early_help": "Early help",
            "virtual_school": "Virtual school",
        }[self.value]


class Tables(Protocol):
    """What an indicator body may read: warehouse tables by name."""

    def table(self, name: str) -> ir.Table: ...


Body = Callable[[Tables, ir.Table], ir.Table]


@dataclass(frozen=True)
class Indicator:
    code: str
    title: str
    unit: Unit
    polarity: Polarity
    source: Source
    definition: str
    comparator: str | None
    min_denominator: int
    lookback_months: int | None
    interval: Interval
    body: Body
    # Other returns the body reads (the 903 for a virtual school cohort): a period they do
    # not cover gets the same statuses as one the main source does not cover.
    also_reads: tuple[Source, ...] = ()

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
    comparator: str | None = None,
    min_denominator: int = 5,
    lookback_months: int | None = None,
    interval: Interval = Interval.WILSON,
    also_reads: tuple[Source, ...] = (),
) -> Callable[[Body], Body]:
    """Register an indicator; the function's docstring is its definition."""

    def register(body: Body) -> Body:
        if code in REGISTRY:
            raise ValueError(f"indicator {code} is registered twice")
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
            also_reads=also_reads,
        )
        return body

    return register


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


def load_builtin() -> None:
    """Import the domain modules, whose decorators fill the registry."""
    from cscmonitor.indicators import (  # noqa: F401
        adoption,
        care_leavers,
        child_protection,
        early_help,
        looked_after,
        referrals,
        virtual_school,
        workforce,
    )
