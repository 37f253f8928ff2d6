"""Dates as whole days since 1970-01-01 (int64 arrays), with the indicators' calendar rules."""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy.typing as npt

Days = npt.NDArray[np.int64]
EPOCH = dt.date(1970, 1, 1)
# Far beyond any simulated date: stands for "has not happened".
NEVER = np.int64(10**6)


def day(date: dt.date) -> int:
    """The day number of a date."""
    return (date - EPOCH).days


def as_date(days: int | np.integer) -> dt.date:
    return EPOCH + dt.timedelta(days=int(days))


def add_months(days: Days, months: int) -> Days:
    """The same calendar day `months` later (or earlier); days past a month's end map to it."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    month = d.astype("datetime64[M]")
    day_of_month = (d - month.astype("datetime64[D]")).astype(np.int64)
    target = month + months
    length = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(
        np.int64
    )
    shifted = target.astype("datetime64[D]") + np.minimum(day_of_month, length - 1)
    return shifted.astype(np.int64)


def earliest_within_12_months(days: Days) -> Days:
    """For each date B, the earliest date A whose "within 12 months" (A + 12 months) reaches B."""
    lower = add_months(days, -12)
    # 29 Feb: a year later is 28 Feb, so the day 12 months before 29 Feb is one day too early.
    return np.where(add_months(lower, 12) < days, lower + 1, lower)


def year_starting(days: Days, month: int, day_of_month: int) -> npt.NDArray[np.int64]:
    """The scenario year holding each day, named by the calendar year it starts in."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    calendar_year = d.astype("datetime64[Y]").astype(np.int64) + 1970
    start = _dates(calendar_year, month, day_of_month)
    return np.where(np.asarray(days) >= start, calendar_year, calendar_year - 1)


def on(years: npt.ArrayLike, month: int, day_of_month: int) -> Days:
    """The given month and day in each of `years`."""
    return _dates(np.asarray(years, dtype=np.int64), month, day_of_month)


def _dates(years: npt.NDArray[np.int64], month: int, day_of_month: int) -> Days:
    first = (years - 1970).astype("datetime64[Y]").astype("datetime64[M]") + (month - 1)
    return (first.astype("datetime64[D]") + (day_of_month - 1)).astype(np.int64)


def working_days_after(days: Days, count: npt.ArrayLike) -> Days:
    """The date `count` working days after each date (Monday-Friday; bank holidays not modelled)."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    # Rolling a weekend start back to Friday keeps "working days after A" = count, as the indicators
    # count them (days d with A < d <= B).
    moved = np.busday_offset(d, np.asarray(count, dtype=np.int64), roll="backward")
    return moved.astype(np.int64)


def birthday(dob: Days, age: int) -> Days:
    """The date each child reaches `age` (29 Feb birthdays fall on 28 Feb)."""
    return add_months(dob, 12 * age)


def iso(days: Days) -> npt.NDArray[np.str_]:
    """yyyy-mm-dd text."""
    return np.datetime_as_string(np.asarray(days, dtype=np.int64).astype("datetime64[D]"), unit="D")


def dmy(days: Days) -> npt.NDArray[np.str_]:
    """dd/mm/yyyy text, as the SSDA903 and workforce files write dates."""
    text = iso(days).astype("U10")
    parts = text.view("U1").reshape(-1, 10)
    out = np.empty_like(parts)
    out[:, 0:2] = parts[:, 8:10]
    out[:, 2] = "/"
    out[:, 3:5] = parts[:, 5:7]
    out[:, 5] = "/"
    out[:, 6:10] = parts[:, 0:4]
    return out.reshape(-1).view("U10") if len(text) else text
