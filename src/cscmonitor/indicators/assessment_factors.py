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
    """Each authorised assessment once per factor it identified (a factor listed twice, twice):
    the assessment's `la_code, child_id, referral_date, start_date, authorised_date` and the
    `factor`. Shared by the factor indicators (`common.shared`), so a basket joins the census's
    assessments to their factors once, not once per factor (England: 17 such joins were a
    third of the basket's time, bench/README.md)."""
    assessments = tables.table("cin_assessments")
    assessments = assessments.filter(assessments.authorised_date.notnull())
    found = tables.table("cin_assessment_factors")
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
    # In order of factor, so each factor's query reads only its own rows of the table a basket
    # keeps (DuckDB skips the row groups whose range of factors leaves it out).
    return rows.select(
        "la_code", "child_id", "referral_date", "start_date", "authorised_date", "factor"
    ).order_by("factor")


def episodes_with_factor(tables: Tables, periods: ir.Table, code: str) -> ir.Table:
    """Each CINdetails episode (child and referral date) once per period in which at least one
    of its assessments, authorised in the period, identified the factor `code`."""
    rows = shared(tables, authorised_factors)
    rows = in_period(rows.filter(rows.factor == code), "authorised_date", periods)
    # Each assessment once, then each episode: two plain groupings, where a count of distinct
    # start dates in one made DuckDB plan a self-join (twice the factors' time).
    episode = [*KEYS, "child_id", "referral_date"]
    rows = rows.group_by([*episode, "start_date"]).aggregate(authorised=rows.authorised_date.min())
    return rows.group_by(episode).aggregate(
        assessments=rows.count(), first_authorised=rows.authorised.min()
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
