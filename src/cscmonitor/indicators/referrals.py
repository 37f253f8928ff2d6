"""Referrals and assessments, from the CIN census."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from cscmonitor.indicators.calendar import with_working_days
from cscmonitor.indicators.common import (
    KEYS,
    InPeriod,
    distinct_rows,
    first_open_after_reach,
    holds_distinct,
    months_after,
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


def referrals(tables: Tables) -> ir.Table:
    """Referrals: one per child and referral date (the same child on the same date counts once),
    each with `previous`, the date of the child's referral before it (blank for the first held),
    `nfa`: ReferralNFA true on any of its records (blank is not NFA), and for CIN_RATE
    `in_need_until`, the latest closure among its records that are not NFA (a day after every
    period when one is open; blank when all are NFA) and `_reach`, the latest such end among
    the child's earlier referrals (`common.in_child_order`). Shared (`common.shared`): a
    basket makes it once for REF_RATE, REF_NFA, REREF_12M, CIN_RATE and EH_REREF."""
    return shared(tables, _referrals)


# A referral is a child's records of one date.
_REFERRAL = ["la_code", "child_id", "referral_date"]


def _referrals(tables: Tables) -> ir.Table:
    # One sort of the records, by child and date, for every term, where grouping them by
    # date first hashed them all to merge the few recorded twice: the records of one date
    # are peers (a range frame), and the first of them in the order stands for the date.
    # Before it come the records of the earlier dates only, so the rows before it give
    # `_reach`, and the row before it `previous`.
    refs = tables.table("cin_referrals")
    nfa = refs.referral_nfa.fill_null(False)
    refs = refs.select(
        *_REFERRAL, _nfa=nfa, _until=ibis.ifelse(nfa, None, until(refs.closure_date))
    )
    child = ["la_code", "child_id"]
    order = ibis.window(group_by=child, order_by="referral_date")
    before = ibis.window(group_by=child, order_by="referral_date", rows=(None, -1))
    if holds_distinct(tables, "cin_referrals", _REFERRAL):
        # No date recorded twice (as the snapshot found when written): each record is its
        # date's, where the peers' aggregates were a third of the window (0.5 s on England).
        nfa, in_need_until = refs._nfa, refs._until
    else:
        day = ibis.window(group_by=child, order_by="referral_date", range=(0, 0))
        nfa, in_need_until = refs._nfa.any().over(day), refs._until.max().over(day)
    refs = refs.select(
        *_REFERRAL,
        nfa=nfa,
        in_need_until=in_need_until,
        previous=refs.referral_date.lag().over(order),
        _reach=refs._until.max().over(before),
    )
    return refs.filter(~refs.previous.identical_to(refs.referral_date))


@indicator(
    "REREF_12M",
    "Re-referrals within 12 months",
    unit=Unit.PERCENT,
    polarity=Polarity.LOWER,
    source=Source.CIN_CENSUS,
    domain=Domain.REFERRALS,
    framework=dashboard(Framework.STAY_TOGETHER, 2),
    measure=Measure.PROPORTION,
    comparator="c1 rereferral_percent",
    lookback_months=12,
)
def rereferrals(tables: Tables, periods: ir.Table) -> InPeriod:
    """Of referrals in the period, those where the same child had an earlier referral (strictly
    earlier date, any data held) within 12 months before it: the earlier referral's date plus 12
    calendar months is on or after the new referral's date (29 February + 12 months = 28 February).
    Referrals of the same child on the same date count once. The lookback uses every return held;
    where the held returns do not reach 12 months before the period start the value is flagged
    "lookback incomplete"."""
    # The nearest earlier referral decides: if it is not within 12 months, none earlier is.
    # Per referral, before the join to the periods, which holds each in up to four of them.
    refs = referrals(tables)
    again = refs.previous.notnull() & (months_after(refs.previous, 12) >= refs.referral_date)
    refs = refs.select("la_code", "child_id", "referral_date", "previous", counted=again)
    return InPeriod(refs, "referral_date")


@indicator(
    "REF_RATE",
    "Referrals per 10,000 children",
    unit=Unit.PER_10K,
    polarity=Polarity.NEITHER,
    source=Source.CIN_CENSUS,
    domain=Domain.REFERRALS,
    framework=serves(
        Framework.STAY_TOGETHER,
        "How many children are brought to the front door for help; the dashboard's access to "
        "support and getting help (#1, #2) counts children in need and re-referrals, not "
        "referrals.",
    ),
    measure=Measure.RATE,
    annualised=True,
    comparator="c1 referral_count ÷ population",
    interval=Interval.POISSON,
)
def referral_rate(tables: Tables, periods: ir.Table) -> InPeriod:
    """Referrals (one per child and referral date) with CINreferralDate in the period ÷ the LA's
    children aged 0–17 (ONS mid-year estimate for the calendar year the period starts in) ×
    10,000, annualised for periods shorter than a year: the denominator is the population times
    the period's days over the days of the 12 months to its end."""
    refs = referrals(tables).select("la_code", "child_id", "referral_date")
    return InPeriod(refs, "referral_date")


@indicator(
    "REF_NFA",
    "Referrals with no further action",
    unit=Unit.PERCENT,
    polarity=Polarity.LOWER,
    source=Source.CIN_CENSUS,
    domain=Domain.REFERRALS,
    framework=serves(
        Framework.STAY_TOGETHER,
        "Referrals closed with no further action show whether families reach help at the right "
        "door: access to support and getting help (#1, #2).",
    ),
    measure=Measure.PROPORTION,
    comparator="c1 no_further_action_percent",
)
def no_further_action(tables: Tables, periods: ir.Table) -> InPeriod:
    """Of referrals in the period (one per child and referral date), those with ReferralNFA
    true. A referral recorded twice on one date is NFA if either record says so; a blank
    ReferralNFA is not NFA."""
    refs = referrals(tables).select("la_code", "child_id", "referral_date", "nfa")
    return InPeriod(refs.mutate(counted=refs.nfa), "referral_date")


@indicator(
    "ASSESS_45WD",
    "Assessments completed within 45 working days",
    unit=Unit.PERCENT,
    measure=Measure.PROPORTION,
    polarity=Polarity.HIGHER,
    source=Source.CIN_CENSUS,
    domain=Domain.REFERRALS,
    framework=serves(
        Framework.STAY_TOGETHER,
        "A timely assessment is how a family gets the help it needs without delay: access to "
        "support and getting help (#1, #2).",
    ),
)
def assessments_in_time(tables: Tables, periods: ir.Table) -> InPeriod:
    """Of assessments with AssessmentAuthorisationDate in the period, those authorised within 45
    working days of AssessmentActualStartDate (working days d with start < d ≤ authorisation:
    Monday–Friday, not an England bank holiday). An assessment recorded twice (same child, start
    and authorisation) counts once; one without a start date cannot be timed and is left out."""
    done = distinct_rows(
        tables, "cin_assessments", ["la_code", "child_id", "start_date", "authorised_date"]
    )
    done = done.filter(done.start_date.notnull() & done.authorised_date.notnull())
    timed = with_working_days(done, "start_date", "authorised_date", "working_days")
    return InPeriod(timed.mutate(counted=timed.working_days <= 45), "authorised_date")


@indicator(
    "CIN_RATE",
    "Children in need per 10,000 at period end",
    unit=Unit.PER_10K,
    polarity=Polarity.NEITHER,
    source=Source.CIN_CENSUS,
    domain=Domain.REFERRALS,
    framework=dashboard(Framework.STAY_TOGETHER, 1),
    measure=Measure.RATE,
    comparator="b1 At31_episodes ÷ population",
    interval=Interval.POISSON,
)
def children_in_need_rate(tables: Tables, periods: ir.Table) -> ir.Table:
    """Children with a referral (CINdetails) open at period end — referral on or before the end,
    closure blank or after it, and not NFA — ÷ the LA's children aged 0–17 × 10,000. A child
    with two open referrals counts once."""
    # Referrals of one date are one, open while any of them that is not NFA is: the child's
    # first open referral is the same, with the window `referrals` sorts them in already.
    refs = referrals(tables)
    refs = refs.filter(refs.in_need_until.notnull())
    refs = refs.select("la_code", "child_id", "referral_date", "in_need_until", "_reach")
    rows = first_open_after_reach(tables, refs, "referral_date", "in_need_until", periods)
    return rows.select(*KEYS, "child_id", "referral_date")
