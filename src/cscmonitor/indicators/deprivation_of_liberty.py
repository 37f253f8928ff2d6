"""Children looked after under a deprivation of liberty order (National Framework outcome 4),
from the SSDA903's DoLo table, collected from the 2026-27 return.

A period starting before 1 April 2026 has no value ("no data"), never a count of zero: no
return before 2026-27 holds the table.
"""

from __future__ import annotations

import datetime as dt

import ibis.expr.types as ir

from cscmonitor.indicators.care_events import looked_after_at_end
from cscmonitor.indicators.common import KEYS
from cscmonitor.indicators.framework import Framework, serves
from cscmonitor.indicators.registry import (
    Domain,
    Interval,
    Measure,
    Polarity,
    Source,
    Tables,
    Unit,
    indicator,
)

FIRST_COLLECTED = dt.date(2026, 4, 1)  # the 2026-27 return's first day


@indicator(
    "CLA_DOLO",
    "Children looked after under a deprivation of liberty order",
    framework=serves(
        Framework.STABLE_HOMES,
        "Where children in care live and under what restriction: a deprivation of liberty "
        "order restricts how a looked after child lives (a local measure; the dashboard has "
        "none).",
    ),
    unit=Unit.COUNT,
    measure=Measure.COUNT,
    polarity=Polarity.NEITHER,
    source=Source.SSDA903,
    domain=Domain.LOOKED_AFTER,
    interval=Interval.NONE,
    collected_from=FIRST_COLLECTED,
    needs="the 2026-27 SSDA903 deprivation of liberty table",
)
def under_deprivation_of_liberty(tables: Tables, periods: ir.Table) -> ir.Table:
    """Children looked after at period end (an episode open then whose LS is not V3/V4) with a
    deprivation of liberty order open at period end: a DoLo row with DOLO_START on or before
    the end and DOLO_END blank or after it. Each child once, however many orders it has.
    A count (its share of the children looked after is CLA_DOLO_SHARE). Collected from the
    2026-27 return; a period starting earlier has no value."""
    rows = _with_open_orders(tables, periods)
    return rows.filter(rows.dolo_start.notnull())


@indicator(
    "CLA_DOLO_SHARE",
    "Children looked after under a deprivation of liberty order (share)",
    framework=serves(
        Framework.STABLE_HOMES,
        "CLA_DOLO as a share of the children looked after, so councils of any size compare "
        "(a local measure; the dashboard has none).",
    ),
    unit=Unit.PERCENT,
    measure=Measure.PROPORTION,
    polarity=Polarity.NEITHER,
    source=Source.SSDA903,
    domain=Domain.LOOKED_AFTER,
    collected_from=FIRST_COLLECTED,
    needs="the 2026-27 SSDA903 deprivation of liberty table",
)
def share_under_deprivation_of_liberty(tables: Tables, periods: ir.Table) -> ir.Table:
    """Of children looked after at period end (an episode open then whose LS is not V3/V4),
    those with a deprivation of liberty order open at period end, as CLA_DOLO counts them.
    Collected from the 2026-27 return; a period starting earlier has no value."""
    rows = _with_open_orders(tables, periods)
    return rows.mutate(counted=rows.dolo_start.notnull())


def _with_open_orders(tables: Tables, periods: ir.Table) -> ir.Table:
    """Children looked after at period end, each once, with the start of the earliest order
    open then (blank: none)."""
    at_end = looked_after_at_end(tables, periods).select(*KEYS, "child_id")
    orders = tables.table("cla_dolo")
    orders = orders.select(
        _la=orders.la_code, _child=orders.child_id, _start=orders.dolo_start, _end=orders.dolo_end
    )
    joined = at_end.left_join(
        orders,
        [
            at_end.la_code == orders._la,
            at_end.child_id == orders._child,
            orders._start <= at_end.period_end,
            orders._end.isnull() | (orders._end > at_end.period_end),
        ],
    )
    return joined.group_by([*KEYS, "child_id"]).aggregate(dolo_start=joined._start.min())
