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
from cscmonitor.indicators.common import KEYS, in_period, shared
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
    """Each factor found at an authorised assessment: the `la_code, child_id, referral_date`
    of its CINdetails episode, the assessment's `authorised_date`, the `factor`, and the
    `previous_authorised` date on which an earlier assessment of the episode found the same
    factor (blank for the first). Shared by the factor indicators (`common.shared`), so a
    basket reads the factors once, not once per factor.

    A factor ingested since December 2026 carries its own assessment's authorisation date
    (`assessment_authorised_date`). One without it, ingested before (a snapshot's older
    rows, or a whole snapshot written before), is joined to the census's authorised
    assessments of its child, referral and start date, as every factor was (England's 17
    million factors joined to 6.3 million assessments: about 25 s of Spark's basket, 1 s of
    DuckDB's; bench/README.md). Where no factor lacks the date the join still sorts the
    assessments on Spark, about 5 s of its basket (0.4 s of DuckDB's), kept since no
    snapshot fact can say that none lacks it once old and new rows are merged. A factor
    carrying no date because its assessment was not authorised finds no authorised
    assessment in that join, so it is not counted.
    """
    found = tables.table("cin_assessment_factors")
    if "assessment_authorised_date" not in found.columns:  # a file written before
        return _by_factor(_joined(tables, found))
    carried = found.filter(found.assessment_authorised_date.notnull())
    carried = carried.select(
        "la_code",
        "child_id",
        "referral_date",
        authorised_date=carried.assessment_authorised_date,
        factor=carried.factor,
    )
    blank = found.filter(found.assessment_authorised_date.isnull())
    return _by_factor(carried.union(_joined(tables, blank)))


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
    return rows.select("la_code", "child_id", "referral_date", "authorised_date", "factor")


def _by_factor(rows: ir.Table) -> ir.Table:
    # The previous finding of the factor in the episode, by which a query keeps each episode
    # once per period without grouping (`episodes_with_factor`): a window over the factors
    # once, where a grouping per factor's query shuffled its rows again in each (Spark).
    # The factor first: Spark sorts each partition's rows by it for the window, and keeps
    # that order in its cache (`engine._unsorted`).
    episode = ["factor", "la_code", "child_id", "referral_date"]
    previous = rows.authorised_date.lag().over(group_by=episode, order_by="authorised_date")
    # In order of factor, so each factor's query reads only its own rows of the table a basket
    # keeps (DuckDB skips the row groups whose range of factors leaves it out; Spark the
    # cached batches).
    return rows.mutate(previous_authorised=previous).order_by("factor")


def episodes_with_factor(tables: Tables, periods: ir.Table, code: str) -> ir.Table:
    """Each CINdetails episode (child and referral date) once per period in which at least one
    of its assessments, authorised in the period, identified the factor `code`: the first
    such finding in the period (`first_authorised`), the one whose previous finding in the
    episode (`previous_authorised`) is blank or before the period. A factor listed twice,
    or an assessment recorded twice, is one more finding on the same day, not the first."""
    rows = shared(tables, authorised_factors)
    rows = in_period(rows.filter(rows.factor == code), "authorised_date", periods)
    first = rows.previous_authorised.isnull() | (rows.previous_authorised < rows.period_start)
    return rows.filter(first).select(
        *KEYS,
        "child_id",
        "referral_date",
        first_authorised=rows.authorised_date,
        previous_authorised=rows.previous_authorised,
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
