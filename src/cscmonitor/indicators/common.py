"""Expressions several indicators share: joining events to periods, dates a number of months on,
and intermediates built once for a whole basket."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import ibis
import ibis.expr.types as ir

from cscmonitor.indicators.registry import Tables

KEYS = ["la_code", "period_start", "period_end"]


def shared(tables: Tables, build: Callable[..., ir.Table], *args: ir.Table) -> ir.Table:
    """`build(tables, *args)`: an intermediate several indicators read (periods of care, the
    children looked after at period end). Tables that keep intermediates (the engine's, for a
    `compute`) build each once and hand the same table to every indicator (on DuckDB a
    table, on Spark cached); others build it."""
    keep = getattr(tables, "shared", None)
    return keep(build, *args) if keep is not None else build(tables, *args)


def holds_distinct(tables: Tables, name: str, columns: Sequence[str]) -> bool:
    """Whether the table is known to hold no two rows alike on `columns`: as the snapshot
    recorded it when written (`warehouse.Snapshot.holds_distinct`); tables that do not say
    (hand-made ones) are not known to."""
    known = getattr(tables, "holds_distinct", None)
    return bool(known(name, columns)) if known is not None else False


def distinct_rows(tables: Tables, name: str, columns: Sequence[str]) -> ir.Table:
    """The table's `columns`, each set of values once: made distinct unless the snapshot
    already holds them so (a hash of every row, 1.9 CPU s for England's 6.3 million
    assessments, for nothing when none repeats)."""
    rows = tables.table(name).select(*columns)
    return rows if holds_distinct(tables, name, columns) else rows.distinct()


# After any period: an open end (blank) compared as this day.
_OPEN = ibis.date(9999, 12, 31)


def narrowed(rows: ir.Table, columns: tuple[str, ...]) -> ir.Table:
    """`rows` with only those of `columns` it has (a snapshot written before a column existed
    lacks it), in that order: for a table several indicators read, which a basket keeps and
    whose windows carry every column."""
    return rows.select(*[name for name in columns if name in rows.columns])


def until(end: ir.DateValue) -> ir.DateValue:
    """An end date, or for a blank one a day after every period, so that "not ended by the
    period end" is one inequality (`until(end) > period_end`): DuckDB merges a join to the
    periods on two inequalities, where `end IS NULL OR end > …` is a filter on every pair
    the other inequality makes (each episode with every period after it began)."""
    return end.fill_null(_OPEN)


def in_period(events: ir.Table, date: str, periods: ir.Table) -> ir.Table:
    """Each event once per period whose [start, end] holds its date: a join on the date to
    each day of each period (`period_days`), which is hashed, where a join on two
    inequalities sorted every event by its date in every query (and Spark compared every
    event with every period)."""
    days = period_days(periods)
    joined = events.join(days, events[date] == days._day)
    return joined.drop("_day")


class InPeriod(NamedTuple):
    """What a body returns when its records are events, each in every period holding its
    `date` (`in_period`), with nothing about the period deciding what is counted: `counted`,
    a weight or a value are the event's own. The engine then sums the events by LA and day
    before placing them in the periods (`measures.totals`): placed first, England's 6.8
    million referrals made 25 million rows (one per period holding each) to group, in each
    of four queries. Explain shows the events placed (`records`)."""

    events: ir.Table
    date: str

    def records(self, periods: ir.Table) -> ir.Table:
        return in_period(self.events, self.date, periods)


def period_days(periods: ir.Table) -> ir.Table:
    """Each day of each period (`_day`) with the period's columns: 365 rows a year. Made from
    the periods alone (a list of days unnested), so a query joins the events to it whole;
    made by joining a calendar, DuckDB joined the events to the calendar first."""
    first = periods.period_start.cast("timestamp")
    after = (periods.period_end + ibis.interval(days=1)).cast("timestamp")
    days = periods.mutate(_at=ibis.range(first, after, ibis.interval(days=1)).unnest())
    # Cast apart from the unnest: Spark takes no generator inside an expression.
    return days.mutate(_day=days._at.cast("date")).drop("_at")


def open_at_end(
    tables: Tables, rows: ir.Table, start: str, end: str, periods: ir.Table
) -> ir.Table:
    """Each row once per period at whose end it is open: started on or before, not ended by then."""
    rows = rows.mutate(_until=until(rows[end]))
    return ends_between(tables, rows, start, "_until", periods).drop("_until")


def ends_between(
    tables: Tables,
    rows: ir.Table,
    first: str,
    after: str,
    periods: ir.Table,
    column: str = "period_end",
) -> ir.Table:
    """Each row once per period whose end is on or after its date `first` and whose `column`
    is before its date `after` (neither blank: a blank `first` is in no period), with the
    period's columns. `column` is the period end, or the start of the 12 months to it
    (`year_start`), which is in the same order as the ends: a row open from `first` to
    before `after` is then one open at the end, or one overlapping the 12 months to it.

    By rank, on equalities: a date's rank is how many period ends fall before it (for
    `year_start`, how many ends' 12 months start before it), so a row spans the ends ranked
    from its `first`'s rank up to its `after`'s, and is joined on that pair of ranks to the
    periods ending there. A join on the two inequalities compared each row with every
    period ending after it started, to keep those ending before its end (DuckDB's merge join
    for CIN_RATE's 6.4 million referrals and 40 period ends: 2 CPU s). The small tables it
    looks up are shared (`period_ranks`), so DuckDB knows their sizes and hashes them, not
    the rows."""
    ranks = shared(tables, period_ranks, periods)
    bounds = ranks.aggregate(_lo=ranks._day.min(), _hi=ranks._day.max())
    rows = rows.filter(rows[first].notnull()).cross_join(bounds)
    # A date before the first day looked up ranks as it (nothing before), one after the
    # last as it (everything before).
    rows = rows.mutate(
        _d0=ibis.least(ibis.greatest(rows[first], rows._lo), rows._hi),
        _d1=ibis.least(ibis.greatest(rows[after], rows._lo), rows._hi),
    ).drop("_lo", "_hi")
    upper = {"period_end": ranks._rank, "year_start": ranks._rank_year}[column]
    r0 = ranks.select(_d0=ranks._day, _a=ranks._rank)
    r1 = ranks.select(_d1=ranks._day, _b=upper)
    rows = rows.join(r0, "_d0").join(r1, "_d1").drop("_d0", "_d1")
    spans = shared(tables, periods_by_ranks, periods)
    return rows.join(spans, ["_a", "_b"]).drop("_a", "_b")


def period_ranks(tables: Tables, periods: ir.Table) -> ir.Table:
    """Each day from the first start of the 12 months to a period end to the day after the
    last end (`_day`), with `_rank`, how many period ends fall before it, and `_rank_year`,
    how many of the ends' 12 months start before it. Made from the periods alone; `tables`
    unread."""
    ends = periods.select(_end=periods.period_end, _year=periods.year_start).distinct()
    span = ends.aggregate(_lo=ends._year.min(), _hi=ends._end.max())
    day = ibis.range(
        span._lo.cast("timestamp"),
        (span._hi + ibis.interval(days=2)).cast("timestamp"),
        ibis.interval(days=1),
    )
    days = span.select(_at=day.unnest())
    days = days.select(_day=days._at.cast("date"))
    before = days.left_join(ends, ends._year < days._day)
    return before.group_by("_day").aggregate(
        _rank=before._end.count(where=before._end < before._day),
        _rank_year=before._end.count(),
    )


def periods_by_ranks(tables: Tables, periods: ir.Table) -> ir.Table:
    """Each pair of ranks `_a` < `_b` (`period_ranks`) with each period whose end is ranked
    from `_a` up to `_b` (at most 41 x 40 pairs for 40 period ends, each with its periods)."""
    ranks = shared(tables, period_ranks, periods)
    ranks = ranks.select(_a=ranks._rank).union(ranks.select(_a=ranks._rank_year))
    ranks = ranks.distinct()
    pairs = ranks.cross_join(ranks.select(_b=ranks._a))
    pairs = pairs.filter(pairs._a < pairs._b)
    # A period's rank is its end's: how many ends fall before that day.
    at_end = shared(tables, period_ranks, periods).select(_end="_day", _rank="_rank")
    spans = periods.join(at_end, periods.period_end == at_end._end).drop("_end")
    spans = pairs.join(spans, [spans._rank >= pairs._a, spans._rank < pairs._b])
    return spans.drop("_rank")


def in_child_order(rows: ir.Table, start: str, end: str) -> ir.Table:
    """`rows` with `_nth`, each row's place among its child's (`la_code, child_id`) in order of
    `start`, then `end` (blank last), and `_reach`, the latest end among the rows before it
    (blank for the first): one window over the rows. A row whose start is before `_reach`
    overlaps an earlier one."""
    child = ["la_code", "child_id"]
    order = [rows[start], until(rows[end])]
    before = ibis.window(group_by=child, order_by=order, rows=(None, -1))
    return rows.mutate(
        _nth=ibis.row_number().over(ibis.window(group_by=child, order_by=order)),
        _reach=until(rows[end]).max().over(before),
    )


def first_open_at_end(
    tables: Tables, rows: ir.Table, start: str, end: str, periods: ir.Table
) -> ir.Table:
    """Each child (`la_code, child_id`) once per period at whose end one of its rows is open:
    the row starting first among those open (the earliest end first on a tie).

    A row counts at a period end when no row of the child ordered before it is open then:
    those all started by then, so none is open when the latest of their ends is on or before
    it. That end is a window over the rows, once; the join keeps one row per child and
    period, where a grouping of the joined rows would hash every child at every period end."""
    return first_open_after_reach(tables, in_child_order(rows, start, end), start, end, periods)


def first_open_after_reach(
    tables: Tables, rows: ir.Table, start: str, end: str, periods: ir.Table
) -> ir.Table:
    """`first_open_at_end` of rows already carrying `_reach` (and `_nth`, if any), as
    `in_child_order` gives them: for a table whose own windows work `_reach` out in the order
    they sort the rows in anyway (`referrals.referrals`)."""
    # From the later of its start and that end until its own end, a row is the child's first
    # open one: one interval, joined to the period ends it spans (`ends_between`). A row an
    # earlier one outlasts is never first, nor one without a start (`greatest` skips a blank).
    first = ibis.greatest(rows[start], rows._reach.fill_null(rows[start]))
    rows = rows.mutate(_first=first, _until=until(rows[end]))
    rows = rows.filter(rows[start].notnull() & (rows._first < rows._until))
    joined = ends_between(tables, rows, "_first", "_until", periods)
    return joined.drop(*(c for c in ("_nth", "_reach", "_first", "_until") if c in joined.columns))


def latest_by_end(
    rows: ir.Table, history: ir.Table, on: Sequence[tuple[str, str]], date: str, following: str
) -> ir.Table:
    """`rows` (each with a `period_end`) joined to the one row of `history` that is the latest
    by that end: matched on the pairs of columns `on` (a column of `rows`, one of `history`),
    its `date` on or before the end and `following` (the next row's date; blank for the last)
    after it. A left join, so the history never takes a row out of `rows`, and a row with no
    history by then keeps its row, blank: what is the same at every period end (reviews in
    order, placements) is worked out once per row of the history, and a period end finds its
    latest, where joining every row by then and grouping them hashed every row of `rows`."""
    return rows.left_join(
        history,
        [
            *(rows[mine] == history[theirs] for mine, theirs in on),
            history[date] <= rows.period_end,
            until(history[following]) > rows.period_end,
        ],
    )


def months_after(date: ir.DateValue, months: int) -> ir.DateValue:
    """The same calendar day `months` later (29 Feb maps to 28 Feb)."""
    return date + ibis.interval(months=months)
