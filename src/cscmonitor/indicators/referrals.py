"""Referrals and assessments, from the CIN census."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from cscmonitor.indicators.common import in_period, months_after, proportion
from cscmonitor.indicators.registry import Polarity, Source, Tables, Unit, indicator


def referrals(tables: Tables) -> ir.Table:
    """Referrals: one per child and referral date (the same child on the same date counts once)."""
    return tables.table("cin_referrals").select("la_code", "child_id", "referral_date").distinct()


@indicator(
    "REREF_12M",
    "Re-referrals within 12 months",
    unit=Unit.PERCENT,
    polarity=Polarity.LOWER,
    source=Source.CIN_CENSUS,
    comparator="c1 rereferral_percent",
    lookback_months=12,
)
def rereferrals(tables: Tables, periods: ir.Table) -> ir.Table:
    """Of referrals in the period, those where the same child had an earlier referral (strictly
    earlier date, any data held) within 12 months before it: the earlier referral's date plus 12
    calendar months is on or after the new referral's date (29 Feb + 12 months = 28 Feb).
    Referrals of the same child on the same date count once. The lookback uses every return held;
    where the held returns do not reach 12 months before the period start the value is flagged
    "lookback incomplete"."""
    refs = referrals(tables)
    # The nearest earlier referral decides: if it is not within 12 months, none earlier is.
    by_child = ibis.window(group_by=["la_code", "child_id"], order_by="referral_date")
    refs = refs.mutate(previous=refs.referral_date.lag().over(by_child))
    rows = in_period(refs, "referral_date", periods)
    return proportion(
        rows, rows.previous.notnull() & (months_after(rows.previous, 12) >= rows.referral_date)
    )
