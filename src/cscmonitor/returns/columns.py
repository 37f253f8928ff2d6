"""Typing of text columns, whole columns at a time, with a problem row for every bad cell."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from cscmonitor.privacy import database
from cscmonitor.returns.issues import Reading, Severity, problem_rows

# Four-digit years only: "01/02/15" would otherwise become the year 15. Day first, as every
# return is English; the forms Excel leaves behind (dots, dashes, month names, a midnight
# time after the date) are read too.
DATE_SHAPE = (
    r"\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|\d{4}[-/]\d{1,2}[-/]\d{1,2}|\d{1,2}[ -][A-Za-z]{3,9}[ -]\d{4}"
)
DATE_FORMATS = (
    "%d/%m/%Y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%d-%b-%Y",
    "%d %b %Y",
    "%d-%B-%Y",
    "%d %B %Y",
)
TIME_SUFFIX = r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$"
# A date Excel shows as its serial number (days since 30 December 1899); only the range
# 1927-2119 is taken, so that a stray count or id is not read as a date.
EXCEL_SERIAL = r"\d{5}(\.0+)?"
EXCEL_SERIAL_RANGE = (10_000, 80_000)
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2099, 12, 31)
# The 903 allows partial dates for previous permanence ("zz/zz/2015", "zz/06/2015").
PARTIAL_DATE = r"(?i)(zz|\d{1,2})/(zz|\d{1,2})/\d{4}"


@dataclass(frozen=True)
class Where:
    """Where a column's cells came from, for the problem rows: file, table and row locations."""

    file: str
    table: str
    locations: pa.Array


def clean_text(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Trim spaces; empty cells become null."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    trimmed = pc.utf8_trim_whitespace(values.cast(pa.string()))
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


@dataclass(frozen=True)
class Text:
    """A column of cells already cleaned by `clean_text` (so it is cleaned once, not per use)."""

    cells: pa.Array


def _cleaned(raw: pa.Array | Text) -> pa.Array:
    return raw.cells if isinstance(raw, Text) else clean_text(raw)


def bad_cells(
    text: pa.Array,
    bad: pa.Array,
    *,
    where: Where,
    field: str,
    rule: str,
    expected: str,
    severity: Severity = Severity.ERROR,
    outcome: str = "loaded as blank",
) -> pa.Table:
    """Problem rows for the cells flagged in `bad` (a boolean mask), quoting each value."""
    mask = pc.fill_null(bad, False)
    values = text.filter(mask)
    return problem_rows(
        file=where.file,
        table=where.table,
        locations=where.locations.filter(mask),
        field=field,
        values=values,
        rule=rule,
        severity=severity,
        message=pc.binary_join_element_wise(
            f"{field} '", values, f"' is not {expected}; {outcome}", ""
        ),
    )


def cursor() -> duckdb.DuckDBPyConnection:
    """A DuckDB cursor of its own on the process's shared in-memory database
    (`privacy.database`: a new connection costs tens of milliseconds and 25 MB, a cursor
    neither)."""
    return database().cursor()


def _sql_column(text: pa.Array, query: str, params: dict[str, object]) -> pa.Array:
    con = cursor()
    try:
        con.register("cells", pa.table({"v": text}))
        result = con.sql(query, params=params).to_arrow_table().column(0)
    finally:
        con.close()
    return result.combine_chunks()


def _strict(text: pa.Array, shape: str, fmt: str, day_at: int) -> pa.Array:
    """Dates in one zero-padded form; a day that does not exist (31/02) is null, not March."""
    fits = pc.fill_null(pc.match_substring_regex(text, shape), False)
    candidates = pc.if_else(fits, text, pa.scalar(None, pa.string()))
    stamps = pc.strptime(candidates, format=fmt, unit="s", error_is_null=True)
    # Arrow rolls 30 February over into March; the day it read must be the day written.
    written = pc.utf8_slice_codeunits(candidates, day_at, day_at + 2).cast(pa.int64())
    same = pc.equal(pc.day(stamps), written)
    return pc.if_else(pc.fill_null(same, False), stamps, pa.scalar(None, stamps.type)).cast(
        pa.date32()
    )


def _parse_dates(text: pa.Array) -> pa.Array:
    # The two forms nearly every return uses are read by Arrow (no text has both shapes, so
    # the second is tried only when the first leaves some unread); DuckDB reads what is left.
    dates = _strict(text, r"^\d{2}/\d{2}/\d{4}$", "%d/%m/%Y", day_at=0)
    rest = pc.and_(pc.is_valid(text), pc.is_null(dates))
    if pc.any(rest).as_py():
        dates = pc.coalesce(dates, _strict(text, r"^\d{4}-\d{2}-\d{2}$", "%Y-%m-%d", day_at=8))
        rest = pc.and_(pc.is_valid(text), pc.is_null(dates))
    if pc.any(rest).as_py():
        dates = pc.replace_with_mask(dates, rest, _other_dates(text.filter(rest)))
    # Year 15 or 2515 is a typing slip, not a date a child's record can hold.
    plausible = pc.and_(
        pc.greater_equal(dates, pa.scalar(EARLIEST, pa.date32())),
        pc.less_equal(dates, pa.scalar(LATEST, pa.date32())),
    )
    return pc.if_else(plausible, dates, pa.scalar(None, pa.date32()))


def _other_dates(text: pa.Array) -> pa.Array:
    low, high = EXCEL_SERIAL_RANGE
    return _sql_column(
        text,
        "WITH c AS (SELECT regexp_replace(v, $time, '') AS d FROM cells) "
        "SELECT CASE "
        "WHEN regexp_full_match(d, $shape) THEN try_strptime(d, $formats)::DATE "
        "WHEN regexp_full_match(d, $serial) "
        "AND TRY_CAST(split_part(d, '.', 1) AS INTEGER) BETWEEN $low AND $high "
        "THEN DATE '1899-12-30' + TRY_CAST(split_part(d, '.', 1) AS INTEGER) "
        "END AS d FROM c",
        {
            "time": TIME_SUFFIX,
            "shape": DATE_SHAPE,
            "formats": list(DATE_FORMATS),
            "serial": EXCEL_SERIAL,
            "low": low,
            "high": high,
        },
    ).cast(pa.date32())


def to_date(
    raw: pa.Array | Text, *, where: Where, field: str, partial: bool = False
) -> tuple[pa.Array, pa.Table]:
    """Dates, day first, strictly (31/02 is not a date); other text is blanked and listed.

    With `partial`, the 903's partial dates ("zz/zz/2015") are accepted as unknown dates.
    """
    text = _cleaned(raw)
    dates = _parse_dates(text)
    bad = pc.and_(pc.is_valid(text), pc.is_null(dates))
    if partial:
        bad = pc.and_(bad, pc.invert(pc.match_substring_regex(text, f"^(?:{PARTIAL_DATE})$")))
    return dates, bad_cells(
        text,
        bad,
        where=where,
        field=field,
        rule=Reading.DATE_FORMAT,
        expected="a date between 1900 and 2099 (dd/mm/yyyy or yyyy-mm-dd)",
    )


NUMBER = r"^[+-]?(\d+(\.\d*)?|\.\d+)$"


def to_number(
    raw: pa.Array | Text, target: pa.DataType, *, where: Where, field: str
) -> tuple[pa.Array, pa.Table]:
    """Numbers of the target type; other text is blanked and listed."""
    text = _cleaned(raw)
    ok = pc.match_substring_regex(text, NUMBER)
    # Very long digit strings overflow a float to inf; they are not numbers a return holds.
    ok = pc.and_(ok, pc.less_equal(pc.utf8_length(text), 18))
    as_float = pc.if_else(ok, text, pa.scalar(None, pa.string())).cast(pa.float64())
    if pa.types.is_integer(target):
        whole = pc.equal(pc.floor(as_float), as_float)
        as_float = pc.if_else(whole, as_float, pa.scalar(None, pa.float64()))
    numbers = as_float.cast(target, safe=False)
    bad = pc.and_(pc.is_valid(text), pc.is_null(numbers))
    kind = "a whole number" if pa.types.is_integer(target) else "a number"
    return numbers, bad_cells(
        text, bad, where=where, field=field, rule=Reading.NUMBER_FORMAT, expected=kind
    )


TRUE_WORDS = ("true", "1", "y", "yes")
FALSE_WORDS = ("false", "0", "n", "no")


def to_bool(raw: pa.Array | Text, *, where: Where, field: str) -> tuple[pa.Array, pa.Table]:
    """Booleans written as true/false, 1/0, Y/N or yes/no (any case)."""
    text = _cleaned(raw)
    lower = pc.utf8_lower(text)
    truth = pc.if_else(
        pc.is_in(lower, pa.array(TRUE_WORDS)),
        True,
        pc.if_else(pc.is_in(lower, pa.array(FALSE_WORDS)), False, pa.scalar(None, pa.bool_())),
    )
    bad = pc.and_(pc.is_valid(text), pc.is_null(truth))
    return truth, bad_cells(
        text,
        bad,
        where=where,
        field=field,
        rule=Reading.BOOLEAN_FORMAT,
        expected="true/false, 1/0 or Y/N",
    )
