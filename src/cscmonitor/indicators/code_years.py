"""The code lists National Framework measures count, with the collection years each code is in.

Kept as data (`data/framework/code_years.csv`), not code: a new return version changes a row.
A year is the collection year named by the 31 March it ends on (2025 is 2024-25); a blank
first or last year leaves that side open. Sources are in INDICATORS-FRAMEWORK.md.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from importlib.resources import files

import ibis
import ibis.expr.types as ir
import pandas as pd

FILE = "code_years.csv"
FACTORS_FILE = "assessment_factors.csv"


@cache
def code_years_frame() -> pd.DataFrame:
    """`list, code, first_year, last_year, meaning` (years as nullable integers)."""
    frame = pd.read_csv(
        files("cscmonitor").joinpath("data", "framework", FILE).open("rb"),
        dtype={"list": str, "code": str, "meaning": str},
    )
    for column in ("first_year", "last_year"):
        frame[column] = frame[column].astype("Int64")
    return frame


@cache
def factors() -> pd.DataFrame:
    """The dashboard's factors at assessment: `indicator, factor, c3_column, code, first_year,
    note`, one row per factor (`first_year` blank: every census year held)."""
    frame = pd.read_csv(
        files("cscmonitor").joinpath("data", "framework", FACTORS_FILE).open("rb"), dtype=str
    )
    frame["first_year"] = pd.to_numeric(frame["first_year"]).astype("Int64")
    return frame


def codes_of(name: str) -> pd.DataFrame:
    """The rows of one list; an unknown name is an error, never an empty list."""
    frame = code_years_frame()
    rows = frame[frame["list"] == name]
    if rows.empty:
        raise KeyError(f"no code list {name!r} in {FILE}")
    return rows


@cache
def code_table(name: str) -> ir.Table:
    """One list as a table: `code, first_year, last_year` (nulls for open ends)."""
    rows = codes_of(name)
    frame = pd.DataFrame(
        {
            "code": rows["code"].to_numpy(),
            "first_year": rows["first_year"].fillna(0).astype("int64").to_numpy(),
            "last_year": rows["last_year"].fillna(9999).astype("int64").to_numpy(),
        }
    )
    return ibis.memtable(
        frame, schema={"code": "string", "first_year": "int64", "last_year": "int64"}
    )


def collection_year(date: ir.DateValue) -> ir.IntegerValue:
    """The collection year (1 April–31 March) holding a date, named by the year it ends."""
    return date.year().cast("int64") + (date.month() >= 4).cast("int64")


def in_list(rows: ir.Table, code: str, year: str, name: str) -> ir.Table:
    """`rows` with a boolean `in_<name>`: whether column `code` is in list `name` in the
    collection year in column `year`."""
    listed = code_table(name)
    listed = listed.select(_listed=listed.code, _first=listed.first_year, _last=listed.last_year)
    keyed = rows.mutate(_year=rows[year].cast("int64"))
    joined = keyed.left_join(
        listed,
        [
            keyed[code] == listed._listed,
            keyed._year >= listed._first,
            keyed._year <= listed._last,
        ],
    )
    return joined.mutate(**{f"in_{name}": joined._listed.notnull()}).drop(
        "_year", "_listed", "_first", "_last"
    )


def years_text(name: str) -> str:
    """A list in words, for docstrings: `E45, E46 (from 2018-19); E43 (to 2017-18)`."""
    parts = []
    for row in codes_of(name).itertuples():
        first, last = row.first_year, row.last_year
        span = (
            ""
            if pd.isna(first) and pd.isna(last)
            else f" (to {_year(int(last))})"
            if pd.isna(first)
            else f" (from {_year(int(first))})"
            if pd.isna(last)
            else f" ({_year(int(first))} to {_year(int(last))})"
        )
        parts.append(f"{row.code}{span}")
    return ", ".join(parts)


def _year(ending: int) -> str:
    return f"{ending - 1}-{str(ending)[2:]}"


def first_day(ending: int) -> dt.date:
    """The first day of the collection year ending 31 March of `ending`."""
    return dt.date(ending - 1, 4, 1)
