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
    ends_between,
    first_open_after_reach,
    in_period,
    latest_by_end,
    months_after,
    narrowed,
    shared,
    until,
)
from cscmonitor.indicators.framework import Framework, dashboard, serves
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

TEMPORARY = ("T0", "T1", "T2", "T3", "T4")
SHORT_BREAKS = ("V3", "V4")
NEW_PLACEMENT = ("S", "P", "B")


def periods_of_care(tables: Tables) -> ir.Table:
    """Episodes with the start of the period of care each belongs to (an unbroken chain of
    episodes, each starting the day the one before ended), and whether that start is known:
    a chain whose first held episode is not an S episode began before the returns held.

    A child's episodes are taken in order of DECOM, then DEC (blank last): two starting on
    one day, the one ending first comes first. Each carries what the windows over that
    order find for the tables built on it: `care` (the period's number), `care_start`,
    `care_known`, `previous_ended` and `after_temporary` (the DEC and whether the PLACE of
    the episode before is temporary), `_nth` (the order), `_reach` (the latest end among the
    earlier episodes that are not short breaks), `_reach_any` (among all the earlier ones:
    `in_care_at_end` and `looked_after_in_period`) and `_run` (`care_events._with_placement`)."""
    return shared(tables, _periods_of_care)


def in_care_at_end(tables: Tables, periods: ir.Table) -> ir.Table:
    """Each child once per period with an episode open at its end, short breaks included:
    `la_code, period_start, period_end, child_id`, the `decom` of the episode starting first
    among those open (`common.first_open_at_end`) and the period's `year_start`. Shared:
    CLA_RATE counts these children, CLA_3PLUS and the virtual school's school-age children
    start from them."""
    return shared(tables, _in_care_at_end, periods)


def _in_care_at_end(tables: Tables, periods: ir.Table) -> ir.Table:
    # The periods of care hold the order and reach `first_open_at_end` would sort them for.
    care = periods_of_care(tables)
    care = care.select("la_code", "child_id", "decom", "dec", _reach=care._reach_any)
    rows = first_open_after_reach(tables, care, "decom", "dec", periods)
    return rows.select(*KEYS, "child_id", "decom", "year_start")


# The episode's columns the indicators reading periods of care use (here, in
# `placement_episodes` and in `care_events.looked_after_at_end`). Each window over the
# episodes, and each table a basket makes of them, carries every column kept.
_CARE_COLUMNS = (
    "la_code",
    "child_id",
    "decom",
    "dec",
    "rne",
    "ls",
    "place",
    "urn",
    "pl_post",
    "placement_distance_miles",  # not in a snapshot written before distances were kept
)


def _periods_of_care(tables: Tables) -> ir.Table:
    # Every window over a child's episodes in one order (DECOM, then DEC, blank last) and
    # those of one frame kind in one select: two sorts of the episodes, where a window per
    # term made eight across periods of care, placements and the children at period end.
    episodes = narrowed(tables.table("cla_episodes"), _CARE_COLUMNS)
    child = ["la_code", "child_id"]
    order = [episodes.decom, until(episodes.dec)]
    whole = ibis.window(group_by=child, order_by=order)
    before = ibis.window(group_by=child, order_by=order, rows=(None, -1))
    # Short breaks do not reach: `care_events.looked_after_at_end` reads `_reach` among the
    # other episodes (`_nth` orders a child's episodes, whichever are kept).
    breaks = episodes.ls.isin(SHORT_BREAKS).fill_null(False)
    episodes = episodes.mutate(
        previous_ended=episodes.dec.lag().over(whole),
        after_temporary=episodes.place.lag().over(whole).isin(TEMPORARY).fill_null(False),
        _nth=ibis.row_number().over(whole),
        _reach=ibis.ifelse(breaks, ibis.null("date"), until(episodes.dec)).max().over(before),
        _reach_any=until(episodes.dec).max().over(before),
    )
    new_care = episodes.previous_ended.isnull() | (episodes.previous_ended != episodes.decom)
    settled = ~episodes.place.isin(TEMPORARY).fill_null(False)
    running = ibis.cumulative_window(group_by=child, order_by=order)
    # Only the first episode of a period of care starts it, and DECOM never falls in the
    # order: the latest start so far is the period's start, and it is known when the
    # latest S start so far is that one. A run (`_run`) is the episodes from one that is
    # not temporary, or starts a period of care, to the next such.
    began = ibis.ifelse(new_care & (episodes.rne == "S").fill_null(False), episodes.decom, None)
    episodes = episodes.mutate(
        new_care=new_care,
        care=new_care.cast("int64").sum().over(running),
        care_start=ibis.ifelse(new_care, episodes.decom, None).max().over(running),
        _began=began.max().over(running),
        _run=(settled | new_care).cast("int64").sum().over(running),
    )
    known = episodes._began.notnull() & (episodes._began == episodes.care_start)
    return episodes.mutate(care_known=known.fill_null(False)).drop("_began")


def placement_episodes(tables: Tables) -> ir.Table:
    """Episodes that are not temporary placements (`la_code, child_id, decom, dec`), each with
    its period of care (`care`) and marked if it starts a new placement.

    `new_placement`: RNE S, P or B, unless the episode is the return from a temporary move
    (T0–T4) to the placement the child left (same PLACE, URN and PL_POST as the last episode
    before the move, and starting the day the temporary episode ended).
    `starts_placement`: a new placement, or the first such episode of a period of care (the
    child was placed when care began; for care that began before the returns held, the first
    held episode starts the placement as far as the returns show).
    `_reach_settled`: the latest end (`until`) among the child's earlier such episodes, blank
    for the first: an episode whose `_reach_settled` is after a day follows one open then.
    """
    return shared(tables, _placement_episodes)


# The columns of a placement episode its readers use, beside the two marks.
_PLACED = ("la_code", "child_id", "decom", "dec", "care", "_reach_settled")


def _placement_episodes(tables: Tables) -> ir.Table:
    episodes = periods_of_care(tables)
    settled = episodes.filter(~episodes.place.isin(TEMPORARY))
    # Among settled episodes only, lag() reaches back over any run of temporary ones. The
    # first settled episode of a period of care follows one of an earlier period (or none):
    # periods of care are numbered in the order of the episodes, so one window serves both.
    by, order = ["la_code", "child_id"], [settled.decom, until(settled.dec)]
    child = ibis.window(group_by=by, order_by=order)
    before = ibis.window(group_by=by, order_by=order, rows=(None, -1))
    before_care = settled.care.lag().over(child)
    settled = settled.mutate(
        before_place=settled.place.lag().over(child),
        before_urn=settled.urn.lag().over(child),
        before_post=settled.pl_post.lag().over(child),
        first_in_care=before_care.isnull() | (before_care != settled.care),
        _reach_settled=until(settled.dec).max().over(before),
    )
    returning = (
        settled.after_temporary
        & settled.previous_ended.identical_to(settled.decom)
        & settled.before_place.identical_to(settled.place)
        & settled.before_urn.identical_to(settled.urn)
        & settled.before_post.identical_to(settled.pl_post)
    )
    new_placement = settled.rne.isin(NEW_PLACEMENT) & ~returning
    # Only the columns its readers use: the window carries (sorts) every column kept, and
    # the table a basket makes holds them (27 columns, where 8 are read).
    return settled.select(
        *_PLACED,
        new_placement=new_placement,
        starts_placement=new_placement | settled.first_in_care,
    )


def overlapping_year(tables: Tables, rows: ir.Table, periods: ir.Table) -> ir.Table:
    """Each episode once per period whose 12 months to period end it overlaps (as
    `overlaps_year`: joined to them by rank, `common.ends_between`)."""
    rows = rows.mutate(_until=until(rows.dec))
    return ends_between(tables, rows, "decom", "_until", periods, "year_start").drop("_until")


def overlaps_year(decom: ir.DateValue, dec: ir.DateValue, at: ir.Table) -> list[ir.BooleanValue]:
    """An episode from `decom` to `dec` (blank: open) overlaps the 12 months to `at`'s
    period end (`year_start` to `period_end`)."""
    return [decom <= at.period_end, until(dec) > at.year_start]


@indicator(
    "CLA_3PLUS",
    "Children looked after with three or more placements in the year",
    unit=Unit.PERCENT,
    measure=Measure.PROPORTION,
    polarity=Polarity.LOWER,
    source=Source.SSDA903,
    domain=Domain.LOOKED_AFTER,
    framework=dashboard(Framework.STABLE_HOMES, 45),
    comparator='placement_stability "With 3 or more placements during the year"',
)
def three_or_more_placements(tables: Tables, periods: ir.Table) -> ir.Table:
    """Of children looked after at period end, excluding any child with a V3/V4 (short breaks)
    episode in the 12 months to period end, those with 3 or more placements in those 12 months.
    Counted: the first non-temporary episode open in the 12 months (in order of DECOM, then DEC:
    of two starting on one day, the one ending first), and each later one starting in them with
    RNE S, P or B; never a temporary placement (PLACE T0–T4), never the return from a
    temporary move to the same placement (same PLACE, URN and PL_POST as before the move)."""
    episodes = tables.table("cla_episodes")
    cohort = in_care_at_end(tables, periods).select(*KEYS, "child_id", "year_start")
    # The short breaks met by child, their dates against the cohort's year: a join of the
    # breaks to the periods first had DuckDB build the anti-join's hash table on the cohort
    # (3.4 million rows on England), even for no short breaks.
    breaks = episodes.filter(episodes.ls.isin(SHORT_BREAKS))
    breaks = breaks.select(_la="la_code", _child="child_id", _decom="decom", _dec="dec")
    cohort = cohort.anti_join(
        breaks,
        [
            cohort.la_code == breaks._la,
            cohort.child_id == breaks._child,
            *overlaps_year(breaks._decom, breaks._dec, cohort),
        ],
    )

    # The first stay of the year counts once, new placement or not; each later stay counts
    # when it is a new placement starting in the year. A stay is the year's first when no
    # earlier one reaches into the year: at most one per child and period.
    child = [*KEYS, "child_id"]
    # Only the columns read: each step of the join to the periods lists every column
    # carried, and Ibis's compiling of the query grew with them (0.18 s of it).
    placed = placement_episodes(tables).select(*_STAY)
    stays = overlapping_year(tables, placed, periods)
    reach = stays._reach_settled
    firsts = stays.filter(reach.isnull() | (reach <= stays.year_start))
    placements = firsts.select(*child, _stay=ibis.literal(1)).union(
        _later_stays(tables, periods).select(*child, _stay=ibis.literal(1)), distinct=False
    )
    placements = placements.group_by(child).aggregate(placements=placements._stay.sum())
    # A child with a later stay has a first one too (the earlier stay reaching into the year
    # overlaps it), so three placements are two later stays: `counted` joins the cohort (3.4
    # million on England) to those few children only, made as a table so DuckDB knows they
    # are few and hashes them, not the cohort. The count of placements is for the records
    # shown (explain): its join is to rows grouped by the join's keys, which DuckDB drops
    # from a query not reading them (the totals).
    three = shared(tables, _two_later_stays, periods)
    children = cohort.left_join(placements, child).left_join(three, child)
    return children.select(
        *child,
        placements=children.placements.fill_null(0),
        counted=children._three.notnull(),
    )


# The columns of a placement episode CLA_3PLUS reads.
_STAY = ("la_code", "child_id", "decom", "dec", "_reach_settled")


def _later_stays(tables: Tables, periods: ir.Table) -> ir.Table:
    """CLA_3PLUS's later stays in the 12 months to each period end: new placements starting
    in them after another stay that reaches into them."""
    # Only a new placement after another stay can be one (2.1 of the 7.8 million on England).
    placed = placement_episodes(tables)
    later = placed.filter(placed.new_placement & placed._reach_settled.notnull()).select(*_STAY)
    later = overlapping_year(tables, later, periods)
    return later.filter(
        (later.decom >= later.year_start) & (later._reach_settled > later.year_start)
    )


def _two_later_stays(tables: Tables, periods: ir.Table) -> ir.Table:
    """Each child with two or more later stays (`_later_stays`) in the 12 months to a period
    end, once per period."""
    child = [*KEYS, "child_id"]
    later = _later_stays(tables, periods).group_by(child).aggregate(_stays=ibis._.count())
    return later.filter(later._stays >= 2).select(*child, _three=ibis.literal(True))


ADOPTIVE = ("A3", "A4", "A5", "A6")


@indicator(
    "CLA_RATE",
    "Children looked after per 10,000 at period end",
    unit=Unit.PER_10K,
    measure=Measure.RATE,
    polarity=Polarity.NEITHER,
    source=Source.SSDA903,
    domain=Domain.LOOKED_AFTER,
    framework=dashboard(Framework.STAY_TOGETHER, 4),
    comparator="cla_number_and_rate rate_per_10000",
    interval=Interval.POISSON,
)
def looked_after_rate(tables: Tables, periods: ir.Table) -> ir.Table:
    """Children with an episode open at period end ÷ the LA's children aged 0–17 × 10,000."""
    # One record per child: the start of their episode open at period end.
    return in_care_at_end(tables, periods).select(*KEYS, "child_id", "decom")


@indicator(
    "CLA_LT_STABLE",
    "Long-term placement stability",
    unit=Unit.PERCENT,
    measure=Measure.PROPORTION,
    polarity=Polarity.HIGHER,
    source=Source.SSDA903,
    domain=Domain.LOOKED_AFTER,
    framework=serves(
        Framework.STABLE_HOMES,
        "Long-term stability with the same carer, from the DfE table behind #45: stability and "
        "quality of where a child lives.",
    ),
    comparator='placement_stability "Living with the same carer for at least 2 years"',
)
def long_term_stability(tables: Tables, periods: ir.Table) -> ir.Table:
    """Of children under 16 at period end who have been looked after continuously (no gap between
    episodes) for 2.5 years or more (start of the current period of care plus 30 months on or
    before the period end), those whose current placement started 2 years or more before the
    period end, or who are placed for adoption (PLACE A3–A6) and whose adoptive placement and the
    placement before it together last 2 years or more. Placements are counted as in CLA_3PLUS:
    temporary placements and returns from them do not start a placement. The first
    non-temporary episode of the period of care starts a placement whatever its RNE: for care
    that began before the returns held (no RNE S held), the first held episode starts the
    placement as far as the returns show, so a child held with one open RNE L episode since
    2012 is in the cohort and stable. Only placements of the current period of care count.
    Age is whole years completed on the period end, from the Header's date of birth."""
    episodes = periods_of_care(tables)
    children = tables.table("cla_children").select("la_code", "child_id", "birth_date")
    episodes = episodes.join(children, ["la_code", "child_id"])
    # The ends each episode puts its child in the cohort at are one interval: from its start,
    # or 30 months into its period of care if later, to its end or the 16th birthday if
    # earlier. Dates worked out once per episode, not at each of its period ends, and joined
    # to the ends by rank (`ends_between`). `greatest` and `least` skip a blank, so a blank
    # start, start of care or birth date is left out first, as the comparisons at each end
    # left it out.
    known = [episodes.decom, episodes.care_start, episodes.birth_date]
    episodes = episodes.filter(*(date.notnull() for date in known))
    episodes = episodes.mutate(
        _from=ibis.greatest(episodes.decom, months_after(episodes.care_start, 30)),
        _until=ibis.least(until(episodes.dec), months_after(episodes.birth_date, 16 * 12)),
    )
    cohort = ends_between(tables, episodes, "_from", "_until", periods)
    # Once per child and period of care, should two of its episodes be open at the end.
    cohort = cohort.select(
        *KEYS,
        "child_id",
        "care",
        "care_start",
        adoptive=cohort.place.isin(ADOPTIVE).fill_null(False),
    ).distinct()

    placed = placement_episodes(tables)
    starts = placed.filter(placed.starts_placement).select(
        la_code_p=placed.la_code,
        child_id_p=placed.child_id,
        care_p=placed.care,
        placement_start=placed.decom,
    )
    # The starts of the placements before and after each in its period of care: the same at
    # every period end, so found once per placement, not by numbering them at each end.
    care = ibis.window(group_by=["la_code_p", "child_id_p", "care_p"], order_by="placement_start")
    starts = starts.mutate(
        start_before=starts.placement_start.lag().over(care),
        start_after=starts.placement_start.lead().over(care),
    )
    # The latest placement started by the period end, and the one before it.
    latest = latest_by_end(
        cohort,
        starts,
        [("la_code", "la_code_p"), ("child_id", "child_id_p"), ("care", "care_p")],
        "placement_start",
        "start_after",
    )
    per_child = latest.select(
        *KEYS,
        "child_id",
        "care_start",
        "adoptive",
        "placement_start",
        placement_before=latest.start_before,
    )
    stable = (months_after(per_child.placement_start, 24) <= per_child.period_end).fill_null(False)
    adopted_stable = per_child.adoptive & (
        months_after(per_child.placement_before, 24) <= per_child.period_end
    ).fill_null(False)
    return per_child.mutate(counted=stable | adopted_stable)


def looked_after_in_period(tables: Tables, periods: ir.Table) -> ir.Table:
    """Children looked after on some day of the period, once per period. Shared: CLA_MISSING
    and CLA_AWAY start from them."""
    return shared(tables, _looked_after_in_period, periods)


def _looked_after_in_period(tables: Tables, periods: ir.Table) -> ir.Table:
    # A child's first episode in its order (`periods_of_care`) overlapping the period: none
    # before it reaches into the period (the earlier ones all start by its start). One row per
    # child and period, where every overlapping episode's row was joined and then made distinct.
    episodes = periods_of_care(tables)
    rows = episodes.join(
        periods,
        [
            episodes.decom <= periods.period_end,
            until(episodes.dec) > periods.period_start,
            episodes._reach_any.isnull() | (episodes._reach_any <= periods.period_start),
        ],
    )
    return rows.select(*KEYS, "child_id")


def missing_children(tables: Tables, periods: ir.Table, kind: str) -> ir.Table:
    """Children looked after in the period, each with how many Missing records of `kind` (M:
    missing, A: away without authorisation) started in the period while they were looked
    after."""
    missing = tables.table("cla_missing")
    missing = missing.filter(missing.missing == kind)
    episodes = tables.table("cla_episodes").select(
        la_code_e="la_code", child_id_e="child_id", decom_e="decom", dec_e="dec"
    )
    # A record starting on a day the child was not looked after (before care began, or after
    # it ended) is not a missing-from-care incident.
    during_care = (
        missing.join(
            episodes,
            [
                missing.la_code == episodes.la_code_e,
                missing.child_id == episodes.child_id_e,
                episodes.decom_e <= missing.start_date,
                episodes.dec_e.isnull() | (episodes.dec_e > missing.start_date),
            ],
        )
        .select("la_code", "child_id", "start_date")
        .distinct()
    )
    started = in_period(during_care, "start_date", periods)
    incidents = started.group_by([*KEYS, "child_id"]).aggregate(
        incidents=started.count(), first_start=started.start_date.min()
    )
    children = looked_after_in_period(tables, periods)
    rows = children.left_join(incidents, [*KEYS, "child_id"])
    return rows.select(
        *KEYS, "child_id", incidents=rows.incidents.fill_null(0), first_start=rows.first_start
    )


@indicator(
    "CLA_MISSING",
    "Children missing from placement",
    unit=Unit.PERCENT,
    measure=Measure.PROPORTION,
    polarity=Polarity.LOWER,
    source=Source.SSDA903,
    domain=Domain.LOOKED_AFTER,
    framework=serves(
        Framework.SAFE,
        "Going missing is a harm outside the home; the dashboard's going missing factor (#41) sits"
        " under this outcome.",
    ),
)
def missing_from_placement(tables: Tables, periods: ir.Table) -> ir.Table:
    """Of children looked after at any time in the period (an episode open on some day of it:
    DECOM on or before the period end, DEC blank or after the period start), those with a
    Missing record of type M (missing) starting in the period. Only records starting on a day
    the child was looked after count: one dated before the child's care began or after it
    ended is not an incident of going missing from care. A child counts once however many
    incidents."""
    rows = missing_children(tables, periods, "M")
    return rows.mutate(counted=rows.incidents > 0)


@indicator(
    "CLA_AWAY",
    "Children away from placement without authorisation",
    unit=Unit.PERCENT,
    measure=Measure.PROPORTION,
    polarity=Polarity.LOWER,
    source=Source.SSDA903,
    domain=Domain.LOOKED_AFTER,
    framework=serves(
        Framework.SAFE,
        "Being away without authorisation is a harm outside the home, as going missing (#41) is.",
    ),
)
def away_from_placement(tables: Tables, periods: ir.Table) -> ir.Table:
    """As CLA_MISSING, for Missing records of type A (away from placement without
    authorisation)."""
    rows = missing_children(tables, periods, "A")
    return rows.mutate(counted=rows.incidents > 0)
