"""Children looked after, from the SSDA903 return.

Open on a day d: DECOM on or before d, and DEC blank or after d (DEC is the day the
episode ceased, so on that day the child is in the next episode, or has left care).
An episode overlaps the 12 months to period end when it is open on some day of them.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from cscmonitor.indicators.common import KEYS, open_at_end
from cscmonitor.indicators.registry import Polarity, Source, Tables, Unit, indicator

TEMPORARY = ("T0", "T1", "T2", "T3", "T4")
SHORT_BREAKS = ("V3", "V4")
NEW_PLACEMENT = ("S", "P", "B")


def placement_episodes(tables: Tables) -> ir.Table:
    """Episodes that are not temporary placements, each marked if it starts a new placement.

    A new placement: RNE S, P or B, unless the episode is the return from a temporary move
    (T0–T4) to the placement the child left (same PLACE, URN and PL_POST as the last episode
    before the move, and starting the day the temporary episode ended).
    """
    episodes = tables.table("cla_episodes")
    child = ibis.window(group_by=["la_code", "child_id"], order_by="decom")
    episodes = episodes.mutate(
        temporary=episodes.place.isin(TEMPORARY),
        after_temporary=episodes.place.lag().over(child).isin(TEMPORARY).fill_null(False),
        previous_ended=episodes.dec.lag().over(child),
    )
    settled = episodes.filter(~episodes.temporary)
    # Among settled episodes only, lag() reaches back over any run of temporary ones.
    settled = settled.mutate(
        before_place=settled.place.lag().over(child),
        before_urn=settled.urn.lag().over(child),
        before_post=settled.pl_post.lag().over(child),
    )
    returning = (
        settled.after_temporary
        & settled.previous_ended.identical_to(settled.decom)
        & settled.before_place.identical_to(settled.place)
        & settled.before_urn.identical_to(settled.urn)
        & settled.before_post.identical_to(settled.pl_post)
    )
    return settled.mutate(new_placement=settled.rne.isin(NEW_PLACEMENT) & ~returning)


def overlapping_year(rows: ir.Table, periods: ir.Table) -> ir.Table:
    """Each episode once per period whose 12 months to period end it overlaps."""
    return rows.join(
        periods,
        [rows.decom <= periods.period_end, rows.dec.isnull() | (rows.dec > periods.year_start)],
    )


@indicator(
    "CLA_3PLUS",
    "Children looked after with three or more placements in the year",
    unit=Unit.PERCENT,
    polarity=Polarity.LOWER,
    source=Source.SSDA903,
    comparator='placement_stability "With 3 or more placements during the year"',
)
def three_or_more_placements(tables: Tables, periods: ir.Table) -> ir.Table:
    """Of children looked after at period end, excluding any child with a V3/V4 (short breaks)
    episode in the 12 months to period end, those with 3 or more placements in those 12 months.
    Counted: the first non-temporary episode open in the 12 months, and each later one starting in
    them with RNE S, P or B; never a temporary placement (PLACE T0–T4), never the return from a
    temporary move to the same placement (same PLACE, URN and PL_POST as before the move)."""
    episodes = tables.table("cla_episodes")
    at_end = open_at_end(episodes, "decom", "dec", periods)
    cohort = at_end.select(*KEYS, "child_id", "year_start").distinct()
    breaks = overlapping_year(episodes.filter(episodes.ls.isin(SHORT_BREAKS)), periods)
    cohort = cohort.anti_join(breaks.select(*KEYS, "child_id"), [*KEYS, "child_id"])

    stays = overlapping_year(placement_episodes(tables), periods)
    order = ibis.window(group_by=[*KEYS, "child_id"], order_by="decom")
    stays = stays.mutate(first=ibis.row_number().over(order) == 0)
    counted = stays.first | (stays.new_placement & (stays.decom >= stays.year_start))
    placements = stays.group_by([*KEYS, "child_id"]).aggregate(
        placements=counted.cast("int64").sum()
    )
    children = cohort.left_join(placements, [*KEYS, "child_id"])
    three = children.placements.fill_null(0) >= 3
    return children.group_by(
        children.la_code, children.period_start, children.period_end
    ).aggregate(numerator=three.cast("int64").sum(), denominator=ibis._.count())
