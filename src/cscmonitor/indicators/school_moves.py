"""Children looked after with a mid-year school move, from the virtual school's schools table
joined to the SSDA903 (National Framework outcome 1).

DfE matches the 903 to the termly school censuses by UPN (state-funded schools only), so an
enrolment that starts and ends between two censuses escapes its count; the virtual school's
own records see it.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from cscmonitor.indicators.care_events import looked_after_at_end
from cscmonitor.indicators.common import KEYS, until
from cscmonitor.indicators.framework import Framework, dashboard
from cscmonitor.indicators.looked_after import SHORT_BREAKS
from cscmonitor.indicators.registry import (
    Domain,
    Measure,
    Polarity,
    Source,
    Tables,
    Unit,
    indicator,
)

SUMMER = (8, 9)  # moves starting in August or September are the usual start of a school year


def _first_day_looked_after(tables: Tables, periods: ir.Table) -> ir.Table:
    """Per child and period, the first day of the 12 months to period end on which the child
    was looked after (an episode, not short breaks, open that day)."""
    episodes = tables.table("cla_episodes")
    episodes = episodes.filter(~episodes.ls.isin(SHORT_BREAKS).fill_null(False))
    rows = episodes.join(
        periods.select("period_start", "period_end", "year_start"),
        [
            episodes.decom <= periods.period_end,
            until(episodes.dec) > periods.year_start,
        ],
    )
    first = ibis.greatest(rows.decom, rows.year_start)
    return rows.group_by([*KEYS, "child_id"]).aggregate(looked_after_from=first.min())


@indicator(
    "CLA_SCHOOL_MOVE",
    "Children looked after with a mid-year school move",
    framework=dashboard(Framework.STAY_TOGETHER, 7),
    unit=Unit.PERCENT,
    measure=Measure.PROPORTION,
    polarity=Polarity.LOWER,
    source=Source.VIRTUAL_SCHOOL,
    domain=Domain.VIRTUAL_SCHOOL,
    also_reads=(Source.SSDA903,),
    comparator='la_cla_school_moves: cla_group "CLA on 31 March", move_measure "Mid-year moves", '
    'school_stability "With one or more mid-year moves during the year", percentage',
)
def mid_year_school_move(tables: Tables, periods: ir.Table) -> ir.Table:
    """Of children looked after at period end (an episode open then whose LS is not V3/V4) who
    were on a school's roll at any time in the 12 months to period end (START_DATE on or
    before the end, END_DATE blank or on or after their first day `w`), those with a
    mid-year move: a schools row whose START_DATE is in the 12 months, not in August or
    September, on or after the first day in them the child was looked after, at a URN the
    child was not on roll at the day before (on roll on a day: START_DATE on or before it,
    END_DATE blank or on or after it). Starting at a school from none counts. Not a move (a
    choice): a new row while the child stays on roll at another school it was at the day
    before, after the new row starts (END_DATE blank or after that day), as in dual
    registration; a new row at the same school."""
    cohort = looked_after_at_end(tables, periods).select(*KEYS, "child_id", "year_start")
    schools = tables.table("vs_schools").select(
        "la_code", "child_id", "urn", "start_date", "end_date"
    )
    on_roll = cohort.join(
        schools,
        [
            cohort.la_code == schools.la_code,
            cohort.child_id == schools.child_id,
            schools.start_date <= cohort.period_end,
            schools.end_date.isnull() | (schools.end_date >= cohort.year_start),
        ],
    ).select(*KEYS, "child_id", "year_start", "urn", "start_date", "end_date")
    children = on_roll.select(*KEYS, "child_id").distinct()

    firsts = _first_day_looked_after(tables, periods)
    starts = on_roll.join(firsts, [*KEYS, "child_id"])
    starts = starts.filter(
        (starts.start_date >= starts.year_start)
        & ~starts.start_date.month().isin(SUMMER)
        & (starts.start_date >= starts.looked_after_from)
    )
    before = schools.select(
        _la=schools.la_code,
        _child=schools.child_id,
        _urn=schools.urn,
        _from=schools.start_date,
        _to=schools.end_date,
    )
    day_before = starts.start_date - ibis.interval(days=1)
    same_school = (before._urn == starts.urn) & (before._to.isnull() | (before._to >= day_before))
    stays_elsewhere = (before._urn != starts.urn) & (
        before._to.isnull() | (before._to > starts.start_date)
    )
    blocking = starts.join(
        before,
        [
            starts.la_code == before._la,
            starts.child_id == before._child,
            before._from <= day_before,
            same_school | stays_elsewhere,
        ],
    ).select(*KEYS, "child_id", "urn", "start_date")
    moves = starts.select(*KEYS, "child_id", "urn", "start_date").anti_join(
        blocking, [*KEYS, "child_id", "urn", "start_date"]
    )
    moves = moves.group_by([*KEYS, "child_id"]).aggregate(
        moves=moves.count(), first_move=moves.start_date.min()
    )
    rows = children.left_join(moves, [*KEYS, "child_id"])
    rows = rows.select(*KEYS, "child_id", moves=rows.moves.fill_null(0), first_move=rows.first_move)
    return rows.mutate(counted=rows.moves > 0)
