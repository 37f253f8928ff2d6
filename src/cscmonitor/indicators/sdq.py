"""The average strengths and difficulties questionnaire (SDQ) score of children looked after
continuously for 12 months, from the SSDA903 episodes, Header and OC2 tables (National
Framework outcome 4). A higher score means more difficulties."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from cscmonitor.indicators.care_events import looked_after_at_end
from cscmonitor.indicators.code_years import collection_year
from cscmonitor.indicators.common import KEYS, months_after, until
from cscmonitor.indicators.framework import Framework, dashboard
from cscmonitor.indicators.looked_after import SHORT_BREAKS
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

LOWEST, HIGHEST = 0, 40  # the questionnaire's range (903 validation rule 180)


def continuously_looked_after(tables: Tables, periods: ir.Table) -> ir.Table:
    """Children looked after at period end who were looked after on the first day `w` of the
    12 months to period end and, in those months, started no period of care (RNE S with DECOM
    after `w`), ended none (DEC from `w` up to the end with REC not X1) and had no agreed
    series of short breaks (LS V3/V4), as the 903 validator builds the OC2 cohort."""
    at_end = looked_after_at_end(tables, periods).select(*KEYS, "child_id", "year_start")
    episodes = tables.table("cla_episodes")
    window = episodes.join(
        periods.select("period_start", "period_end", "year_start"),
        [
            episodes.decom <= periods.period_end,
            until(episodes.dec) >= periods.year_start,
        ],
    )
    on_first_day = (window.decom <= window.year_start) & (
        window.dec.isnull() | (window.dec > window.year_start)
    )
    broken = (
        ((window.rne == "S") & (window.decom > window.year_start))
        | (
            window.dec.notnull()
            & (window.dec < window.period_end)
            & (window.rec != "X1").fill_null(True)
        )
        | window.ls.isin(SHORT_BREAKS).fill_null(False)
    )
    history = window.group_by(["la_code", "period_start", "period_end", "child_id"]).aggregate(
        on_first_day=on_first_day.any(), broken=broken.any()
    )
    history = history.filter(history.on_first_day & ~history.broken)
    return at_end.join(history, [*KEYS, "child_id"]).select(*KEYS, "child_id", "year_start")


@indicator(
    "CLA_SDQ",
    "Average SDQ score of children looked after for 12 months",
    framework=dashboard(Framework.STABLE_HOMES, 51),
    unit=Unit.MEAN,
    measure=Measure.MEAN,
    value="sdq_score",
    polarity=Polarity.LOWER,
    source=Source.SSDA903,
    domain=Domain.LOOKED_AFTER,
    comparator='la_conviction_health_outcome_cla: "Ages 5 to 16 years with SDQ score" / "SDQ '
    'average score", value in children_count',
    interval=Interval.NORMAL,
)
def average_sdq(tables: Tables, periods: ir.Table) -> ir.Table:
    """Of children looked after continuously for the 12 months to period end (looked after on
    their first day `w`; in them no new period of care, none ending other than by X1, no
    agreed series of short breaks) whose 4th birthday is on or before `w` and whose 17th is
    after the period end (903 validation rule 186), those with an OC2 SDQ_SCORE from 0 to 40:
    the mean score, with a Student's t interval. The minimum counts children with a score.
    The OC2 record read is the one in the latest return whose year ends on or before the
    period end (a choice: the 31 March return for a period ending 31 March). Date of birth
    from the Header."""
    cohort = continuously_looked_after(tables, periods)
    children = tables.table("cla_children")
    children = children.select(
        _la=children.la_code, _child=children.child_id, birth=children.birth_date
    )
    cohort = cohort.join(
        children, [cohort.la_code == children._la, cohort.child_id == children._child]
    )
    cohort = cohort.filter(
        (months_after(cohort.birth, 4 * 12) <= cohort.year_start)
        & (months_after(cohort.birth, 17 * 12) > cohort.period_end)
    )
    cohort = cohort.mutate(oc2_year=collection_year(cohort.period_end + ibis.interval(days=1)) - 1)
    oc2 = tables.table("cla_oc2")
    oc2 = oc2.filter(oc2.sdq_score.between(LOWEST, HIGHEST)).select(
        _la=oc2.la_code, _child=oc2.child_id, _year=oc2.return_year, sdq_score=oc2.sdq_score
    )
    rows = cohort.join(
        oc2,
        [
            cohort.la_code == oc2._la,
            cohort.child_id == oc2._child,
            cohort.oc2_year == oc2._year.cast("int64"),
        ],
    )
    return rows.select(*KEYS, "child_id", "birth", "oc2_year", "sdq_score")
