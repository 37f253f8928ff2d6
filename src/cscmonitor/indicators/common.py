"""Expressions several indicators share: joining events to periods, counting per LA and period."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import ibis
import ibis.expr.types as ir

from cscmonitor.indicators.registry import Tables

KEYS = ["la_code", "period_start", "period_end"]

# While explaining, an indicator's last step returns the rows it would have counted, each
# marked `counted` (in the numerator) or not, instead of the totals.
_EXPLAINING: ContextVar[bool] = ContextVar("explaining", default=False)


@contextmanager
def explaining() -> Iterator[None]:
    """Within this block, indicator bodies return their contributing rows."""
    token = _EXPLAINING.set(True)
    try:
        yield
    finally:
        _EXPLAINING.reset(token)


def explaining_now() -> bool:
    return _EXPLAINING.get()


def weighted(rows: ir.Table, weight: ir.NumericValue, counted: ir.BooleanValue) -> ir.Table:
    """Numerator (the weight of rows where `counted`) and denominator (all the weight)."""
    if _EXPLAINING.get():
        return rows.mutate(counted=counted)
    return rows.group_by(KEYS).aggregate(
        numerator=weight.sum(where=counted), denominator=weight.sum()
    )


def in_period(events: ir.Table, date: str, periods: ir.Table) -> ir.Table:
    """Each event once per period whose [start, end] holds its date (a range join, not a loop)."""
    return events.join(
        periods,
        [events[date] >= periods.period_start, events[date] <= periods.period_end],
    )


def open_at_end(rows: ir.Table, start: str, end: str, periods: ir.Table) -> ir.Table:
    """Each row once per period at whose end it is open: started on or before, not ended by then."""
    return rows.join(
        periods,
        [
            rows[start] <= periods.period_end,
            rows[end].isnull() | (rows[end] > periods.period_end),
        ],
    )


def proportion(rows: ir.Table, counted: ir.BooleanValue) -> ir.Table:
    """Numerator (rows where `counted`) and denominator (all rows) per LA and period."""
    if _EXPLAINING.get():
        return rows.mutate(counted=counted)
    return rows.group_by(KEYS).aggregate(
        numerator=counted.cast("int64").sum(),
        denominator=ibis._.count(),
    )


def months_after(date: ir.DateValue, months: int) -> ir.DateValue:
    """The same calendar day `months` later (29 Feb maps to 28 Feb)."""
    return date + ibis.interval(months=months)


def rate(
    rows: ir.Table, tables: Tables, *, annualised: bool, distinct: str | None = None
) -> ir.Table:
    """Rows (or distinct `distinct` values) per LA and period over the child population of the
    year the period starts.

    The denominator is child-years of exposure when `annualised` (the population times the
    period's share of the 12 months to its end), so a quarter's referrals become a yearly
    rate; otherwise the population itself (for counts at a point in time).
    """
    if _EXPLAINING.get():
        return rows.mutate(counted=ibis.literal(True))
    count = rows[distinct].nunique() if distinct else rows.count()
    counts = rows.group_by([*KEYS, "year_fraction"]).aggregate(numerator=count)
    population = tables.table("population")
    joined = counts.join(
        population,
        [counts.la_code == population.la_code, counts.period_start.year() == population.year],
    )
    exposure = joined.population * joined.year_fraction if annualised else joined.population
    return joined.select(*KEYS, numerator=joined.numerator, denominator=exposure)
