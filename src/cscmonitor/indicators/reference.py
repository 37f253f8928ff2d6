"""The indicator reference page, generated from the registry so it cannot drift from the code.

Regenerate with `cscmonitor indicators --reference > docs/indicators.md`; a test fails when
the file differs from what the registry says.
"""

from __future__ import annotations

from typing import assert_never

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
  the measure looks (the value is shown, flagged); `incomplete data` when the held returns
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
  "Explain this figure" lists the same records, not aggregated.
- **Duplicates across returns**: a newer return supersedes what an older one held for the same
  period (see `docs/warehouse.md`), so a referral, plan or episode open at a year end counts once.
"""


def reference_markdown() -> str:
    """The whole reference page."""
    sections = [CONVENTIONS]
    for ind in all_indicators():
        lines = [
            f"## `{ind.code}` — {ind.title}",
            "",
            f"- Unit: {ind.unit}; polarity: {ind.polarity} is better"
            if ind.polarity != "neither"
            else f"- Unit: {ind.unit}; polarity: neither higher nor lower is better",
            f"- Domain: {ind.domain.label}",
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
