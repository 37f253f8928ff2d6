"""Children looked after, from the SSDA903 return.

Open on a day d: DECOM on or before d, and DEC blank or after d (DEC is the day the
episode ceased, so on that day the child is in the next episode, or has left care).
An episode overlaps the 12 months to period end when it is open on some day of them.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from cscmonitor.indicators.common import (
    KEYS,
    months_after,
    open_at_end,
    proportion,
    rate,
)
from cscmonitor.indicators.registry import Interval, Polarity, Source, Tables, Unit, indicator

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
    return proportion(children, children.placements.fill_null(0) >= 3)


ADOPTIVE = ("A3", "A4", "A5", "A6")


@indicator(
    "CLA_RATE",
    "Children looked after per 10,000 at period end",
    unit=Unit.PER_10K,
    polarity=Polarity.NEITHER,
    source=Source.SSDA903,
    comparator="cla_number_and_rate rate_per_10000",
    interval=Interval.POISSON,
)
def looked_after_rate(tables: Tables, periods: ir.Table) -> ir.Table:
    """Children with an episode open at period end ÷ the LA's children aged 0–17 × 10,000."""
    rows = open_at_end(tables.table("cla_episodes"), "decom", "dec", periods)
    return rate(rows, tables, annualised=False, distinct="child_id")


def periods_of_care(tables: Tables) -> ir.Table:
    """Episodes with the start of the period of care each belongs to (an unbroken chain of
    episodes, each starting the day the one before ended)."""
    episodes = tables.table("cla_episodes")
    child = ibis.window(group_by=["la_code", "child_id"], order_by="decom")
    episodes = episodes.mutate(
        new_care=episodes.dec.lag().over(child).isnull()
        | (episodes.dec.lag().over(child) != episodes.decom)
    )
    running = ibis.cumulative_window(group_by=["la_code", "child_id"], order_by="decom")
    episodes = episodes.mutate(care=episodes.new_care.cast("int64").sum().over(running))
    care = ibis.window(group_by=["la_code", "child_id", "care"])
    return episodes.mutate(care_start=episodes.decom.min().over(care))


@indicator(
    "CLA_LT_STABLE",
    "Long-term placement stability",
    unit=Unit.PERCENT,
    polarity=Polarity.HIGHER,
    source=Source.SSDA903,
    comparator='placement_stability "Living with the same carer for at least 2 years"',
)
def long_term_stability(tables: Tables, periods: ir.Table) -> ir.Table:
    """Of children under 16 at period end who have been looked after continuously (no gap between
    episodes) for 2.5 years or more (start of the current period of care plus 30 months on or
    before the period end), those whose current placement started 2 years or more before the
    period end, or who are placed for adoption (PLACE A3–A6) and whose adoptive placement and the
    placement before it together last 2 years or more. Placements are counted as in CLA_3PLUS:
    temporary placements and returns from them do not start a placement. Age is whole years
    completed on the period end, from the Header's date of birth."""
    at_end = open_at_end(periods_of_care(tables), "decom", "dec", periods)
    children = tables.table("cla_children").select("la_code", "child_id", "birth_date")
    cohort = at_end.join(children, ["la_code", "child_id"])
    cohort = cohort.filter(
        (months_after(cohort.birth_date, 16 * 12) > cohort.period_end)
        & (months_after(cohort.care_start, 30) <= cohort.period_end)
    ).select(*KEYS, "child_id", adoptive=cohort.place.isin(ADOPTIVE))

    placed = placement_episodes(tables)
    starts = placed.filter(placed.new_placement).select(
        la_code_p=placed.la_code, child_id_p=placed.child_id, placement_start=placed.decom
    )
    history = cohort.join(
        starts,
        [
            cohort.la_code == starts.la_code_p,
            cohort.child_id == starts.child_id_p,
            starts.placement_start <= cohort.period_end,
        ],
    )
    latest = ibis.window(group_by=[*KEYS, "child_id"], order_by=ibis.desc("placement_start"))
    history = history.mutate(back=ibis.row_number().over(latest))
    current = history.placement_start.max(where=history.back == 0)
    before = history.placement_start.max(where=history.back == 1)
    per_child = history.group_by([*KEYS, "child_id", "adoptive"]).aggregate(
        current=current, before=before
    )
    stable = months_after(per_child.current, 24) <= per_child.period_end
    adopted_stable = per_child.adoptive & (
        months_after(per_child.before, 24) <= per_child.period_end
    ).fill_null(False)
    return proportion(per_child, stable | adopted_stable)
