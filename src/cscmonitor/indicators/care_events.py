"""The shared terms of the National Framework measures over the SSDA903 (INDICATORS-FRAMEWORK.md).

Every one leaves out agreed series of short breaks (LS V3/V4), as DfE does in every 31 March,
starting and ceasing figure: a child on short breaks is not counted as looked after.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from cscmonitor.indicators.code_years import collection_year
from cscmonitor.indicators.common import KEYS, in_period, open_at_end, shared
from cscmonitor.indicators.looked_after import SHORT_BREAKS, TEMPORARY, periods_of_care
from cscmonitor.indicators.registry import Tables


def _not_short_breaks(episodes: ir.Table) -> ir.Table:
    return episodes.filter(~episodes.ls.isin(SHORT_BREAKS).fill_null(False))


def looked_after_at_end(tables: Tables, periods: ir.Table) -> ir.Table:
    """`CLA_END`: each child once per period with an episode open at its end (DECOM on or
    before, DEC blank or after) whose LS is not V3/V4; with that episode's columns and its
    period of care (`care`)."""
    return shared(tables, _looked_after_at_end, periods)


def _looked_after_at_end(tables: Tables, periods: ir.Table) -> ir.Table:
    episodes = _not_short_breaks(periods_of_care(tables))
    rows = open_at_end(episodes, "decom", "dec", periods)
    # Episodes do not overlap, so one is open at the end; should two be, the later one.
    latest = ibis.window(group_by=[*KEYS, "child_id"], order_by=ibis.desc("decom"))
    rows = rows.mutate(_nth=ibis.row_number().over(latest))
    return rows.filter(rows._nth == 0).drop("_nth")


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
    last = ibis.window(group_by=[*KEYS, "child_id"], order_by=ibis.desc("dec"))
    endings = endings.mutate(_nth=ibis.row_number().over(last))
    endings = endings.filter(endings._nth == 0)
    return endings.select(*KEYS, "child_id", "dec", "rec", dec_year=collection_year(endings.dec))


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


def placement_at_end(tables: Tables, periods: ir.Table) -> ir.Table:
    """`CLA_END` with `placement`: PLACE of the open episode or, when that is a temporary
    placement (T0–T4), of the latest earlier episode of the same period of care that is not
    (blank when the period of care holds none). A choice: DfE does not publish it."""
    at_end = looked_after_at_end(tables, periods)
    episodes = periods_of_care(tables)
    settled = episodes.filter(~episodes.place.isin(TEMPORARY).fill_null(False)).select(
        _la=episodes.la_code,
        _child=episodes.child_id,
        _care=episodes.care,
        _decom=episodes.decom,
        _place=episodes.place,
    )
    joined = at_end.left_join(
        settled,
        [
            at_end.la_code == settled._la,
            at_end.child_id == settled._child,
            at_end.care == settled._care,
            settled._decom <= at_end.decom,
        ],
    )
    latest = ibis.window(group_by=[*KEYS, "child_id"], order_by=ibis.desc("_decom"))
    joined = joined.mutate(_nth=ibis.row_number().over(latest))
    joined = joined.filter(joined._nth == 0)
    return joined.mutate(placement=joined._place).drop(
        "_la", "_child", "_care", "_decom", "_place", "_nth"
    )
