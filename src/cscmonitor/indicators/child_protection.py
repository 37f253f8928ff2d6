"""Child protection, from the CIN census."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from cscmonitor.indicators.common import in_period, proportion
from cscmonitor.indicators.registry import Polarity, Source, Tables, Unit, indicator


def plans(tables: Tables) -> ir.Table:
    """Child protection plans: one per child and start date, with the most previous plans noted."""
    return (
        tables.table("cin_plans")
        .group_by(["la_code", "child_id", "start_date"])
        .aggregate(previous_plans=ibis._.previous_plans.max())
    )


@indicator(
    "CPP_REPEAT",
    "Child protection plans for a second or subsequent time",
    unit=Unit.PERCENT,
    polarity=Polarity.LOWER,
    source=Source.CIN_CENSUS,
    comparator="d3 CPP_subsequent_percent",
)
def repeat_plans(tables: Tables, periods: ir.Table) -> ir.Table:
    """Of child protection plans starting in the period, those where the child had an earlier plan
    (start strictly before, in any data held) or where NumberOfPreviousCPP is recorded as more
    than 0. Two plans of one child starting the same day are one plan."""
    p = plans(tables)
    by_child = ibis.window(group_by=["la_code", "child_id"], order_by="start_date")
    p = p.mutate(earlier=p.start_date.lag().over(by_child))
    rows = in_period(p, "start_date", periods)
    return proportion(rows, rows.earlier.notnull() | (rows.previous_plans.fill_null(0) > 0))
