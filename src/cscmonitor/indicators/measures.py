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

from cscmonitor.indicators.common import KEYS, InPeriod, in_period
from cscmonitor.indicators.registry import Indicator, Measure, Tables

# The periods table's own helpers, which a body's joins carry along: not facts about a record.
_PERIOD_HELPERS = ("year_start", "year_fraction")


def records(ind: Indicator, tables: Tables, periods: ir.Table) -> ir.Table:
    """The indicator's records, each with `counted` (true for those in the numerator)."""
    body = ind.body(tables, periods)
    rows = body.records(periods) if isinstance(body, InPeriod) else body
    return _normalised(ind, rows, KEYS)


def _normalised(ind: Indicator, rows: ir.Table, keys: list[str]) -> ir.Table:
    """`rows` checked for `keys` and the columns the measure reads, `counted` filled in."""
    rows = rows.drop(*(c for c in _PERIOD_HELPERS if c in rows.columns))
    needed = [*keys, *_columns_read(ind)]
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
    body = ind.body(tables, periods)
    if isinstance(body, InPeriod):
        # The events' sums by LA and day, each placed in the periods holding the day, summed
        # again: a few rows a day, where each event placed was a row per period holding it.
        events = _normalised(ind, body.events, ["la_code", body.date])
        sums = _sums(ind, events)
        by_day = events.group_by(["la_code", body.date]).aggregate(**sums)
        placed = in_period(by_day, body.date, periods)
        summed = placed.group_by(KEYS).aggregate(**{name: placed[name].sum() for name in sums})
    else:
        rows = _normalised(ind, body, KEYS)
        summed = rows.group_by(KEYS).aggregate(**_sums(ind, rows))
    match ind.measure:
        case Measure.PROPORTION:
            return summed
        case Measure.WEIGHTED:
            return summed.mutate(
                numerator=summed.numerator.cast("float64").fill_null(0),
                denominator=summed.denominator.cast("float64").fill_null(0),
            )
        case Measure.MEAN:
            return summed.mutate(
                numerator=summed.numerator.cast("float64"),
                denominator=summed.denominator.cast("float64")
                if ind.weight
                else summed.denominator,
                squares=summed.squares.cast("float64"),
            )
        case Measure.COUNT:
            # A count has no denominator; the engine sets none.
            return summed.mutate(denominator=summed.numerator)
        case Measure.RATE:
            return _over_population(ind, summed, tables, periods)
        case _:
            assert_never(ind.measure)


def _sums(ind: Indicator, rows: ir.Table) -> dict[str, ir.Scalar]:
    """The sums of `rows` an LA and period's figures are made of: counts, and weights and
    values as exact decimals, so sums of sums are the same sums."""
    match ind.measure:
        case Measure.PROPORTION:
            return {"numerator": rows.counted.cast("int64").sum(), "denominator": rows.count()}
        case Measure.WEIGHTED:
            weight = _exact(rows[str(ind.weight)])
            return {
                "numerator": weight.sum(where=rows.counted),
                "denominator": weight.sum(where=rows.in_denominator),
            }
        case Measure.MEAN:
            value = rows[str(ind.value)]
            return {
                "numerator": _exact(value).sum(),
                "denominator": _exact(rows[ind.weight]).sum() if ind.weight else rows.count(),
                # The spread, for an interval around an unweighted mean.
                "squares": _exact(value.cast("float64") * value.cast("float64")).sum(),
            }
        case Measure.COUNT | Measure.RATE:
            return {"numerator": rows.count()}
        case _:
            assert_never(ind.measure)


def _exact(value: ir.NumericColumn) -> ir.DecimalColumn:
    """`value` as a decimal to 10 places, so that its sum is the same whatever order the rows
    come in (cast to a float once summed). Floats summed as the joins deliver them (hash
    joins on two threads, in no fixed order) differ in their last bits from run to run, and
    a figure must be the same on every surface that computes it (SW_AGENCY's FTE: 23.3 on
    one page, 23.299999999999997 in the API). FTE are given to two places, distances and
    scores to fewer than ten."""
    return value.cast(dt.Decimal(38, 10))


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
