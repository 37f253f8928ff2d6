"""Reporting periods.

A period is `[start, end]`, both inclusive. Periods are data: the engine turns a
list of them into one table and every indicator is computed for all of them in
one query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse `START:END` with ISO dates, e.g. `2014-10-01:2015-09-30`."""
        try:
            start_text, end_text = text.split(":")
            return cls(dt.date.fromisoformat(start_text), dt.date.fromisoformat(end_text))
        except ValueError as exc:
            raise ValueError(
                f"period {text!r} is not START:END in ISO dates (e.g. 2014-10-01:2015-09-30): {exc}"
            ) from None

    @property
    def label(self) -> str:
        return f"{self.start:%b %Y}–{self.end:%b %Y}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def add_months(day: dt.date, months: int) -> dt.date:
    """The same calendar day `months` later (or earlier); 29 Feb maps to 28 Feb."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def twelve_months_to(end: dt.date) -> Period:
    """The 12 months ending on `end`, e.g. 1 Oct 2014 – 30 Sep 2015."""
    return Period(add_months(end + dt.timedelta(days=1), -12), end)


def year_starting(start: dt.date) -> Period:
    """The year from `start`: a financial year from 1 April, a contract year from any month."""
    return Period(start, add_months(start, 12) - dt.timedelta(days=1))


def financial_year(first_year: int) -> Period:
    """DfE's year 1 April – 31 March, named by its first calendar year (2014 = 2014-15)."""
    return year_starting(dt.date(first_year, 4, 1))


class Series(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    ANNUAL = "annual"


STEP_MONTHS = {Series.MONTHLY: 1, Series.QUARTERLY: 3, Series.ANNUAL: 12}


def series(
    kind: Series, start: dt.date, end: dt.date, *, rolling: bool = False, year_start_month: int = 4
) -> list[Period]:
    """Every month, quarter or year ending within [start, end].

    Months and quarters are calendar ones (quarters end in March, June, September and
    December); years start in `year_start_month` (4: financial years; 10: a contract year
    from October). With `rolling`, each period is instead the 12 months to that end.
    """
    if end < start:
        raise ValueError(f"the series ends ({end}) before it starts ({start})")
    step = STEP_MONTHS[kind]
    anchor = 1 if kind is not Series.ANNUAL else year_start_month
    # The first period end on or after `start`, on the grid of the kind.
    index = (start.year * 12 + start.month - 1 - (anchor - 1)) // step
    periods = []
    while True:
        first_month = index * step + anchor - 1
        begin = dt.date(first_month // 12, first_month % 12 + 1, 1)
        finish = add_months(begin, step) - dt.timedelta(days=1)
        if finish > end:
            break
        if finish >= start:
            periods.append(twelve_months_to(finish) if rolling else Period(begin, finish))
        index += 1
    return periods


def format_date(day: dt.date) -> str:
    """1 October 2014."""
    return f"{day.day} {day:%B %Y}"


def day(date: dt.date | None) -> str:
    """A date in words, or a dash for none."""
    return "—" if date is None else format_date(date)
