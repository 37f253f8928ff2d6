"""Adoption timeliness, from the SSDA903 episodes and AD1 tables (the adoption scorecard).

A child is adopted on the DEC of an episode ending with REC E11 or E12 (adopted, by
application or not); that episode ends the period of care. The measures are means over the
children adopted in the 3 years to period end, the scorecard's window, so the value is a sum
of days over a count of children (unit days). They carry no confidence interval, as
INDICATORS.md sets for means of days: a t-interval would assume a symmetric spread, and waits
for adoption are long-tailed, with as few as 10 children. The minimum is 10 children.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from cscmonitor.indicators.common import months_after, shared
from cscmonitor.indicators.framework import Framework, serves
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

ADOPTED = ("E11", "E12")
ADOPTIVE = ("A3", "A4", "A5", "A6")
WITH_FOSTER_CARERS = ("A3", "A5")  # placed for adoption with the child's current foster carers
SAME_CARERS = ("L", "T", "U")  # episodes that change neither carer nor placement's carers
AUTHORITY = ("E1", "D1")  # placement order, freeing order: the court's authority to place


def adoptions(tables: Tables) -> ir.Table:
    """One row per adoption, with the dates the measures need (null where not recorded).

    entered_care: DECOM of the latest RNE S episode starting on or before the adoptive
    episode's own start; the period of care is the child's episodes from then to that episode.
    placed: the first episode of that period of care with PLACE A3–A6.
    carers_from: walking back from that episode while episodes are RNE L, T or U (same carers),
    the DECOM where the placement with those carers began.
    authority: the earliest episode of the period of care with LS E1 or D1.
    Shared (`common.shared`): the adoption indicators of a basket read it once.
    """
    return shared(tables, _adoptions)


def _adoptions(tables: Tables) -> ir.Table:
    episodes = tables.table("cla_episodes")
    ended = episodes.filter(episodes.rec.isin(ADOPTED) & episodes.dec.notnull())
    ended = ended.select("la_code", "child_id", adopted_on=ended.dec, last_start=ended.decom)
    starts = episodes.filter(episodes.rne == "S").select(
        la_code_s="la_code", child_id_s="child_id", start_s="decom"
    )
    entered = ended.join(
        starts,
        [
            ended.la_code == starts.la_code_s,
            ended.child_id == starts.child_id_s,
            starts.start_s <= ended.last_start,
        ],
    )
    adoption = ["la_code", "child_id", "adopted_on", "last_start"]
    entered = entered.group_by(adoption).aggregate(entered_care=entered.start_s.max())

    others = episodes.select(
        la_code_e="la_code",
        child_id_e="child_id",
        decom_e="decom",
        rne_e="rne",
        ls_e="ls",
        place_e="place",
    )
    care = entered.join(
        others,
        [
            entered.la_code == others.la_code_e,
            entered.child_id == others.child_id_e,
            others.decom_e >= entered.entered_care,
            others.decom_e <= entered.last_start,
        ],
    )
    one = ibis.window(group_by=adoption)
    adoptive = care.place_e.isin(ADOPTIVE).fill_null(False)
    care = care.mutate(
        placed=ibis.ifelse(adoptive, care.decom_e, ibis.null("date")).min().over(one)
    )
    at_placement = care.decom_e == care.placed
    # The carers' placement began at the last episode, up to the adoptive one, that changed
    # carers (RNE S, P or B): the S episode always does, so there is one.
    changed_carers = ~care.rne_e.isin(SAME_CARERS).fill_null(False)
    per_adoption = care.group_by([*adoption, "entered_care", "placed"]).aggregate(
        with_foster_carers=(at_placement & care.place_e.isin(WITH_FOSTER_CARERS)).any(),
        carers_from=care.decom_e.max(where=changed_carers & (care.decom_e <= care.placed)),
        authority=care.decom_e.min(where=care.ls_e.isin(AUTHORITY)),
    )

    ad1 = tables.table("cla_ad1")
    ad1 = ad1.group_by(la_code_a="la_code", child_id_a="child_id").aggregate(
        foster_care=ad1.foster_care.fill_null(False).any(), match_date=ad1.match_date.max()
    )
    joined = per_adoption.left_join(
        ad1,
        [per_adoption.la_code == ad1.la_code_a, per_adoption.child_id == ad1.child_id_a],
    )
    return joined.select(
        *adoption,
        "entered_care",
        "placed",
        "carers_from",
        "authority",
        "match_date",
        foster_carer_adoption=joined.with_foster_carers | joined.foster_care.fill_null(False),
    )


def in_window(rows: ir.Table, periods: ir.Table) -> ir.Table:
    """Each adoption once per period whose 3 years to period end hold its date."""
    # year_start opens the 12 months to period end; 24 months before it, the 3 years.
    return rows.join(
        periods,
        [
            rows.adopted_on >= months_after(periods.year_start, -24),
            rows.adopted_on <= periods.period_end,
        ],
    )


def placed_in_window(tables: Tables, periods: ir.Table) -> ir.Table:
    """Adoptions in each period's 3 years whose entry to care and adoptive placement are known."""
    rows = adoptions(tables)
    return in_window(rows.filter(rows.entered_care.notnull() & rows.placed.notnull()), periods)


# Why these indicators sit under their outcome (the framework tag's reason).
ADOPTION_REASON = (
    "Adoption timeliness; the dashboard's nearest measure, decision to match (#47), sits "
    "under this outcome."
)


@indicator(
    "ADOPT_A1",
    "Days from entering care to moving in with the adoptive family",
    unit=Unit.DAYS,
    measure=Measure.MEAN,
    value="days",
    polarity=Polarity.LOWER,
    source=Source.SSDA903,
    domain=Domain.ADOPTION,
    framework=serves(
        Framework.STABLE_HOMES,
        ADOPTION_REASON,
    ),
    min_denominator=10,
    lookback_months=24,
    interval=Interval.NONE,
)
def entering_care_to_adoptive_family(tables: Tables, periods: ir.Table) -> ir.Table:
    """Mean days, for children adopted (an episode ending with REC E11 or E12) in the 3 years to
    period end, from entering care to moving in with the adoptive family. Start: DECOM of the
    latest RNE S episode starting on or before the episode that ended in adoption. End: DECOM
    of the first episode from then on with PLACE A3–A6. A child with no RNE S episode in the
    data held is left out (care began before the returns held, so the start is unknown), as is
    one with no A3–A6 placement. The window is the scorecard's 3 years, so a value needs the two
    years before the period held (lookback)."""
    rows = placed_in_window(tables, periods)
    return rows.mutate(days=rows.placed.delta(rows.entered_care, unit="day"))


@indicator(
    "ADOPT_A10",
    "Days from entering care to moving in with the adoptive family, adjusted for foster-carer "
    "adoptions",
    unit=Unit.DAYS,
    measure=Measure.MEAN,
    value="days",
    polarity=Polarity.LOWER,
    source=Source.SSDA903,
    domain=Domain.ADOPTION,
    framework=serves(
        Framework.STABLE_HOMES,
        ADOPTION_REASON,
    ),
    min_denominator=10,
    lookback_months=24,
    interval=Interval.NONE,
)
def entering_care_to_adoptive_family_adjusted(tables: Tables, periods: ir.Table) -> ir.Table:
    """As ADOPT_A1, but where the child was adopted by their foster carers (AD1 FOSTER_CARE = 1,
    or the adoptive placement is A3 or A5, placed with current foster carers) the end is the
    day the child moved in with those carers: walking back from the adoptive episode through
    episodes with RNE L, T or U (changes of legal status or placement with the same carers),
    the DECOM of the episode where the walk stops (RNE S, P or B: a change of carers). Other
    children are timed as in ADOPT_A1."""
    rows = placed_in_window(tables, periods)
    end = ibis.ifelse(rows.foster_carer_adoption, rows.carers_from, rows.placed)
    return rows.mutate(moved_in=end, days=end.delta(rows.entered_care, unit="day"))


@indicator(
    "ADOPT_A2",
    "Days from court authority to match with an adoptive family",
    unit=Unit.DAYS,
    measure=Measure.MEAN,
    value="days",
    polarity=Polarity.LOWER,
    source=Source.SSDA903,
    domain=Domain.ADOPTION,
    framework=serves(
        Framework.STABLE_HOMES,
        "Court authority to match: near the dashboard's decision to match (#47), which starts at "
        "the agency decision, not the placement order.",
    ),
    min_denominator=10,
    lookback_months=24,
    interval=Interval.NONE,
)
def authority_to_match(tables: Tables, periods: ir.Table) -> ir.Table:
    """Mean days, for children adopted in the 3 years to period end (as ADOPT_A1), from the
    court's authority to place (DECOM of the earliest episode of the period of care ending in
    adoption with LS E1, placement order, or D1, freeing order) to the match with the adoptive
    family (AD1 DATE_MATCH, from the newest return holding the child); 0 where the match came
    first. Children without either date, or with no RNE S episode held, are left out."""
    rows = adoptions(tables)
    rows = rows.filter(
        rows.entered_care.notnull() & rows.authority.notnull() & rows.match_date.notnull()
    )
    rows = in_window(rows, periods)
    waited = rows.match_date.delta(rows.authority, unit="day")
    return rows.mutate(days=ibis.greatest(waited, 0))
