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
    # The children at period end looked up among their own episodes: one open on `w`, none
    # breaking the year. Grouping every episode at every period whose year it overlaps
    # hashed 2 s of rows on England.
    cohort = looked_after_at_end(tables, periods).select(*KEYS, "child_id", "year_start")
    episodes = tables.table("cla_episodes").select(
        _la="la_code",
        _child="child_id",
        _decom="decom",
        _dec="dec",
        _rne="rne",
        _rec="rec",
        _ls="ls",
    )
    child = [cohort.la_code == episodes._la, cohort.child_id == episodes._child]
    cohort = cohort.semi_join(
        episodes,
        [*child, episodes._decom <= cohort.year_start, until(episodes._dec) > cohort.year_start],
    )
    # Only an episode starting a period of care, ending other than by X1 or of short breaks
    # can break the year: when it overlaps it, and starts or ends in it as that needs.
    breaks = episodes.mutate(
        _starts=(episodes._rne == "S").fill_null(False),
        _ends=episodes._dec.notnull() & (episodes._rec != "X1").fill_null(True),
        _short=episodes._ls.isin(SHORT_BREAKS).fill_null(False),
    )
    breaks = breaks.filter(breaks._starts | breaks._ends | breaks._short)
    overlaps = [
        breaks._decom <= cohort.period_end,
        until(breaks._dec) >= cohort.year_start,
    ]
    breaking = (
        (breaks._starts & (breaks._decom > cohort.year_start))
        | (breaks._ends & (breaks._dec < cohort.period_end))
        | breaks._short
    )
    child = [cohort.la_code == breaks._la, cohort.child_id == breaks._child]
    return cohort.anti_join(breaks, [*child, *overlaps, breaking])


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
