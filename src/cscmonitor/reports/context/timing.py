"""The periods reports show: a contract year's quarters and the rolling-12-month trend."""

from __future__ import annotations

import datetime as dt

from cscmonitor.periods import Period, add_months, twelve_months_to
from cscmonitor.terms import ContractTerms as Terms

ONE_DAY = dt.timedelta(days=1)


def contract_quarter(terms: Terms, year: int, quarter: int) -> Period:
    """Quarter 1–4 of contract `year`: three months each, counted back from the year's end."""
    if not 1 <= quarter <= 4:
        raise ValueError(f"a quarter is 1 to 4, not {quarter}")
    whole = terms.contract_year(year)
    end = add_months(whole.end + ONE_DAY, -3 * (4 - quarter)) - ONE_DAY
    start = max(whole.start, add_months(end + ONE_DAY, -3))
    if end < whole.start:
        raise ValueError(f"contract year {year} ({whole.label}) has no quarter {quarter}")
    return Period(start, end)


def trend(terms: Terms, until: dt.date, *, since: dt.date | None = None) -> tuple[Period, ...]:
    """The 12 months to each contract quarter end, from the baseline year's first to `until`."""
    origin = terms.baseline_period().start
    first = since or origin
    ends = []
    step = 1
    while (end := add_months(origin, 3 * step) - ONE_DAY) <= until:
        if end >= first:
            ends.append(end)
        step += 1
    return tuple(twelve_months_to(end) for end in ends)
