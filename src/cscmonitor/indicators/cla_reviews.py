"""Looked-after reviews, from the SSDA903 return's Reviews table."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from cscmonitor.indicators.calendar import with_working_days
from cscmonitor.indicators.care_events import looked_after_at_end
from cscmonitor.indicators.common import KEYS, latest_by_end, months_after
from cscmonitor.indicators.framework import Framework, serves
from cscmonitor.indicators.registry import (
    Domain,
    Measure,
    Polarity,
    Source,
    Tables,
    Unit,
    indicator,
)


@indicator(
    "CLA_REVIEWS_TIMELY",
    "Looked-after reviews within timescale",
    unit=Unit.PERCENT,
    measure=Measure.PROPORTION,
    polarity=Polarity.HIGHER,
    source=Source.SSDA903,
    domain=Domain.LOOKED_AFTER,
    framework=serves(
        Framework.STABLE_HOMES,
        "A review on time keeps a child's care plan, and so the home, under review: stability and "
        "quality of where a child lives (#45–50).",
    ),
)
def reviews_in_time(tables: Tables, periods: ir.Table) -> ir.Table:
    """Of children looked after at period end whose current period of care (the unbroken run of
    episodes open at the end) began 20 working days or more before it, those whose reviews in
    that period of care were all on time, as the Care Planning Regulations set them: the first
    within 20 working days of the start of care, the second within 3 months of the first, each
    later one within 6 months of the one before; and none overdue at period end (the next
    review's due date, from the last review or the start of care, is on or after the period
    end). Reviews before the current period of care began, or after the period end, do not
    count; reviews of a child on the same day count once; every REVIEW_CODE counts. Children on
    an agreed series of short breaks (LS V3/V4 at period end) are left out: their reviews run
    to other timescales.

    A period of care that began before the returns held (its first held episode is not an S
    episode) has an unknown start and unknown earlier reviews: the child is in the cohort, the
    first held review is not judged, each later one must be within 6 months of the one
    before, and the child is overdue when the last held review (or, with none, the first held
    episode) is more than 6 months before the period end."""
    at_end = looked_after_at_end(tables, periods)
    cohort = at_end.select(*KEYS, "child_id", "care_start", "care_known")
    cohort = with_working_days(cohort, "care_start", "period_end", "days_in_care")
    cohort = cohort.filter((cohort.days_in_care >= 20) | ~cohort.care_known)

    reviews = tables.table("cla_reviews")
    reviews = reviews.select(
        la_code_r=reviews.la_code, child_id_r=reviews.child_id, review_date=reviews.review_date
    ).distinct()
    # Each period of care's reviews in order, numbered, with the one before and the working
    # days from the start of care: the same at every period end holding them, so worked out
    # once per period of care, not once per child and period end. A review of a later period
    # of care comes after every review of this one and after every period end it is open at.
    # The periods of care are those of every child at period end: a care none of whose ends
    # is in the cohort (all under 20 working days in) joins no child below. From the cohort
    # itself, DuckDB wrote its 3.4 million rows aside to read them twice.
    cares = at_end.select("la_code", "child_id", "care_start", "care_known").distinct()
    cares = cares.select(
        la_code_c=cares.la_code,
        child_id_c=cares.child_id,
        care_start_c=cares.care_start,
        care_known_c=cares.care_known,
    )
    ordered = cares.join(
        reviews,
        [
            cares.la_code_c == reviews.la_code_r,
            cares.child_id_c == reviews.child_id_r,
            reviews.review_date >= cares.care_start_c,
        ],
    )
    # A relation of its own (view), so the calendar joins below do not extend this join.
    ordered = ordered.select(*cares.columns, "review_date").view()
    ordered = with_working_days(ordered, "care_start_c", "review_date", "review_days")
    care = ["la_code_c", "child_id_c", "care_start_c"]
    order = ibis.window(group_by=care, order_by="review_date")
    ordered = ordered.mutate(
        before=ordered.review_date.lag().over(order), nth=ibis.row_number().over(order)
    )
    late = ibis.cases(
        (ordered.nth == 0, ordered.care_known_c & (ordered.review_days > 20)),
        (
            (ordered.nth == 1) & ordered.care_known_c,
            ordered.review_date > months_after(ordered.before, 3),
        ),
        else_=ordered.review_date > months_after(ordered.before, 6),
    )
    # What a period end sees of its care's reviews is that of the last review by then: how
    # many, whether any so far was late, and the date, which each review carries.
    so_far = ibis.cumulative_window(group_by=care, order_by="review_date")
    ordered = ordered.select(
        *care,
        "review_date",
        reviews=ordered.nth + 1,
        any_late=late.fill_null(False).cast("int64").max().over(so_far) == 1,
        next_review=ordered.review_date.lead().over(order),
    )
    held = latest_by_end(
        cohort,
        ordered,
        [("la_code", "la_code_c"), ("child_id", "child_id_c"), ("care_start", "care_start_c")],
        "review_date",
        "next_review",
    )
    per_child = held.select(
        *KEYS,
        "child_id",
        "care_start",
        "care_known",
        "days_in_care",
        any_late=held.any_late.fill_null(False),
        reviews=held.reviews.fill_null(0),
        last_review=held.review_date,
    )
    known = per_child.care_known
    overdue = ibis.cases(
        ((per_child.reviews == 0) & known, per_child.days_in_care > 20),
        (per_child.reviews == 0, months_after(per_child.care_start, 6) < per_child.period_end),
        (
            (per_child.reviews == 1) & known,
            months_after(per_child.last_review, 3) < per_child.period_end,
        ),
        else_=months_after(per_child.last_review, 6) < per_child.period_end,
    )
    return per_child.mutate(counted=~per_child.any_late & ~overdue)
