"""Working days as a table, so durations in working days are a join, not a loop.

A working day is Monday to Friday and not a bank holiday in England (the `holidays`
package, subdivision England: it includes one-off days such as 19 September 2022 and
8 May 2023). `index` counts the working days from the calendar's first day up to and
including each date, so the working days d with A < d <= B number index(B) - index(A).
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import holidays
import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

FIRST = dt.date(1990, 1, 1)
LAST = dt.date(2040, 12, 31)


@cache
def working_day_index() -> pd.DataFrame:
    """Every date from FIRST to LAST with the count of working days up to and including it."""
    days = np.arange(np.datetime64(FIRST), np.datetime64(LAST) + 1, dtype="datetime64[D]")
    bank = holidays.country_holidays("GB", subdiv="ENG", years=range(FIRST.year, LAST.year + 1))
    closed = np.array(sorted(bank), dtype="datetime64[D]")
    working = np.is_busday(days, holidays=closed)
    return pd.DataFrame({"day": days.astype("datetime64[s]"), "index": np.cumsum(working)})


@cache
def calendar_table() -> ir.Table:
    """The calendar as one in-memory table, registered once per connection."""
    frame = working_day_index().assign(day=lambda f: f["day"].dt.date)
    return ibis.memtable(frame, schema={"day": "date", "index": "int64"})


def working_days(start: dt.date, end: dt.date) -> int:
    """Working days d with start < d <= end (negative when end is before start)."""
    frame = working_day_index().set_index("day")["index"]
    return int(frame[pd.Timestamp(end)] - frame[pd.Timestamp(start)])


def with_working_days(rows: ir.Table, start: str, end: str, name: str) -> ir.Table:
    """`rows` with a column `name`: working days from column `start` to column `end`."""
    days = calendar_table()
    a = days.select(_a_day=days.day, _a_index=days["index"])
    b = days.select(_b_day=days.day, _b_index=days["index"])
    joined = rows.left_join(a, rows[start] == a._a_day).left_join(b, rows[end] == b._b_day)
    return joined.mutate(**{name: joined._b_index - joined._a_index}).drop(
        "_a_day", "_a_index", "_b_day", "_b_index"
    )
