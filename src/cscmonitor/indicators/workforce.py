"""Social work workforce, from worker-level records (docs/workforce.md).

Children's social workers only: workers holding a social work registration, in
any role (case holders, practitioners and managers), as the DfE workforce census
counts them. FTE throughout.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from cscmonitor.indicators.common import KEYS, explaining_now, open_at_end, weighted
from cscmonitor.indicators.registry import Interval, Polarity, Source, Tables, Unit, indicator


def social_workers(tables: Tables) -> ir.Table:
    workers = tables.table("sw_workers")
    return workers.filter(workers.registered.fill_null(False) & workers.fte.notnull())


@indicator(
    "SW_AGENCY",
    "Agency social workers",
    unit=Unit.PERCENT,
    polarity=Polarity.LOWER,
    source=Source.WORKFORCE,
    comparator="csww agency_rate_fte",
)
def agency(tables: Tables, periods: ir.Table) -> ir.Table:
    """Agency FTE in post at period end ÷ (agency FTE + employed FTE in post at period end).
    Registered social workers only, in any role (managers with a registration included), as the
    DfE workforce census counts them. In post on a date: started on or before it and not left by
    it (a worker whose left date is the period end has left)."""
    rows = open_at_end(social_workers(tables), "start_date", "left_date", periods)
    return weighted(rows, rows.fte, rows.agency.fill_null(False))


@indicator(
    "SW_TURNOVER",
    "Social worker turnover",
    unit=Unit.PERCENT,
    polarity=Polarity.LOWER,
    source=Source.WORKFORCE,
    comparator="csww turnover_rate_fte",
    interval=Interval.POISSON,
)
def turnover(tables: Tables, periods: ir.Table) -> ir.Table:
    """Employed (not agency) FTE leaving in the 12 months to period end ÷ employed FTE in post at
    period end; registered social workers only, as for SW_AGENCY. A leaver's FTE is the FTE they
    worked. It can exceed 100%, so its interval is the exact Poisson one on the leavers."""
    employed = social_workers(tables)
    employed = employed.filter(~employed.agency.fill_null(False))
    in_post = open_at_end(employed, "start_date", "left_date", periods)
    left = employed.join(
        periods,
        [employed.left_date >= periods.year_start, employed.left_date <= periods.period_end],
    )
    if explaining_now():
        # The leavers are the numerator; the workers in post at the end, the denominator.
        return left.mutate(counted=ibis.literal(True)).union(
            in_post.mutate(counted=ibis.literal(False))
        )
    in_post = in_post.group_by(KEYS).aggregate(denominator=in_post.fte.sum())
    left = left.group_by(KEYS).aggregate(numerator=left.fte.sum())
    both = in_post.outer_join(left, KEYS)
    return both.select(
        la_code=both.la_code.coalesce(both.la_code_right),
        period_start=both.period_start.coalesce(both.period_start_right),
        period_end=both.period_end.coalesce(both.period_end_right),
        numerator=both.numerator.fill_null(0),
        denominator=both.denominator.fill_null(0),
    )
