"""The indicator reference page, generated from the registry so it cannot drift from the code.

Regenerate with `cscmonitor indicators --reference > docs/indicators.md`; a test fails when
the file differs from what the registry says.
"""

from __future__ import annotations

import datetime as dt
from typing import assert_never

from cscmonitor.indicators.framework import BENCHMARK_ONLY, grouped
from cscmonitor.indicators.listing import without_measures
from cscmonitor.indicators.registry import Indicator, Measure, all_indicators

CONVENTIONS = """\
# Indicator reference

Generated from the indicator registry (`cscmonitor indicators --reference`); do not edit by
hand. The definitions follow `INDICATORS.md` (the project's pinned definitions) and DfE's
published statistics; where those leave a choice open, the choice is written here and in the
indicator's docstring.

## Conventions

- **Period** `[start, end]`, both inclusive. "In the period": an event dated within it.
- **Open on a day**: started on or before it and not ended by it. An end date (CIN closure,
  903 DEC, plan end, a worker's leaving date) is the day the thing ceased, so on that day it is
  no longer open: a child whose episode ends on 31 March is not looked after at 31 March, and a
  worker who leaves on the period end is a leaver, not in post.
- **The 12 months to period end** run from the day after the same date a year earlier to the
  period end (1 Oct 2014 – 30 Sep 2015 for a period ending 30 Sep 2015), whatever the period's
  own length. Measures "in the year" (placements, turnover) use them.
- **Within 12 months** of date A: on or before the same calendar day 12 months later
  (29 Feb maps to 28 Feb).
- **Status**: `ok`; `insufficient data` when the denominator is below the minimum (no value,
  never RAG-rated); `lookback incomplete` when the held returns do not reach back as far as
  the measure looks, or a measure the return completes only on one day of the year (the
  903's social worker episodes, on 31 March) is taken at a period ending on another day (the
  value is shown, flagged); `incomplete data` when the held returns
  cover only part of the period (no value: it would be counted from part of the period);
  `no data` when no held return of the source covers the period; `return missing` when a
  return between two held ones is missing and the period or its lookback reaches into its
  year (no value: what that return would have closed or carried is not known).
- **Confidence intervals** (95%): Wilson for proportions; exact Poisson (Garwood) on the
  numerator for measures that can exceed 100% (turnover).
- **Measure**: each indicator declares how its records are aggregated. A *proportion*
  counts the records marked counted over all its records; a *rate* counts its records over
  the LA's children aged 0–17 (child-years when annualised); a *mean* sums a value column
  over the records (or over a weight column); a *weighted* measure sums a weight column over
  the records counted and over those in the denominator; a *count* counts its records.
  "Explain this figure" lists the same records, not aggregated. Where the records are
  events, each counted in every period holding its date with nothing about the period
  deciding it (referrals, assessments, plans starting or ending, early help closures), the
  engine sums them by LA and day before placing the sums in the periods: the same figures
  from fewer rows (`common.InPeriod`).
- **Duplicates across returns**: a newer return supersedes what an older one held for the same
  period (see `docs/warehouse.md`), so a referral, plan or episode open at a year end counts once.
"""


FRAMEWORK_MEASURES = """\
## National Framework measures

The measures of DfE's children's social care outcomes and enablers dashboard that the CIN
census, the SSDA903 and the virtual school's records give, as `INDICATORS-FRAMEWORK.md`
defines them: `CLA_START_RATE`, `UASC_START_RATE`, `UASC_END_RATE`, `CLA_SCHOOL_MOVE`, the
seventeen `AF_*` factors at assessment, `S47_ICPC`, `CLA_CEASE_SGO`, `CLA_CEASE_CAO`,
`CLA_FOSTER`, `CLA_RESI`, `CLA_SUPPORTED`, `ADOPT_DECISION_MATCH`, `CLA_SDQ`, `CL_EET_17_18`
and `CL_SUITABLE_17_18`. Each one's choices (where DfE publishes no rule) are written in its
definition below.

- **Looked after at period end, starting, ceasing**: never an agreed series of short breaks
  (LS V3/V4), as DfE counts every 31 March, starting and ceasing figure. A child who started
  or ceased twice in a period counts once; a ceasing is read at its last occasion.
- **UASC on a day** (a choice): a UASC record from a return of that day's year or later, with
  DUC blank or after the day.
- **Placement at period end** (a choice): PLACE of the open episode, or for a temporary
  placement (T0–T4) that of the latest earlier episode of the same period of care.
- **Distance from home** (`CLA_20MILES`): the open episode's own PL_DISTANCE (a temporary
  placement's too), in miles to one decimal place, so 20.04 miles is 20.0 and not over 20.
  A return's own PL_DISTANCE is taken as given (a choice: even 999.9, "not known", over a
  distance the postcodes would give); a blank one is worked out at ingest from HOME_POST and
  PL_POST through the installation's postcode lookup (docs/postcodes.md), before postcodes
  are reduced. Not known (blank or unmatched postcodes, 999.9, no lookup) stays in the
  denominator, as DfE's "distance not known or not recorded" does.
- **Deprivation of liberty orders** (`CLA_DOLO`, `CLA_DOLO_SHARE`): a count of children, and
  the same children as a share of those looked after (an indicator has one unit, so the two
  are two indicators). The 903 holds the orders from 2026-27: a period starting before
  1 April 2026 has no value ("no data").
- **Code lists by year are data**: `data/framework/code_years.csv` (SGO and child
  arrangements order reasons, placement groups, education, employment or training codes) and
  `data/framework/assessment_factors.csv` (the factors and the first census collecting each).
  A year is the collection year named by the 31 March it ends on. An indicator counting a
  code newer than a period has no value for it ("no data"), not a zero.
- **Rates**: a period with no events is a rate of zero (an LA and period with a population
  always has a figure).
- **Mean scores** (`CLA_SDQ`): the unit `mean`, with a Student's t interval from the spread
  of the scores.

Changes to earlier definitions, where DfE's published figures confirm them:

- `CL_SUITABLE` leaves out young people gone abroad, deported or whose residence is not known
  (ACCOM beginning G, H or R), as DfE's suitability tables do: their totals are below the
  activity totals for the same cohort (England, aged 19–21: 38,190 against 38,440 in 2025,
  36,080 against 36,340 in 2024; aged 17–18: 14,750 against 14,800 in 2025).
  The care leavers' cohort already left out those who died or returned home (DIED, RHOM).
- Not changed, because the bundled published tables cannot confirm it: `CLA_RATE` still
  counts children on an agreed series of short breaks (V3/V4). `INDICATORS-FRAMEWORK.md`
  takes DfE's count to leave them out from DfE's data dictionary and the 903 validator, but
  `cla_number_and_rate_per_10k_children` gives only the total. `CL_EET` still counts F3 and
  P3 in every year (codes only to 2020-21); `CL_EET_17_18` reads them by year.

Added for the 2026-27 returns and the workforce enabler, with their choices:

- `PP_NO_COURT`, `PP_FGDM_OFFERED`, `PP_FGDM_HELD`, `PP_16WK` (local measures, outcome 3)
  read the 2026-27 CIN census's `PreProceedingsandFGDM` block (`cin_pre_proceedings`). A
  census reports a pre-proceedings in the year it began; one restated by a later census is
  taken from the latest return held. Periods starting before 1 April 2026 have no value
  ("no data"). Blank FGDM flags stay in their cohort, not counted; a pre-proceedings without
  a PPStartDate cannot be timed and is left out of `PP_16WK`. `PP_NO_COURT` is provisional
  for decisions in the last 3 months of the period: those records are marked `provisional`
  in "explain this figure".
- `CLA_SW3PLUS` (dashboard #67) counts distinct SW_ID in the 903's social worker episodes
  over the 12 months to period end, leaving out the `XX` stand-ins (ingest keeps an id's
  first two letters, `sw_id_prefix`, beside its pseudonym). Children looked after with no
  episode leave the denominator and are listed, outside it, in "explain this figure". The
  return holds episodes only for children looked after on 31 March: a period ending on any
  other day is `lookback incomplete`, and one starting before 1 April 2023 has no value.
- `SW_ETHNIC_MINORITY` (dashboard #68) is a headcount of employed registered workers in post
  with a known `ETHNICITY` (a column of the workers file from 2026; REFU and NOBT are not
  known): the share whose code does not begin with W. A workers file without the column has
  no worker of known ethnicity, so no value (`insufficient data`), never 0%.

Every measure of `INDICATORS-FRAMEWORK.md` the returns can give is computed; `CLA_20MILES`
and `CLA_DOLO` are described above.
"""


FRAMEWORK_INTRO = """\
## The National Framework

Every indicator is tagged with the outcome or enabler of the Children's Social Care National
Framework (December 2023) it speaks to: the measure of DfE's children's social care outcomes
and enablers dashboard it computes (`#n`, a row of the dashboard's own list,
`data/framework/dfe_csc_dashboard_metrics.csv`), or, for a measure the dashboard does not have,
the outcome or enabler it serves and why. Titles and the outcomes' numbers are the dashboard's
(it numbers "safe" 2 and "family network" 3). `cscmonitor indicators --by framework` lists
them grouped so; the web dashboard and the reports group by the same tags.
"""


def framework_markdown() -> str:
    """The framework tags: each indicator under its outcome or enabler, with the reason, and
    the dashboard's measures that are only published."""
    lines = [FRAMEWORK_INTRO, "| Outcome or enabler | Indicator | Why here |", "|---|---|---|"]
    for element, members in grouped(all_indicators(), lambda i: i.framework.framework):
        lines += [f"| {element.label} | `{i.code}` | {i.framework.why} |" for i in members]
    lines += [
        "",
        "Benchmark-only measures: on the dashboard, not computable from the returns; shown from",
        "the published files.",
        "",
        "| Outcome or enabler | Measure | Dashboard | Published in |",
        "|---|---|---|---|",
    ]
    for element, published in grouped(BENCHMARK_ONLY, lambda p: p.framework):
        lines += [
            f"| {element.label} | {p.title} (`{p.code}`) | {_rows(p.rows)} | {p.source} |"
            for p in published
        ]
    if untagged := without_measures():
        lines += ["", "No measure yet: " + "; ".join(untagged) + "."]
    return "\n".join(lines) + "\n"


def _rows(rows: tuple[int, ...]) -> str:
    """`#8–16`, `#25`: a run of dashboard rows."""
    return f"#{rows[0]}" if len(rows) == 1 else f"#{rows[0]}–{rows[-1]}"


def reference_markdown() -> str:
    """The whole reference page."""
    sections = [CONVENTIONS, framework_markdown(), FRAMEWORK_MEASURES]
    for ind in all_indicators():
        lines = [
            f"## `{ind.code}` — {ind.title}",
            "",
            f"- Unit: {ind.unit}; polarity: {ind.polarity} is better"
            if ind.polarity != "neither"
            else f"- Unit: {ind.unit}; polarity: neither higher nor lower is better",
            f"- Domain: {ind.domain.label}",
            f"- National Framework: {ind.framework.framework.label}. {ind.framework.why}",
            f"- Measure: {measure_text(ind)}",
            f"- Source: {ind.source.label}"
            + "".join(f"; also reads the {s.label}" for s in ind.also_reads),
            f"- DfE comparator: {ind.comparator or 'none (local measure)'}",
            f"- Minimum denominator: {ind.min_denominator}",
            f"- Confidence interval: {ind.interval}",
        ]
        if ind.lookback_months:
            lines.append(f"- Looks back: {ind.lookback_months} months before the period start")
        if ind.collected_from:
            lines.append(
                f"- Collected from: {ind.collected_from:%-d %B %Y} (no value for a period "
                "starting earlier)"
            )
        if ind.complete_on:
            month, day = ind.complete_on
            lines.append(
                f"- Complete only for periods ending {dt.date(2000, month, day):%-d %B} "
                "(`lookback incomplete` otherwise)"
            )
        lines += ["", ind.definition, ""]
        sections.append("\n".join(lines))
    return "\n".join(sections)


def measure_text(ind: Indicator) -> str:
    """The measure kind in words, with the record columns it reads."""
    match ind.measure:
        case Measure.PROPORTION:
            return "proportion (records counted ÷ records)"
        case Measure.RATE:
            per = "child-years, annualised" if ind.annualised else "children aged 0–17"
            return f"rate (records ÷ {per})"
        case Measure.MEAN:
            over = f"`{ind.weight}`" if ind.weight else "records"
            return f"mean (`{ind.value}` summed ÷ {over})"
        case Measure.WEIGHTED:
            return f"weighted (`{ind.weight}` of records counted ÷ `{ind.weight}` in denominator)"
        case Measure.COUNT:
            return "count (records; no denominator)"
        case _:
            assert_never(ind.measure)
