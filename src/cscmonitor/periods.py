"""Reporting periods.

A period is `[start, end]`, both inclusive. Periods are data: the engine turns a
list of them into one table and every indicator is computed for all of them in
one query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


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
