"""Factors identified at the end of assessment, per 10,000 children aged 0–17, from the CIN
census (National Framework outcome 2: safe in and outside the home): one indicator per factor
of DfE's dashboard, registered from data (`data/framework/assessment_factors.csv`: the
indicator code, the factor, DfE's c3 column, the AssessmentFactors code and the first
collection year it exists in, named by the 31 March it ends on, blank for every year held;
and a note on the code).
"""

from __future__ import annotations

from collections.abc import Callable

import ibis.expr.types as ir
import pandas as pd

from cscmonitor.indicators.code_years import factors, first_day
from cscmonitor.indicators.common import KEYS, holds_distinct, in_period, shared
from cscmonitor.indicators.framework import Framework, dashboard
from cscmonitor.indicators.registry import (
    Body,
    Domain,
    Interval,
    Measure,
    Polarity,
    Source,
    Tables,
    Unit,
    indicator,
)


def authorised_factors(tables: Tables) -> ir.Table:
    """Each factor found at an authorised assessment, once: the assessment's `la_code,
    child_id, referral_date, start_date, authorised_date` and the `factor` (a factor listed
    twice for one assessment, once). Shared by the factor indicators (`common.shared`), so
    a basket reads the factors once, not once per factor.

    A factor ingested since December 2026 carries its own assessment's authorisation date
    (`assessment_authorised_date`). One without it, ingested before (a snapshot's older
    rows, or a whole snapshot written before), is joined to the census's authorised
    assessments of its child, referral and start date, as every factor was: England's 17
    million factors joined to 6.3 million assessments took a quarter of Spark's time for
    all 78 indicators (bench/README.md). A factor carrying no date because its assessment
    was not authorised finds no authorised assessment in that join, so it is not counted.
    The factors carrying their date are taken as they are where the snapshot records that
    no two are alike (`holds_distinct`), as England's are: made distinct, 17 million rows.
    """
    found = tables.table("cin_assessment_factors")
    if "assessment_authorised_date" not in found.columns:  # a file written before
        return _by_factor(_joined(tables, found).distinct())
    carried = found.filter(found.assessment_authorised_date.notnull())
    carried = carried.select(
        "la_code",
        "child_id",
        "referral_date",
        start_date=carried.assessment_start_date,
        authorised_date=carried.assessment_authorised_date,
        factor=carried.factor,
    )
    if not holds_distinct(tables, "cin_assessment_factors", ALIKE_ON):
        carried = carried.distinct()
    blank = found.filter(found.assessment_authorised_date.isnull())
    return _by_factor(carried.union(_joined(tables, blank).distinct()))


# Factors alike on these are one (a factor listed twice for one assessment): the columns
# the CIN census's spec names for the snapshot to record (`returns.cin_census.DISTINCT_ON`).
ALIKE_ON = (
    "la_code",
    "child_id",
    "referral_date",
    "assessment_start_date",
    "assessment_authorised_date",
    "factor",
)


def _joined(tables: Tables, found: ir.Table) -> ir.Table:
    """The factors `found`, each with every authorised assessment of the same child,
    referral and start date (a factor of an assessment recorded twice, once for each)."""
    assessments = tables.table("cin_assessments")
    assessments = assessments.filter(assessments.authorised_date.notnull())
    found = found.select(
        _la=found.la_code,
        _child=found.child_id,
        _referral=found.referral_date,
        _start=found.assessment_start_date,
        factor=found.factor,
    )
    rows = assessments.join(
        found,
        [
            assessments.la_code == found._la,
            assessments.child_id == found._child,
            assessments.referral_date == found._referral,
            assessments.start_date == found._start,
        ],
    )
    return rows.select(
        "la_code", "child_id", "referral_date", "start_date", "authorised_date", "factor"
    )


def _by_factor(rows: ir.Table) -> ir.Table:
    # In order of factor, so each factor's query reads only its own rows of the table a basket
    # keeps (DuckDB skips the row groups whose range of factors leaves it out).
    return rows.order_by("factor")


def episodes_with_factor(tables: Tables, periods: ir.Table, code: str) -> ir.Table:
    """Each CINdetails episode (child and referral date) once per period in which at least one
    of its assessments, authorised in the period, identified the factor `code`: with how
    many (`assessments`: an assessment recorded twice with one start, authorised on two days
    of the period, twice) and the first authorisation."""
    rows = shared(tables, authorised_factors)
    rows = in_period(rows.filter(rows.factor == code), "authorised_date", periods)
    # One grouping: the shared rows are each assessment's factor once already.
    episode = [*KEYS, "child_id", "referral_date"]
    return rows.group_by(episode).aggregate(
        assessments=rows.count(), first_authorised=rows.authorised_date.min()
    )


def _body(code: str, factor: str, years: str, note: str) -> Body:
    def body(tables: Tables, periods: ir.Table) -> ir.Table:
        return episodes_with_factor(tables, periods, code)

    body.__doc__ = (
        "CINdetails episodes with at least one assessment whose AssessmentAuthorisationDate is "
        f"in the period and whose AssessmentFactors include {code} ({factor}) ÷ the LA's "
        "children aged 0–17 × 10,000, annualised for periods shorter than a year. An episode "
        "counts once however many such assessments it has (a choice; DfE's c3 counts episodes "
        f"with the factor over the assessments completed in the year). {note}{years}"
    )
    return body


def _years(first: int | None) -> str:
    if first is None:
        return "Collected in every census year held."
    return (
        f"Collected from the {first - 1}-{str(first)[2:]} census: no value for a period "
        "starting earlier."
    )


def _register(row: pd.Series) -> Callable[[Tables, ir.Table], ir.Table]:
    first = None if pd.isna(row["first_year"]) else int(row["first_year"])
    note = "" if pd.isna(row["note"]) else f"{row['note']} "
    body = _body(row["code"], row["factor"], _years(first), note)
    return indicator(
        row["indicator"],
        f"Factor at assessment: {row['factor']} (episodes per 10,000)",
        framework=dashboard(Framework.SAFE, int(row["dashboard_row"])),
        unit=Unit.PER_10K,
        measure=Measure.RATE,
        polarity=Polarity.NEITHER,
        source=Source.CIN_CENSUS,
        domain=Domain.REFERRALS,
        comparator=f"c3_factors_identified_at_end_of_assessment: {row['c3_column']} ÷ ONS "
        "population aged 0–17 × 10,000",
        interval=Interval.POISSON,
        annualised=True,
        collected_from=None if first is None else first_day(first),
    )(body)


for _, _row in factors().iterrows():
    _register(_row)
