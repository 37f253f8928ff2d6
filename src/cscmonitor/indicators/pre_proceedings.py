"""Pre-proceedings and family group decision making, from the CIN census (2026-27 on).

One `PreProceedingsandFGDM` block of a CINdetails is one pre-proceedings (warehouse table
`cin_pre_proceedings`). A census reports a pre-proceedings in the year it began (DfE rule
9005), with what happened by the census date; a block restated by a later census is taken
from the latest return held. Censuses before 2026-27 have no such block, so a period starting
before 1 April 2026 has no value ("no data"), never 0%. Local measures: DfE publishes no
comparator (INDICATORS-FRAMEWORK.md, outcome 3).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import ibis
import ibis.expr.types as ir

from cscmonitor.indicators.common import KEYS, in_period, months_after
from cscmonitor.indicators.framework import Framework, serves
from cscmonitor.indicators.registry import (
    Body,
    Domain,
    Measure,
    Polarity,
    Source,
    Tables,
    Unit,
    indicator,
)

COLLECTED_FROM = dt.date(2026, 4, 1)  # the 2026-27 census is the first with the block
PLO_DAYS = 112  # 16 weeks: the Public Law Outline's usual length of pre-proceedings
PROVISIONAL_MONTHS = 3

FAMILY_NETWORK = serves(
    Framework.FAMILY_NETWORK,
    "Pre-proceedings and family group decision making are how a family network is brought in "
    "before a court is asked to decide: the census collects them from 2026-27.",
)
SHOWN = (
    "child_id",
    "referral_date",
    "pp_start_date",
    "fgdm_offered",
    "fgdm_held",
    "step_decision_date",
    "pp_outcome",
    "court_application_date",
)


def _local(code: str, title: str) -> Callable[[Body], Body]:
    """Register a pre-proceedings measure: a local share (higher is better) of the census's
    blocks, from the first census that has them."""
    return indicator(
        code,
        title,
        unit=Unit.PERCENT,
        measure=Measure.PROPORTION,
        polarity=Polarity.HIGHER,
        source=Source.CIN_CENSUS,
        domain=Domain.CHILD_PROTECTION,
        framework=FAMILY_NETWORK,
        collected_from=COLLECTED_FROM,
    )


def pre_proceedings(tables: Tables) -> ir.Table:
    """Each pre-proceedings once: a block restated by a later census (same child, referral and
    PPStartDate) is taken from the latest return held. Blocks without a PPStartDate cannot be
    matched across returns and are kept as they are."""
    blocks = tables.table("cin_pre_proceedings")
    same = ibis.window(group_by=["la_code", "child_id", "referral_date", "pp_start_date"])
    blocks = blocks.mutate(_latest=blocks.return_year.max().over(same))
    kept = blocks.filter(blocks.pp_start_date.isnull() | (blocks.return_year == blocks._latest))
    return kept.drop("_latest")


def _started(tables: Tables, periods: ir.Table) -> ir.Table:
    rows = in_period(pre_proceedings(tables), "pp_start_date", periods)
    return rows.select(*KEYS, *SHOWN)


def _decided(tables: Tables, periods: ir.Table) -> ir.Table:
    rows = in_period(pre_proceedings(tables), "step_decision_date", periods)
    return rows.select(
        *KEYS,
        *SHOWN,
        provisional=rows.step_decision_date > months_after(rows.period_end, -PROVISIONAL_MONTHS),
    )


@_local("PP_NO_COURT", "Pre-proceedings concluded without a court application")
def without_court(tables: Tables, periods: ir.Table) -> ir.Table:
    """Of pre-proceedings with StepDecisionDate (the decision to step up to proceedings or down
    from pre-proceedings) in the period, those with CourtAppDate blank in the latest return held.
    Provisional for decisions in the last 3 months of the period (choice): an application made
    after the census date is not in that census, and a census reports a pre-proceedings only in
    the year it began, so such a decision may yet lead to one. Those records are marked
    `provisional` in the figure's records ("explain this figure"), where the provisional share of
    the cohort can be read; the figure itself is not held back."""
    rows = _decided(tables, periods)
    return rows.mutate(counted=rows.court_application_date.isnull())


@_local("PP_FGDM_OFFERED", "Family group decision making offered")
def fgdm_offered(tables: Tables, periods: ir.Table) -> ir.Table:
    """Of pre-proceedings with PPStartDate in the period, those with FGDMMeetingOffer = 1 (a
    family group decision making meeting offered in the letter before proceedings). A blank
    FGDMMeetingOffer stays in the cohort, not counted (choice). The flag carries no date, so
    whether the offer came before pre-proceedings began cannot be tested."""
    rows = _started(tables, periods)
    return rows.mutate(counted=rows.fgdm_offered.fill_null(False))


@_local("PP_FGDM_HELD", "Family group decision making meeting held")
def fgdm_held(tables: Tables, periods: ir.Table) -> ir.Table:
    """The PP_FGDM_OFFERED cohort (pre-proceedings with PPStartDate in the period); counted:
    FGDMMeetingFac = 1 (a family group decision making meeting was facilitated in the
    pre-proceedings period), whether or not one was offered. A blank FGDMMeetingFac stays in
    the cohort, not counted (choice)."""
    rows = _started(tables, periods)
    return rows.mutate(counted=rows.fgdm_held.fill_null(False))


@_local("PP_16WK", "Pre-proceedings concluded within 16 weeks")
def within_16_weeks(tables: Tables, periods: ir.Table) -> ir.Table:
    """Of pre-proceedings with StepDecisionDate in the period, those with StepDecisionDate on or
    before PPStartDate + 112 days (16 weeks, the Public Law Outline's usual length; a local
    target). One without a PPStartDate cannot be timed and is left out (choice)."""
    rows = _decided(tables, periods)
    rows = rows.filter(rows.pp_start_date.notnull())
    return rows.mutate(
        days=rows.step_decision_date.delta(rows.pp_start_date, unit="day"),
    ).mutate(counted=lambda t: t.days <= PLO_DAYS)
