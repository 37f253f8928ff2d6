"""Early help, from the LA's early help episodes (docs/early_help.md).

An episode is one request for early help for one child; "closed in the period" means a
CLOSURE_DATE in the period, whatever the reason (an episode closed without a reason is in
the denominator of the closure measures, and in neither numerator).
"""

from __future__ import annotations

import ibis.expr.types as ir

from cscmonitor.indicators.common import KEYS, InPeriod, months_after
from cscmonitor.indicators.framework import Framework, serves
from cscmonitor.indicators.referrals import referrals
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

NEEDS_MET = "NEEDS_MET"
STEP_UP = "STEP_UP"


def episodes(tables: Tables) -> ir.Table:
    """Episodes, each once (a row listed twice counts once)."""
    rows = tables.table("eh_episodes")
    return rows.select(
        "la_code",
        "child_id",
        "request_date",
        "assessment_completed_date",
        "closure_date",
        "closure_reason",
    ).distinct()


def closed_with(tables: Tables, reason: str) -> InPeriod:
    """Episodes closed in the period (CLOSURE_DATE in it), counted when closed for `reason`."""
    rows = episodes(tables)
    return InPeriod(
        rows.mutate(counted=rows.closure_reason.fill_null("") == reason), "closure_date"
    )


# Why these indicators sit under their outcome (the framework tag's reason).
EARLY_HELP_REASON = (
    "Early help is the help that lets a family stay together without social care: the first "
    "outcome's access to support and getting help (#1, #2)."
)


@indicator(
    "EH_ASSESS_RATE",
    "Early help assessments completed per 10,000",
    unit=Unit.PER_10K,
    measure=Measure.RATE,
    annualised=True,
    polarity=Polarity.HIGHER,
    source=Source.EARLY_HELP,
    domain=Domain.EARLY_HELP,
    framework=serves(
        Framework.STAY_TOGETHER,
        EARLY_HELP_REASON,
    ),
    interval=Interval.POISSON,
)
def assessment_rate(tables: Tables, periods: ir.Table) -> InPeriod:
    """Early help assessments with ASSESSMENT_COMPLETED_DATE in the period (one per episode) ÷ the
    LA's children aged 0–17 (ONS mid-year estimate for the calendar year the period starts in) ×
    10,000, annualised for periods shorter than a year as REF_RATE is. An assessment started but
    not completed does not count."""
    return InPeriod(episodes(tables), "assessment_completed_date")


@indicator(
    "EH_NEEDS_MET",
    "Early help closed with needs met",
    unit=Unit.PERCENT,
    measure=Measure.PROPORTION,
    polarity=Polarity.HIGHER,
    source=Source.EARLY_HELP,
    domain=Domain.EARLY_HELP,
    framework=serves(
        Framework.STAY_TOGETHER,
        EARLY_HELP_REASON,
    ),
)
def needs_met(tables: Tables, periods: ir.Table) -> InPeriod:
    """Of early help episodes closed in the period (CLOSURE_DATE in it), those closed because the
    family's needs were met (CLOSURE_REASON NEEDS_MET). Every closure counts in the denominator,
    stepped up or down, moved away, disengaged, other, or with no reason recorded."""
    return closed_with(tables, NEEDS_MET)


@indicator(
    "EH_STEP_UP",
    "Early help stepped up to social care",
    unit=Unit.PERCENT,
    measure=Measure.PROPORTION,
    polarity=Polarity.NEITHER,
    source=Source.EARLY_HELP,
    domain=Domain.EARLY_HELP,
    framework=serves(
        Framework.STAY_TOGETHER,
        EARLY_HELP_REASON,
    ),
)
def stepped_up(tables: Tables, periods: ir.Table) -> InPeriod:
    """Of early help episodes closed in the period, those closed by step-up to children's social
    care (CLOSURE_REASON STEP_UP); the denominator is that of EH_NEEDS_MET."""
    return closed_with(tables, STEP_UP)


@indicator(
    "EH_REREF",
    "Referred to social care within 12 months of early help closing with needs met",
    unit=Unit.PERCENT,
    measure=Measure.PROPORTION,
    polarity=Polarity.LOWER,
    source=Source.EARLY_HELP,
    domain=Domain.EARLY_HELP,
    framework=serves(
        Framework.STAY_TOGETHER,
        EARLY_HELP_REASON,
    ),
    also_reads=(Source.CIN_CENSUS,),
    lookback_months=12,
)
def referred_after_needs_met(tables: Tables, periods: ir.Table) -> ir.Table:
    """Of children with an early help episode closed NEEDS_MET in the 12 months ending 12 months
    before period end (closure after period end − 24 months, on or before period end − 12
    months), those with a CIN census referral (any, NFA included) dated on or after the closure
    and within 12 months of it (on or before the same calendar day 12 months later), so every
    child in the cohort has had a full 12 months to be referred by period end. A child counts once:
    referred if any of their needs-met closures in the window was followed by a referral. Children
    are matched on the pseudonymised child id, which the early help file and the CIN census share.
    The value needs the CIN census held for the period as well as early help; the lookback
    check asks for both returns from 12 months before the period start, which is the whole
    cohort window for a year-long period."""
    closed = episodes(tables)
    closed = closed.filter(closed.closure_reason == NEEDS_MET).select(
        "la_code", "child_id", "closure_date"
    )
    # Each closure's first referral within 12 months, found once per closure, not once per
    # closure and period (the shared referrals: one per child and date, NFA included).
    refs = referrals(tables).select(
        la_code_r="la_code", child_id_r="child_id", referral_date="referral_date"
    )
    followed = closed.left_join(
        refs,
        [
            closed.la_code == refs.la_code_r,
            closed.child_id == refs.child_id_r,
            refs.referral_date >= closed.closure_date,
            refs.referral_date <= months_after(closed.closure_date, 12),
        ],
    )
    followed = followed.group_by(["la_code", "child_id", "closure_date"]).aggregate(
        referral_date=followed.referral_date.min()
    )
    cohort = followed.join(
        periods,
        [
            followed.closure_date > months_after(periods.period_end, -24),
            followed.closure_date <= months_after(periods.period_end, -12),
        ],
    )
    children = cohort.group_by([*KEYS, cohort.child_id]).aggregate(
        closure_date=cohort.closure_date.max(),
        referral_date=cohort.referral_date.min(),
    )
    return children.mutate(counted=children.referral_date.notnull())
