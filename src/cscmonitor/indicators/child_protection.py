"""Child protection, from the CIN census."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from cscmonitor.indicators.calendar import with_working_days
from cscmonitor.indicators.common import (
    KEYS,
    InPeriod,
    first_open_at_end,
    latest_by_end,
    months_after,
    open_at_end,
    shared,
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


def plans(tables: Tables) -> ir.Table:
    """Child protection plans: one per child and start date, with the most previous plans noted."""
    return (
        tables.table("cin_plans")
        .group_by(["la_code", "child_id", "start_date"])
        .aggregate(previous_plans=ibis._.previous_plans.max())
    )


@indicator(
    "CPP_REPEAT",
    "Child protection plans for a second or subsequent time",
    unit=Unit.PERCENT,
    measure=Measure.PROPORTION,
    polarity=Polarity.LOWER,
    source=Source.CIN_CENSUS,
    domain=Domain.CHILD_PROTECTION,
    framework=dashboard(Framework.SAFE, 23),
    comparator="d3 CPP_subsequent_percent",
)
def repeat_plans(tables: Tables, periods: ir.Table) -> InPeriod:
    """Of child protection plans starting in the period, those where the child had an earlier plan
    (start strictly before, in any data held) or where NumberOfPreviousCPP is recorded as more
    than 0. Two plans of one child starting the same day are one plan."""
    p = plans(tables)
    by_child = ibis.window(group_by=["la_code", "child_id"], order_by="start_date")
    p = p.mutate(earlier=p.start_date.lag().over(by_child))
    return InPeriod(
        p.mutate(counted=p.earlier.notnull() | (p.previous_plans.fill_null(0) > 0)), "start_date"
    )


def plan_spans(tables: Tables) -> ir.Table:
    """Plans with their end date: one per child and start date, the latest end recorded.
    Shared (`common.shared`): five indicators of a basket read it."""
    return shared(tables, _plan_spans)


def _plan_spans(tables: Tables) -> ir.Table:
    p = tables.table("cin_plans")
    return p.group_by(["la_code", "child_id", "start_date"]).aggregate(end_date=p.end_date.max())


@indicator(
    "ICPC_15WD",
    "Initial child protection conferences within 15 working days",
    unit=Unit.PERCENT,
    measure=Measure.PROPORTION,
    polarity=Polarity.HIGHER,
    source=Source.CIN_CENSUS,
    domain=Domain.CHILD_PROTECTION,
    framework=serves(
        Framework.SAFE,
        "A child at risk of significant harm gets a protection conference on time; beside the "
        "dashboard's child safety measures (#23, #24).",
    ),
    comparator="c4 bands 0–15 days",
)
def conferences_in_time(tables: Tables, periods: ir.Table) -> InPeriod:
    """Of initial child protection conferences held in the period (DateOfInitialCPC on a
    Section47), those held within 15 working days of S47ActualStartDate (working days d with
    start < d ≤ conference). One per child, enquiry start and conference date; an enquiry without
    a start date cannot be timed and is left out."""
    s47 = tables.table("cin_section47")
    s47 = s47.filter(s47.start_date.notnull() & s47.icpc_date.notnull())
    s47 = s47.select("la_code", "child_id", "start_date", "icpc_date").distinct()
    timed = with_working_days(s47, "start_date", "icpc_date", "working_days")
    return InPeriod(timed.mutate(counted=timed.working_days <= 15), "icpc_date")


@indicator(
    "CPP_REPEAT_2Y",
    "Repeat child protection plans within 2 years",
    unit=Unit.PERCENT,
    measure=Measure.PROPORTION,
    polarity=Polarity.LOWER,
    source=Source.CIN_CENSUS,
    domain=Domain.CHILD_PROTECTION,
    framework=serves(
        Framework.SAFE,
        "The dashboard's repeat plans (#23), counting only an earlier plan that ended within 2 "
        "years.",
    ),
)
def repeat_plans_within_two_years(tables: Tables, periods: ir.Table) -> InPeriod:
    """As CPP_REPEAT, but counting only an earlier plan (start strictly before) that ended no more
    than 2 years before the new one started: its end date plus 24 months is on or after the new
    start, or it has no end date. NumberOfPreviousCPP carries no dates, so it is not used. A local
    measure; DfE publishes no equivalent."""
    plans = plan_spans(tables)
    earlier = plans.select(
        la_code_e=plans.la_code,
        child_id_e=plans.child_id,
        start_e=plans.start_date,
        end_e=plans.end_date,
    )
    # Each plan's latest such earlier plan, found once per plan, then the plans placed in the
    # periods (not the earlier plans looked up again for each period holding a plan).
    linked = plans.left_join(
        earlier,
        [
            plans.la_code == earlier.la_code_e,
            plans.child_id == earlier.child_id_e,
            earlier.start_e < plans.start_date,
            earlier.end_e.isnull() | (months_after(earlier.end_e, 24) >= plans.start_date),
        ],
    )
    per_plan = linked.group_by(["la_code", "child_id", "start_date"]).aggregate(
        earlier_start=linked.start_e.max()
    )
    rows = per_plan.select("la_code", "child_id", "start_date", "earlier_start")
    return InPeriod(rows.mutate(counted=rows.earlier_start.notnull()), "start_date")


@indicator(
    "CPP_RATE",
    "Children subject to a child protection plan per 10,000 at period end",
    unit=Unit.PER_10K,
    measure=Measure.RATE,
    polarity=Polarity.NEITHER,
    source=Source.CIN_CENSUS,
    domain=Domain.CHILD_PROTECTION,
    framework=serves(
        Framework.SAFE,
        "Children kept safe by a child protection plan at period end; the dashboard's child safety"
        " measures are about plans (#23, #24).",
    ),
    interval=Interval.POISSON,
)
def plan_rate(tables: Tables, periods: ir.Table) -> ir.Table:
    """Children with a plan open at period end (start on or before the end, no end date or one
    after it) ÷ the LA's children aged 0–17 × 10,000; a child counts once."""
    # One record per child: the earliest of their open plans.
    rows = first_open_at_end(tables, plan_spans(tables), "start_date", "end_date", periods)
    return rows.select(*KEYS, "child_id", "start_date")


@indicator(
    "CPP_OPEN_2Y",
    "Plans open at period end lasting 2 years or more",
    unit=Unit.PERCENT,
    measure=Measure.PROPORTION,
    polarity=Polarity.LOWER,
    source=Source.CIN_CENSUS,
    domain=Domain.CHILD_PROTECTION,
    framework=dashboard(Framework.SAFE, 24),
    comparator="d5 2_years_or_more_percent",
)
def long_open_plans(tables: Tables, periods: ir.Table) -> ir.Table:
    """Of plans open at period end, those that started 2 years or more before it (start plus 24
    months on or before the period end)."""
    rows = open_at_end(tables, plan_spans(tables), "start_date", "end_date", periods)
    return rows.mutate(counted=months_after(rows.start_date, 24) <= rows.period_end)


@indicator(
    "CPP_ENDED_2Y",
    "Plans ending after 2 years or more",
    unit=Unit.PERCENT,
    measure=Measure.PROPORTION,
    polarity=Polarity.LOWER,
    source=Source.CIN_CENSUS,
    domain=Domain.CHILD_PROTECTION,
    framework=serves(
        Framework.SAFE,
        "The dashboard's plans lasting 2 years (#24), for plans that ended in the period.",
    ),
)
def long_ended_plans(tables: Tables, periods: ir.Table) -> InPeriod:
    """Of plans with CPPendDate in the period, those that lasted 2 years or more (start plus 24
    months on or before the end date)."""
    ended = plan_spans(tables)
    ended = ended.filter(ended.end_date.notnull())
    return InPeriod(
        ended.mutate(counted=months_after(ended.start_date, 24) <= ended.end_date), "end_date"
    )


@indicator(
    "CPP_REVIEW_TIMELY",
    "Child protection plans reviewed within timescale",
    unit=Unit.PERCENT,
    measure=Measure.PROPORTION,
    polarity=Polarity.HIGHER,
    source=Source.CIN_CENSUS,
    domain=Domain.CHILD_PROTECTION,
    framework=serves(
        Framework.SAFE,
        "A plan reviewed on time keeps a protected child's safety under review; child safety (#23,"
        " #24).",
    ),
)
def plans_reviewed_in_time(tables: Tables, periods: ir.Table) -> ir.Table:
    """Of plans open at period end that started 3 months or more before it, those whose reviews
    were all on time: the first within 3 months of the plan's start, each later one within 6
    months of the one before, and none overdue at period end (the last review, or the start if
    none, plus 6 months — 3 if none — is on or after the period end). Only reviews on or before
    the period end count; reviews of one plan on the same day count once."""
    plans = open_at_end(tables, plan_spans(tables), "start_date", "end_date", periods)
    plans = plans.filter(months_after(plans.start_date, 3) <= plans.period_end)
    reviews = tables.table("cin_plan_reviews")
    reviews = reviews.select(
        la_code_r=reviews.la_code,
        child_id_r=reviews.child_id,
        plan_start_r=reviews.plan_start_date,
        review_date=reviews.review_date,
    )
    # The reviews before and after each, among the plan's reviews: the same at every period
    # end that holds them, so found once per plan, not once per plan and period end. A
    # review recorded twice needs no distinct (a hash of every review): of its two copies,
    # the first has the second as its next review, on the same day, so no period end takes
    # it as the latest, and the second has the first before it, on the same day, so it is
    # never late; the first is late exactly when the review is.
    plan_r = ["la_code_r", "child_id_r", "plan_start_r"]
    order = ibis.window(group_by=plan_r, order_by="review_date")
    reviews = reviews.mutate(
        before=reviews.review_date.lag().over(order),
        next_review=reviews.review_date.lead().over(order),
    )
    late = (
        reviews.before.isnull() & (reviews.review_date > months_after(reviews.plan_start_r, 3))
    ) | (reviews.before.notnull() & (reviews.review_date > months_after(reviews.before, 6)))
    reviews = reviews.mutate(late=late.fill_null(False))
    # A period end sees its plan's last review by then (`latest_by_end`), and whether any by
    # then was late: whether the plan's first late review is by then.
    late = reviews.filter(reviews.late)
    late = late.group_by(plan_r).aggregate(first_late=late.review_date.min())
    late = late.select(
        la_code_l=late.la_code_r,
        child_id_l=late.child_id_r,
        plan_start_l=late.plan_start_r,
        first_late=late.first_late,
    )
    held = latest_by_end(
        plans,
        reviews,
        [("la_code", "la_code_r"), ("child_id", "child_id_r"), ("start_date", "plan_start_r")],
        "review_date",
        "next_review",
    )
    held = held.left_join(
        late,
        [
            held.la_code == late.la_code_l,
            held.child_id == late.child_id_l,
            held.start_date == late.plan_start_l,
        ],
    )
    per_plan = held.select(
        *KEYS,
        "child_id",
        "start_date",
        any_late=(held.first_late <= held.period_end).fill_null(False),
        last_review=held.review_date,
    )
    overdue = ibis.ifelse(
        per_plan.last_review.isnull(),
        months_after(per_plan.start_date, 3) < per_plan.period_end,
        months_after(per_plan.last_review, 6) < per_plan.period_end,
    )
    return per_plan.mutate(counted=~per_plan.any_late & ~overdue)
