"""Initial child protection conferences per section 47 enquiry, from the CIN census (a local
measure beside National Framework outcome 2; not on DfE's dashboard)."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from cscmonitor.indicators.common import KEYS, in_period
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


def _conferences(tables: Tables, periods: ir.Table) -> ir.Table:
    """Each initial conference once (child and date), from Section47 and from CINdetails."""
    dates = []
    for name in ("cin_section47", "cin_referrals"):
        t = tables.table(name)
        dates.append(t.filter(t.icpc_date.notnull()).select("la_code", "child_id", "icpc_date"))
    held = ibis.union(*dates, distinct=True)
    rows = in_period(held, "icpc_date", periods)
    return rows.select(
        *KEYS, "child_id", record=ibis.literal("initial conference"), date=rows.icpc_date
    )


@indicator(
    "S47_ICPC",
    "Initial child protection conferences per section 47 enquiry",
    framework=serves(
        Framework.SAFE,
        "a local measure of the framework: how often a section 47 enquiry leads to an initial "
        "child protection conference",
    ),
    unit=Unit.PERCENT,
    measure=Measure.WEIGHTED,
    weight="weight",
    polarity=Polarity.NEITHER,
    source=Source.CIN_CENSUS,
    domain=Domain.CHILD_PROTECTION,
    comparator="c4_children_in_need_section_47s_and_icpcs: initial child protection conferences "
    "÷ section 47 enquiries (not a dashboard measure)",
    interval=Interval.POISSON,
)
def conferences_per_enquiry(tables: Tables, periods: ir.Table) -> ir.Table:
    """Initial child protection conferences held in the period (distinct child and
    DateOfInitialCPC, from Section47 and from CINdetails, so a conference without a section 47
    held here, such as a transfer-in, counts as in DfE's count) ÷ Section47 records with
    S47ActualStartDate in the period. A ratio of two counts, not a cohort (a choice): it can
    pass 100%, so its interval is Poisson on the conferences."""
    conferences = _conferences(tables, periods).mutate(
        counted=ibis.literal(True), in_denominator=ibis.literal(False)
    )
    s47 = tables.table("cin_section47")
    enquiries = in_period(s47.filter(s47.start_date.notnull()), "start_date", periods)
    enquiries = enquiries.select(
        *KEYS,
        "child_id",
        record=ibis.literal("section 47 enquiry"),
        date=enquiries.start_date,
        counted=ibis.literal(False),
        in_denominator=ibis.literal(True),
    )
    rows = ibis.union(conferences, enquiries)
    return rows.mutate(weight=ibis.literal(1.0))
