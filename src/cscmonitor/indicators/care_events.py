"""The shared terms of the National Framework measures over the SSDA903 (INDICATORS-FRAMEWORK.md).

Every one leaves out agreed series of short breaks (LS V3/V4), as DfE does in every 31 March,
starting and ceasing figure: a child on short breaks is not counted as looked after.
"""

from __future__ import annotations

import ibis.expr.types as ir

from cscmonitor.indicators.code_years import collection_year
from cscmonitor.indicators.common import (
    KEYS,
    in_period,
    narrowed,
    open_at_end,
    shared,
    until,
)
from cscmonitor.indicators.looked_after import SHORT_BREAKS, TEMPORARY, periods_of_care
from cscmonitor.indicators.registry import Tables


def _not_short_breaks(episodes: ir.Table) -> ir.Table:
    return episodes.filter(~episodes.ls.isin(SHORT_BREAKS).fill_null(False))


def looked_after_at_end(tables: Tables, periods: ir.Table) -> ir.Table:
    """`CLA_END`: each child once per period with an episode open at its end (DECOM on or
    before, DEC blank or after) whose LS is not V3/V4 (of two such, which should not
    overlap, the later in order of DECOM, then DEC); with that episode's columns, its
    period of care (`care`) and `placement`: PLACE of the open episode or, when that is a
    temporary placement (T0–T4), of the latest earlier episode of the same period of care
    that is not (blank when the period of care holds none; a choice: DfE does not publish
    it)."""
    return shared(tables, _looked_after_at_end, periods)


# The episode's columns the indicators reading `looked_after_at_end` use. Every window below,
# and the table a basket makes of it (3.4 million rows on England), carries each column
# kept, so the others are left out first.
_AT_END = (
    "la_code",
    "child_id",
    "decom",
    "dec",
    "ls",
    "place",
    "placement_distance_miles",  # not in a snapshot written before distances were kept
    "care",
    "care_start",
    "care_known",
    "_nth",
    "_reach",
    "_run",
)


def _looked_after_at_end(tables: Tables, periods: ir.Table) -> ir.Table:
    care = narrowed(periods_of_care(tables), _AT_END)
    episodes = _not_short_breaks(_with_placement(care))
    # Episodes do not overlap, so one is open at the end; should two be, the later one (in
    # order of DECOM, then DEC). An episode later than one open at a period end and open then
    # itself starts before the earlier one ends: before the latest end among the episodes
    # before it that are not short breaks (`_reach`, from `periods_of_care` with `_nth`, the
    # order). Those few episodes drop the earlier ones they overlap, where numbering every
    # child's rows at every period end sorted them all. They are found before the placement
    # window, which they do not read (DuckDB made that window again for them).
    rows = open_at_end(tables, episodes, "decom", "dec", periods)
    later = _not_short_breaks(care)
    later = later.filter(later._reach > later.decom)
    later = later.select(
        _la=later.la_code,
        _child=later.child_id,
        _n=later._nth,
        _start=later.decom,
        _until=until(later.dec),
    )
    rows = rows.anti_join(
        later,
        [
            rows.la_code == later._la,
            rows.child_id == later._child,
            later._n > rows._nth,
            later._start <= rows.period_end,
            later._until > rows.period_end,
        ],
    )
    return rows.drop("_nth", "_reach")


def started(tables: Tables, periods: ir.Table) -> ir.Table:
    """Each child once per period in which it started to be looked after (an RNE S episode
    with DECOM in the period, LS not V3/V4): `la_code, period…, child_id, decom` of the
    first such episode."""
    episodes = _not_short_breaks(tables.table("cla_episodes"))
    starts = in_period(episodes.filter(episodes.rne == "S"), "decom", periods)
    return starts.group_by([*KEYS, "child_id"]).aggregate(decom=starts.decom.min())


def ceased(tables: Tables, periods: ir.Table) -> ir.Table:
    """Each child once per period in which it ceased to be looked after (an episode with DEC
    in the period, REC not X1, LS not V3/V4), at its last such DEC ("only the last
    occasion", as DfE counts): `la_code, period…, child_id, dec, rec` and `dec_year`, the
    collection year of the DEC."""
    episodes = _not_short_breaks(tables.table("cla_episodes"))
    endings = episodes.filter(episodes.dec.notnull() & (episodes.rec != "X1").fill_null(False))
    endings = in_period(endings, "dec", periods)
    # The last ending's REC by argmax: an aggregate, where numbering the endings sorted them.
    last = endings.group_by([*KEYS, "child_id"]).aggregate(
        dec=endings.dec.max(), rec=endings.rec.argmax(endings.dec)
    )
    return last.mutate(dec_year=collection_year(last.dec))


def uasc_on(tables: Tables, rows: ir.Table, day: str) -> ir.Table:
    """`rows` (with `la_code`, `child_id` and a date column `day`) with a boolean `uasc`: the
    child has a UASC record from a return whose year is the year of `day` or later, and its
    DUC (the date UASC status ceased) is blank or after `day`. The warehouse keeps the newest
    UASC record of each child; a child is UASC from arrival, so a later return's record speaks
    for earlier years too, while a record only in an earlier return does not say the child
    was still UASC. A choice: DfE does not publish how it reads the UASC table."""
    uasc = tables.table("cla_uasc")
    uasc = uasc.select(
        _la=uasc.la_code, _child=uasc.child_id, _year=uasc.return_year, _duc=uasc.uasc_ceased_date
    )
    joined = rows.left_join(
        uasc,
        [
            rows.la_code == uasc._la,
            rows.child_id == uasc._child,
            uasc._year.cast("int64") >= collection_year(rows[day]),
            uasc._duc.isnull() | (uasc._duc > rows[day]),
        ],
    )
    return joined.mutate(uasc=joined._la.notnull()).drop("_la", "_child", "_year", "_duc")


def _with_placement(episodes: ir.Table) -> ir.Table:
    """Episodes with their period of care (`periods_of_care`) and `placement`. Each episode
    that is not temporary starts a run of the episodes up to the next such one in its period
    of care (`_run`, numbered in `periods_of_care`, where the start of a period of care
    starts one too); a run's placement is its first episode's PLACE (the temporary ones in
    it hold none)."""
    settled = ~episodes.place.isin(TEMPORARY).fill_null(False)
    # Only the first episode of a run can be settled, so a settled episode's placement is its
    # own PLACE, and only the temporary ones (118,142 of 1.36 million on England) look up
    # their run's: a join, where a window over every run sorted all the episodes (0.8 s).
    heads = episodes.filter(settled)
    runs = heads.select(
        _la=heads.la_code, _child=heads.child_id, _at=heads._run, _place=heads.place
    )
    moves = episodes.filter(~settled)
    moves = moves.left_join(
        runs,
        [moves.la_code == runs._la, moves.child_id == runs._child, moves._run == runs._at],
    )
    columns = [c for c in episodes.columns if c != "_run"]
    return heads.select(*columns, placement=heads.place).union(
        moves.select(*columns, placement=moves._place)
    )
