"""Education of children looked after, from the virtual school's records (docs/virtual_school.md)
joined to the SSDA903 on the pseudonymised child id.

Looked after at period end: an SSDA903 episode open on that day (DECOM on or before it, DEC
blank or after it). School age, as DfE counts it for children looked after: aged 5 to 15 on
31 August at the start of the school year (1 September–31 August) holding the period end, so
that a class is in or out as a whole; for a period ending 31 March 2016, born 1 September 1999
to 31 August 2010. A child with two open episodes counts once.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from cscmonitor.indicators.common import (
    KEYS,
    InPeriod,
    months_after,
    open_at_end,
    shared,
)
from cscmonitor.indicators.framework import Framework, serves
from cscmonitor.indicators.looked_after import in_care_at_end
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

GOOD_GRADES = (1, 2)  # Ofsted overall effectiveness: 1 Outstanding, 2 Good
GOOD_PEPS = ("OUTSTANDING", "GOOD")
SCHOOL_AGES = (5, 15)


def age_at_school_year_start(birth_date: ir.DateValue, day: ir.DateValue) -> ir.IntegerValue:
    """Whole years on the 31 August before the school year holding `day` begins."""
    august_year = day.year() - (day.month() < 9).cast("int32")
    # On 31 August a birthday in September or later of that year has not come yet.
    return august_year - birth_date.year() - (birth_date.month() >= 9).cast("int32")


def school_age_looked_after(tables: Tables, periods: ir.Table) -> ir.Table:
    """School-age children looked after at period end: one row per child and period. Shared
    (`common.shared`): the four virtual school indicators of a basket read it once."""
    return shared(tables, _school_age_looked_after, periods)


def _school_age_looked_after(tables: Tables, periods: ir.Table) -> ir.Table:
    open_ = in_care_at_end(tables, periods).select(*KEYS, "child_id")
    births = tables.table("cla_children")
    births = births.group_by(["la_code", "child_id"]).aggregate(birth_date=births.birth_date.min())
    children = open_.join(births, ["la_code", "child_id"])
    age = age_at_school_year_start(children.birth_date, children.period_end)
    return children.filter(age.between(*SCHOOL_AGES))


def with_attendance(tables: Tables, periods: ir.Table) -> ir.Table:
    """School-age children looked after at period end with sessions recorded for the period:
    possible and attended sessions summed over the attendance rows lying wholly within it."""
    rows = tables.table("vs_attendance")
    rows = rows.join(
        periods,
        [rows.start_date >= periods.period_start, rows.end_date <= periods.period_end],
    )
    sessions = rows.group_by([*KEYS, "child_id"]).aggregate(
        possible=rows.possible_sessions.sum(), attended=rows.attended_sessions.sum()
    )
    sessions = sessions.filter(sessions.possible > 0)
    return school_age_looked_after(tables, periods).join(sessions, [*KEYS, "child_id"])


# Why these indicators sit under their outcome (the framework tag's reason).
AT_SCHOOL_REASON = (
    "The dashboard shows children looked after's school stability, attendance and attainment "
    "under the first outcome (#7–22), with those of children in need."
)


@indicator(
    "VS_GOOD_SCHOOL",
    "Attending a school judged good or outstanding",
    unit=Unit.PERCENT,
    measure=Measure.PROPORTION,
    polarity=Polarity.HIGHER,
    source=Source.VIRTUAL_SCHOOL,
    domain=Domain.VIRTUAL_SCHOOL,
    framework=serves(
        Framework.STAY_TOGETHER,
        AT_SCHOOL_REASON,
    ),
    also_reads=(Source.SSDA903,),
)
def good_school(tables: Tables, periods: ir.Table) -> ir.Table:
    """Of school-age children looked after at period end who are on a school's roll then
    (START_DATE on or before it, END_DATE blank or after it), those whose school's latest Ofsted
    grade is Good (2) or Outstanding (1). The school's latest grade is the one with the latest
    OFSTED_DATE on or before period end among every record of that URN (a grade with no date is
    taken as the oldest); a school with no grade counts in the denominator only. A child on two
    rolls at once (dual registration) is judged by the school they joined most recently."""
    cohort = school_age_looked_after(tables, periods)
    schools = tables.table("vs_schools")
    on_roll = open_at_end(tables, schools, "start_date", "end_date", periods).select(
        *KEYS, "child_id", "urn", "school_name", "start_date"
    )
    newest = ibis.window(
        group_by=[*KEYS, "child_id"], order_by=[ibis.desc("start_date"), ibis.desc("urn")]
    )
    on_roll = on_roll.mutate(rank=ibis.row_number().over(newest))
    current = on_roll.filter(on_roll["rank"] == 0).drop("rank")
    graded = schools.filter(schools.ofsted_grade.notnull())
    graded = graded.mutate(graded_on=graded.ofsted_date.fill_null(ibis.date(1900, 1, 1)))
    graded = graded.join(periods, graded.graded_on <= periods.period_end)
    latest = graded.group_by([*KEYS, "urn"]).aggregate(
        ofsted_date=graded.graded_on.max(),
        ofsted_grade=graded.ofsted_grade.argmax(graded.graded_on),
    )
    rows = cohort.join(current, [*KEYS, "child_id"]).left_join(latest, [*KEYS, "urn"])
    return rows.mutate(counted=rows.ofsted_grade.isin(GOOD_GRADES).fill_null(False))


@indicator(
    "VS_PEP_TIMELY",
    "Personal education plan reviewed this term",
    unit=Unit.PERCENT,
    measure=Measure.PROPORTION,
    polarity=Polarity.HIGHER,
    source=Source.VIRTUAL_SCHOOL,
    domain=Domain.VIRTUAL_SCHOOL,
    framework=serves(
        Framework.STAY_TOGETHER,
        AT_SCHOOL_REASON,
    ),
    also_reads=(Source.SSDA903,),
)
def pep_timely(tables: Tables, periods: ir.Table) -> ir.Table:
    """Of school-age children looked after at period end, those with a PEP held (PEP_DATE) in the
    6 months to period end: after the same calendar day 6 months before it (31 August → 28 or 29
    February) and on or before it."""
    cohort = school_age_looked_after(tables, periods)
    peps = tables.table("vs_peps").select("la_code", "child_id", "pep_date")
    rows = cohort.left_join(
        peps,
        [
            cohort.la_code == peps.la_code,
            cohort.child_id == peps.child_id,
            peps.pep_date > months_after(cohort.period_end, -6),
            peps.pep_date <= cohort.period_end,
        ],
    )
    children = rows.group_by([*KEYS, rows.child_id]).aggregate(latest_pep=rows.pep_date.max())
    return children.mutate(counted=children.latest_pep.notnull())


@indicator(
    "VS_PEP_QUALITY",
    "PEPs audited as good or better",
    unit=Unit.PERCENT,
    measure=Measure.PROPORTION,
    polarity=Polarity.HIGHER,
    source=Source.VIRTUAL_SCHOOL,
    domain=Domain.VIRTUAL_SCHOOL,
    framework=serves(
        Framework.STAY_TOGETHER,
        AT_SCHOOL_REASON,
    ),
)
def pep_quality(tables: Tables, periods: ir.Table) -> InPeriod:
    """Of PEPs quality-audited in the period (AUDIT_DATE in it, with a QUALITY_RATING), those
    rated Good or Outstanding. Every PEP the virtual school audited counts, whatever the child's
    age or status at period end; an audit date without a rating cannot be judged and is left
    out (ingest reports it)."""
    peps = tables.table("vs_peps")
    peps = peps.filter(peps.quality_rating.notnull())
    return InPeriod(peps.mutate(counted=peps.quality_rating.isin(GOOD_PEPS)), "audit_date")


@indicator(
    "VS_PERSIST_ABS",
    "Persistent absence",
    unit=Unit.PERCENT,
    measure=Measure.PROPORTION,
    polarity=Polarity.LOWER,
    source=Source.VIRTUAL_SCHOOL,
    domain=Domain.VIRTUAL_SCHOOL,
    framework=serves(
        Framework.STAY_TOGETHER,
        "Near the dashboard's persistent absence of children looked after (#13) but not "
        "comparable: DfE links the school census for children looked after 12 months.",
    ),
    also_reads=(Source.SSDA903,),
)
def persistent_absence(tables: Tables, periods: ir.Table) -> ir.Table:
    """Of school-age children looked after at period end with attendance recorded for the period
    (attendance rows lying wholly within it, possible sessions summed over them above 0), those
    attending 90% or less of their possible sessions: DfE's persistent absentee misses 10% or more
    of possible sessions, so exactly 90% attendance counts."""
    rows = with_attendance(tables, periods)
    # Whole numbers: attended / possible <= 0.9 without rounding.
    return rows.mutate(counted=rows.attended * 10 <= rows.possible * 9)


@indicator(
    "VS_SUSPENDED",
    "Suspended at least once",
    unit=Unit.PERCENT,
    measure=Measure.PROPORTION,
    polarity=Polarity.LOWER,
    source=Source.VIRTUAL_SCHOOL,
    domain=Domain.VIRTUAL_SCHOOL,
    framework=serves(
        Framework.STAY_TOGETHER,
        AT_SCHOOL_REASON,
    ),
    also_reads=(Source.SSDA903,),
)
def suspended(tables: Tables, periods: ir.Table) -> ir.Table:
    """Of the VS_PERSIST_ABS cohort (school-age children looked after at period end with
    attendance recorded for the period), those with one or more suspensions (fixed-term
    exclusions; EXCLUSION_TYPE SUSPENSION) starting in the period. A permanent exclusion alone
    is not a suspension."""
    cohort = with_attendance(tables, periods)
    excluded = tables.table("vs_exclusions")
    excluded = excluded.filter(excluded.kind == "SUSPENSION").select(
        "la_code", "child_id", "start_date"
    )
    rows = cohort.left_join(
        excluded,
        [
            cohort.la_code == excluded.la_code,
            cohort.child_id == excluded.child_id,
            excluded.start_date >= cohort.period_start,
            excluded.start_date <= cohort.period_end,
        ],
    )
    children = rows.group_by([*KEYS, rows.child_id]).aggregate(suspensions=rows.start_date.count())
    return children.mutate(counted=children.suspensions > 0)


@indicator(
    "VS_PERM_EXCL",
    "Permanent exclusions",
    unit=Unit.COUNT,
    measure=Measure.COUNT,
    polarity=Polarity.LOWER,
    source=Source.VIRTUAL_SCHOOL,
    domain=Domain.VIRTUAL_SCHOOL,
    framework=serves(
        Framework.STAY_TOGETHER,
        AT_SCHOOL_REASON,
    ),
    also_reads=(Source.SSDA903,),
    interval=Interval.NONE,
)
def permanent_exclusions(tables: Tables, periods: ir.Table) -> InPeriod:
    """Permanent exclusions (EXCLUSION_TYPE PERMANENT) dated in the period of children looked
    after on that day (an SSDA903 episode open on it), at any age; one per child and date.
    Previously looked after children the virtual school also supports are not counted."""
    excluded = tables.table("vs_exclusions")
    excluded = excluded.filter(excluded.kind == "PERMANENT").select(
        "la_code", "child_id", "start_date"
    )
    episodes = tables.table("cla_episodes").select("la_code", "child_id", "decom", "dec")
    in_care = excluded.join(
        episodes,
        [
            excluded.la_code == episodes.la_code,
            excluded.child_id == episodes.child_id,
            episodes.decom <= excluded.start_date,
            episodes.dec.isnull() | (episodes.dec > excluded.start_date),
        ],
    )
    return InPeriod(in_care.select("la_code", "child_id", "start_date").distinct(), "start_date")
