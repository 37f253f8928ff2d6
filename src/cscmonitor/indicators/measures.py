"""The engine's aggregation: an indicator's records, summed as its measure kind declares.

`records` is what "explain this figure" shows; `totals` is the same records aggregated to
numerator and denominator per LA and period. Both are one Ibis expression over every LA and
period at once.
"""

from __future__ import annotations

from typing import assert_never

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from cscmonitor.indicators.common import KEYS
from cscmonitor.indicators.registry import Indicator, Measure, Tables

# The periods table's own helpers, which a body's joins carry along: not facts about a record.
_PERIOD_HELPERS = ("year_start", "year_fraction")


def records(ind: Indicator, tables: Tables, periods: ir.Table) -> ir.Table:
    """The indicator's records, each with `counted` (true for those in the numerator)."""
    rows = ind.body(tables, periods)
    rows = rows.drop(*(c for c in _PERIOD_HELPERS if c in rows.columns))
    needed = [*KEYS, *_columns_read(ind)]
    missing = [c for c in needed if c not in rows.columns]
    if missing:
        raise ValueError(
            f"indicator {ind.code}: its {ind.measure} records lack {', '.join(missing)}"
        )
    match ind.measure:
        case Measure.PROPORTION:
            return rows.mutate(counted=rows.counted.fill_null(False))
        case Measure.WEIGHTED:
            return rows.mutate(
                counted=rows.counted.fill_null(False),
                in_denominator=rows.in_denominator.fill_null(False),
            )
        case Measure.RATE | Measure.MEAN | Measure.COUNT:
            # Every record is a thing counted, or a thing whose value is summed.
            return rows.mutate(counted=ibis.literal(True))
        case _:
            assert_never(ind.measure)


def _columns_read(ind: Indicator) -> list[str]:
    match ind.measure:
        case Measure.PROPORTION:
            return ["counted"]
        case Measure.WEIGHTED:
            return ["counted", "in_denominator", str(ind.weight)]
        case Measure.MEAN:
            return [c for c in (ind.value, ind.weight) if c is not None]
        case Measure.RATE | Measure.COUNT:
            return []
        case _:
            assert_never(ind.measure)


def totals(ind: Indicator, tables: Tables, periods: ir.Table) -> ir.Table:
    """`la_code, period_start, period_end, numerator, denominator` from the records (and, for
    a mean, `squares`: the sum of the squared values)."""
    rows = records(ind, tables, periods)
    match ind.measure:
        case Measure.PROPORTION:
            return rows.group_by(KEYS).aggregate(
                numerator=rows.counted.cast("int64").sum(), denominator=rows.count()
            )
        case Measure.WEIGHTED:
            weight = rows[str(ind.weight)]
            return rows.group_by(KEYS).aggregate(
                numerator=_exact_sum(weight, rows.counted).fill_null(0),
                denominator=_exact_sum(weight, rows.in_denominator).fill_null(0),
            )
        case Measure.MEAN:
            value = rows[str(ind.value)]
            return rows.group_by(KEYS).aggregate(
                numerator=_exact_sum(value),
                denominator=_exact_sum(rows[ind.weight]) if ind.weight else rows.count(),
                # The spread, for an interval around an unweighted mean.
                squares=_exact_sum(value.cast("float64") * value.cast("float64")),
            )
        case Measure.COUNT:
            # A count has no denominator; the engine sets none.
            return rows.group_by(KEYS).aggregate(numerator=rows.count(), denominator=rows.count())
        case Measure.RATE:
            return _over_population(
                ind, rows.group_by(KEYS).aggregate(numerator=rows.count()), tables, periods
            )
        case _:
            assert_never(ind.measure)


def _exact_sum(value: ir.NumericColumn, where: ir.BooleanValue | None = None) -> ir.FloatingScalar:
    """The sum of `value` (of the rows `where` is true of), the same whatever order the rows
    come in: as decimals to 10 places, summed exactly, then a float. Floats summed as the
    joins deliver them (hash joins on two threads, in no fixed order) differ in their last
    bits from run to run, and a figure must be the same on every surface that computes it
    (SW_AGENCY's FTE: 23.3 on one page, 23.299999999999997 in the API). FTE are given to
    two places, distances and scores to fewer than ten."""
    return value.cast(dt.Decimal(38, 10)).sum(where=where).cast("float64")


def _over_population(
    ind: Indicator, counts: ir.Table, tables: Tables, periods: ir.Table
) -> ir.Table:
    """Counts per LA and period over the children aged 0–17 in the year the period starts: the
    population itself (a count at a point in time), or child-years of exposure when the rate is
    annualised (the population times the period's share of the 12 months to its end). Every LA
    and period with a population has a row, so no events is a rate of zero, not a gap."""
    spans = periods.select("period_start", "period_end", "year_fraction")
    population = tables.table("population")
    grid = population.join(spans, population.year == spans.period_start.year())
    counts = counts.select(
        _la=counts.la_code, _start=counts.period_start, _end=counts.period_end, _n=counts.numerator
    )
    joined = grid.left_join(
        counts,
        [
            grid.la_code == counts._la,
            grid.period_start == counts._start,
            grid.period_end == counts._end,
        ],
    )
    exposure = joined.population * joined.year_fraction if ind.annualised else joined.population
    return joined.select(*KEYS, numerator=joined._n.fill_null(0), denominator=exposure)
