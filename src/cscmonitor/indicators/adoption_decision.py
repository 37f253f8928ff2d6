"""Time from the decision that a child should be placed for adoption to the match with adopters,
from the SSDA903 episodes and AD1 tables (National Framework outcome 4).

DfE publishes it for England only, as months (yy:mm) over children adopted in the year; the
value here is mean days, as the other adoption measures are (a month is 30.4375 days, a
choice, when it is set beside DfE's figure). No confidence interval, as for the other means
of days; the minimum is 10 children.
"""

from __future__ import annotations

import ibis.expr.types as ir

from cscmonitor.indicators.adoption import ADOPTED
from cscmonitor.indicators.common import KEYS, in_period
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
    "ADOPT_DECISION_MATCH",
    "Days from the decision to place for adoption to the match with adopters",
    framework=dashboard(Framework.STABLE_HOMES, 47),
    unit=Unit.DAYS,
    measure=Measure.MEAN,
    value="days",
    polarity=Polarity.LOWER,
    source=Source.SSDA903,
    domain=Domain.ADOPTION,
    comparator="national_cla_adopted_average_time_between_adoption_process_stages: cla_group "
    '"Age on starting final period of care", stage_of_adoption_process "2. Average time between '
    'decision that child should be placed for adoption and matching of child and adopters", '
    'age_start_poc "Total", number yy:mm as yy × 12 + mm months (England only)',
    min_denominator=10,
    interval=Interval.NONE,
)
def decision_to_match(tables: Tables, periods: ir.Table) -> ir.Table:
    """Children adopted in the period (an episode ending with REC E11 or E12 whose DEC is in
    the period: one year, not the 3 years of the adoption scorecard; each child once) whose
    AD1 record has both DATE_INT (the decision that the child should be placed for adoption)
    and DATE_MATCH: the mean of the days from DATE_INT to DATE_MATCH. A record with DATE_INT
    after DATE_MATCH breaks the 903's validation rule 333 and is left out (a choice)."""
    episodes = tables.table("cla_episodes")
    adopted = episodes.filter(episodes.rec.isin(ADOPTED) & episodes.dec.notnull())
    adopted = in_period(adopted, "dec", periods)
    adopted = adopted.group_by([*KEYS, "child_id"]).aggregate(adopted_on=adopted.dec.max())
    ad1 = tables.table("cla_ad1")
    ad1 = ad1.select(
        _la=ad1.la_code,
        _child=ad1.child_id,
        decision_date=ad1.interest_date,
        match_date=ad1.match_date,
    ).distinct()
    rows = adopted.join(ad1, [adopted.la_code == ad1._la, adopted.child_id == ad1._child]).drop(
        "_la", "_child"
    )
    rows = rows.filter(
        rows.decision_date.notnull()
        & rows.match_date.notnull()
        & (rows.decision_date <= rows.match_date)
    )
    return rows.mutate(days=rows.match_date.delta(rows.decision_date, unit="day"))
