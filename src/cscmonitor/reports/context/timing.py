"""The periods reports show: a contract year's quarters and the rolling-12-month trend."""

from __future__ import annotations

import datetime as dt

from cscmonitor.figures import trend_periods
from cscmonitor.periods import Period, add_months
from cscmonitor.terms import ContractTerms

ONE_DAY = dt.timedelta(days=1)


def contract_quarter(terms: ContractTerms, year: int, quarter: int) -> Period:
    """Quarter 1–4 of contract `year`: three months each, counted back from the year's end."""
    if not 1 <= quarter <= 4:
        raise ValueError(f"a quarter is 1 to 4, not {quarter}")
    whole = terms.contract_year(year)
    end = add_months(whole.end + ONE_DAY, -3 * (4 - quarter)) - ONE_DAY
    start = max(whole.start, add_months(end + ONE_DAY, -3))
    if end < whole.start:
        raise ValueError(f"contract year {year} ({whole.label}) has no quarter {quarter}")
    return Period(start, end)


def trend(
    terms: ContractTerms, until: dt.date, *, since: dt.date | None = None
) -> tuple[Period, ...]:
    """The 12 months to each contract quarter end, from the baseline year's first (or `since`)
    to `until`: the figure model's trend, so a report's chart shows the figures it judged."""
    first = since or terms.baseline_period().start
    return tuple(p for p in trend_periods(terms, until) if p.end >= first)
