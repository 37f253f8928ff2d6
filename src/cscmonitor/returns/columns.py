"""Typing of text columns, whole columns at a time, with a problem row for every bad cell."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cscmonitor.returns.issues import Problem, Severity

DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")
# Four-digit years only: "01/02/15" would otherwise become the year 15.
DATE_SHAPE = r"\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{1,2}-\d{1,2}"


def clean_text(values: pa.Array) -> pa.Array:
    """Trim spaces; empty cells become null."""
    trimmed = pc.utf8_trim_whitespace(values.cast(pa.string()))
    return pc.if_else(pc.equal(trimmed, ""), None, trimmed)


def _bad_cells(
    raw: pa.Array,
    parsed: pa.Array,
    *,
    file: str,
    field: str,
    locations: Sequence[str],
    rule: str,
    expected: str,
) -> list[Problem]:
    bad = pc.and_(pc.is_valid(raw), pc.is_null(parsed))
    indices = np.flatnonzero(bad.to_numpy(zero_copy_only=False))
    values = raw.take(pa.array(indices, pa.int64())).to_pylist()
    return [
        Problem(
            file,
            locations[i],
            field,
            str(value),
            rule,
            Severity.WARNING,
            f"{field} {value!r} is not {expected}; loaded as blank",
        )
        for i, value in zip(indices.tolist(), values, strict=True)
    ]


def to_date(
    raw: pa.Array, *, file: str, field: str, locations: Sequence[str]
) -> tuple[pa.Array, list[Problem]]:
    """Dates in dd/mm/yyyy or ISO form, strictly (31/02 is not a date); other text is listed."""
    text = clean_text(raw)
    con = duckdb.connect()
    con.register("cells", pa.table({"v": text}))
    dates = (
        con.sql(
            "SELECT CASE WHEN regexp_full_match(v, $shape) "
            "THEN try_strptime(v, $formats)::DATE END AS d FROM cells",
            params={"shape": DATE_SHAPE, "formats": list(DATE_FORMATS)},
        )
        .to_arrow_table()
        .column("d")
        .combine_chunks()
    )
    problems = _bad_cells(
        text,
        dates,
        file=file,
        field=field,
        locations=locations,
        rule="DATE_FORMAT",
        expected="a date (dd/mm/yyyy or yyyy-mm-dd)",
    )
    return dates, problems


def to_number(
    raw: pa.Array, target: pa.DataType, *, file: str, field: str, locations: Sequence[str]
) -> tuple[pa.Array, list[Problem]]:
    """Numbers of the target type; other text is blanked and listed."""
    text = clean_text(raw)
    as_float = _safe_float(text)
    if pa.types.is_integer(target):
        whole = pc.equal(pc.floor(as_float), as_float)
        as_float = pc.if_else(whole, as_float, None)
    numbers = as_float.cast(target, safe=False)
    problems = _bad_cells(
        text,
        numbers,
        file=file,
        field=field,
        locations=locations,
        rule="NUMBER_FORMAT",
        expected=f"a number ({target})",
    )
    return numbers, problems


def _safe_float(text: pa.Array) -> pa.Array:
    ok = pc.match_substring_regex(text, r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
    return pc.if_else(ok, text, None).cast(pa.float64())


TRUE_WORDS = ("true", "1", "y", "yes")
FALSE_WORDS = ("false", "0", "n", "no")


def to_bool(
    raw: pa.Array, *, file: str, field: str, locations: Sequence[str]
) -> tuple[pa.Array, list[Problem]]:
    """Booleans written as true/false, 1/0, Y/N or yes/no (any case)."""
    text = pc.utf8_lower(clean_text(raw))
    truth = pc.if_else(
        pc.is_in(text, pa.array(TRUE_WORDS)),
        True,
        pc.if_else(pc.is_in(text, pa.array(FALSE_WORDS)), False, None),
    )
    problems = _bad_cells(
        clean_text(raw),
        truth,
        file=file,
        field=field,
        locations=locations,
        rule="BOOLEAN_FORMAT",
        expected="true/false, 1/0 or Y/N",
    )
    return truth, problems
