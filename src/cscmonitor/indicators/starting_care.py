"""Children starting to be looked after, and unaccompanied asylum-seeking children, per 10,000
children aged 0–17 (National Framework outcome 1: families stay together)."""

from __future__ import annotations

import ibis.expr.types as ir

from cscmonitor.indicators.care_events import looked_after_at_end, started, uasc_on
from cscmonitor.indicators.common import KEYS
from cscmonitor.indicators.framework import Framework, dashboard
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


@indicator(
    "CLA_START_RATE",
    "Children starting to be looked after per 10,000",
    framework=dashboard(Framework.STAY_TOGETHER, 3),
    unit=Unit.PER_10K,
    measure=Measure.RATE,
    polarity=Polarity.NEITHER,
    source=Source.SSDA903,
    domain=Domain.LOOKED_AFTER,
    comparator='cla_number_and_rate_per_10k_children: population_type "Children starting to be '
    'looked after each year", rate_per_10000',
    interval=Interval.POISSON,
    annualised=True,
)
def starting_rate(tables: Tables, periods: ir.Table) -> ir.Table:
    """Children who started to be looked after in the period (an episode with RNE S and DECOM
    in the period whose LS is not V3/V4, an agreed series of short breaks; each child once,
    however many times it started) ÷ the LA's children aged 0–17 × 10,000, annualised for
    periods shorter than a year."""
    return started(tables, periods)


@indicator(
    "UASC_START_RATE",
    "Unaccompanied asylum-seeking children starting to be looked after per 10,000",
    framework=dashboard(Framework.STAY_TOGETHER, 5),
    unit=Unit.PER_10K,
    measure=Measure.RATE,
    polarity=Polarity.NEITHER,
    source=Source.SSDA903,
    domain=Domain.LOOKED_AFTER,
    comparator='la_children_who_started_to_be_looked_after_during_the_year: "Unaccompanied '
    'asylum-seeking children", children_count ÷ cla_number_and_rate population_estimate',
    interval=Interval.POISSON,
    annualised=True,
)
def uasc_starting_rate(tables: Tables, periods: ir.Table) -> ir.Table:
    """As CLA_START_RATE, counting the children who were unaccompanied asylum-seeking children
    on the DECOM of their first starting episode in the period. UASC on a day (a choice): a
    UASC record held from a return of that day's year or later, with DUC (the date UASC
    status ceased) blank or after the day."""
    rows = uasc_on(tables, started(tables, periods), "decom")
    return rows.filter(rows.uasc)


@indicator(
    "UASC_END_RATE",
    "Unaccompanied asylum-seeking children looked after per 10,000 at period end",
    framework=dashboard(Framework.STAY_TOGETHER, 6),
    unit=Unit.PER_10K,
    measure=Measure.RATE,
    polarity=Polarity.NEITHER,
    source=Source.SSDA903,
    domain=Domain.LOOKED_AFTER,
    comparator='la_cla_on_31_march_by_characteristics: "Unaccompanied asylum-seeking children", '
    "children_count ÷ cla_number_and_rate population_estimate",
    interval=Interval.POISSON,
)
def uasc_looked_after_rate(tables: Tables, periods: ir.Table) -> ir.Table:
    """Children looked after at period end (an episode open then whose LS is not V3/V4) who are
    unaccompanied asylum-seeking children on the period end, as UASC_START_RATE reads the
    UASC table, ÷ the LA's children aged 0–17 × 10,000."""
    at_end = looked_after_at_end(tables, periods)
    rows = uasc_on(tables, at_end.select(*KEYS, "child_id", "decom"), "period_end")
    return rows.filter(rows.uasc)
