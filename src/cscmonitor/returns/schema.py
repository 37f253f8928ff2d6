"""Declarative column specs: text cells in, typed and pseudonymised Arrow columns out.

A parsed table carries one hidden column, `_location` (the CSV row or XML path of each
row), so that checks can say where a problem is; the warehouse drops it before writing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import assert_never

import pyarrow as pa
import pyarrow.compute as pc

from cscmonitor.privacy import Pseudonymiser, postcode_district
from cscmonitor.returns.codes import LISTS
from cscmonitor.returns.columns import (
    Text,
    Where,
    bad_cells,
    clean_text,
    to_bool,
    to_date,
    to_number,
)
from cscmonitor.returns.issues import PROBLEM_SCHEMA, Problems, Reading, Severity, problem_rows
from cscmonitor.returns.kind import ReturnKind

LOCATION = "_location"


class Kind(Enum):
    TEXT = "text"
    CODE = "code"  # text, upper-cased: code lists are case-insensitive in practice
    DATE = "date"
    BIRTH_DATE = "birth_date"  # a date of birth: reduced to its month where settings say so
    PARTIAL_DATE = "partial_date"  # a date that may be given only in part ("zz/zz/2015")
    INT = "int"
    DECIMAL = "decimal"
    BOOL = "bool"
    ID = "id"  # a person's identifier: pseudonymised
    # The first two letters of an identifier, upper-cased, and nothing more: what kind of id
    # it is (a social worker's `SW` registration or an `XX` stand-in), beside its pseudonym.
    ID_PREFIX = "id_prefix"
    POSTCODE = "postcode"  # reduced to its district


ARROW_TYPES = {
    Kind.TEXT: pa.string(),
    Kind.CODE: pa.string(),
    Kind.DATE: pa.date32(),
    Kind.BIRTH_DATE: pa.date32(),
    Kind.PARTIAL_DATE: pa.date32(),
    Kind.INT: pa.int64(),
    Kind.DECIMAL: pa.float64(),
    Kind.BOOL: pa.bool_(),
    Kind.ID: pa.string(),
    Kind.ID_PREFIX: pa.string(),
    Kind.POSTCODE: pa.string(),
}


@dataclass(frozen=True)
class Column:
    source: str
    name: str
    kind: Kind
    key: bool = False  # a row without it cannot be placed: rejected and listed
    codes: str | None = None  # the code list (returns/codes.py) the values come from
    required: bool = False  # blank is an error in the return; the row still loads
    # A documented CSV file may leave the column out (one added after the format was first
    # documented): such a file is still recognised, and the column is loaded blank.
    optional: bool = False


@dataclass(frozen=True)
class Typed:
    """Typed rows (with `_location`), the problems found typing them, and the row counts."""

    table: pa.Table
    problems: Problems
    rows_read: int

    @property
    def rows_rejected(self) -> int:
        return self.rows_read - self.table.num_rows


def schema_of(columns: Sequence[Column]) -> pa.Schema:
    return pa.schema([(c.name, ARROW_TYPES[c.kind]) for c in columns])


@dataclass(frozen=True)
class Span:
    """Superseded when a newer return's period overlaps [start, end] (end blank: still open),
    and, when `restated`, also by any newer return holding a row with the same keys: an event
    a later return lists again though it lies before that return's year (the CIN census's
    reviews of a plan still open), where the older copy would otherwise stay beside it."""

    start: str
    end: str
    restated: bool = False


@dataclass(frozen=True)
class Follows:
    """Kept exactly when the parent row with the same keys, from the same return, is kept."""

    parent: str
    keys: tuple[str, ...]


@dataclass(frozen=True)
class Newest:
    """One LA's rows for a key come from the newest return that has the key."""

    key: str


@dataclass(frozen=True)
class Keep:
    """Replaced only by a resubmission of its own return; nothing newer supersedes it."""


Merge = Span | Follows | Newest | Keep


@dataclass(frozen=True)
class TableSpec:
    """A warehouse table: the return kind it comes from, its columns and how returns merge."""

    name: str
    kind: ReturnKind
    columns: tuple[Column, ...]
    merge: Merge
    # Columns (with `la_code`) a reader takes one of each of: the warehouse records, for each
    # snapshot, whether its rows already hold no two alike on them (`Snapshot.holds_distinct`),
    # so that reader need not hash every row to find out.
    distinct_on: tuple[str, ...] = ()

    @property
    def schema(self) -> pa.Schema:
        """The columns, plus whose return (`la_code`) and which year (`return_year`)."""
        return (
            schema_of(self.columns)
            .insert(0, pa.field("la_code", pa.string()))
            .append(pa.field("return_year", pa.int32()))
        )

    @property
    def sources(self) -> frozenset[str]:
        return frozenset(c.source for c in self.columns)


def _convert(
    text: pa.Array, column: Column, *, where: Where, ids: Pseudonymiser
) -> tuple[pa.Array, pa.Table | None]:
    """A cleaned text column as its kind says (see `columns.clean_text`)."""
    field = column.source
    raw = Text(text)
    match column.kind:
        case Kind.TEXT:
            return text, None
        case Kind.CODE:
            return pc.utf8_upper(text), None
        case Kind.DATE | Kind.BIRTH_DATE:
            return to_date(raw, where=where, field=field)
        case Kind.PARTIAL_DATE:
            return to_date(raw, where=where, field=field, partial=True)
        case Kind.INT:
            return to_number(raw, pa.int64(), where=where, field=field)
        case Kind.DECIMAL:
            return to_number(raw, pa.float64(), where=where, field=field)
        case Kind.BOOL:
            return to_bool(raw, where=where, field=field)
        case Kind.ID:
            return ids.column(text), None
        case Kind.ID_PREFIX:
            return pc.utf8_upper(pc.utf8_slice_codeunits(text, 0, 2)), None
        case Kind.POSTCODE:
            return postcode_district(text), None
        case _:
            assert_never(column.kind)


def build(
    cells: Mapping[str, pa.Array],
    columns: Sequence[Column],
    *,
    file: str,
    table: str,
    locations: pa.Array,
    ids: Pseudonymiser,
) -> Typed:
    """Type every column; a row whose key is blank or unreadable is rejected and listed."""
    n = len(locations)
    where = Where(file, table, locations)
    problems = Problems()
    arrays: dict[str, pa.Array] = {}
    keep = pa.repeat(pa.scalar(True), n)
    for column in columns:
        raw = cells.get(column.source)
        if raw is None:
            arrays[column.name] = pa.nulls(n, ARROW_TYPES[column.kind])
            if n and (column.key or column.required):
                problems.extend(column_missing(column, file=file, table=table, rows=n))
            if column.key:
                keep = pa.repeat(pa.scalar(False), n)
            continue
        text = clean_text(raw)
        arrays[column.name], found = _convert(text, column, where=where, ids=ids)
        if found is not None and found.num_rows:
            problems.extend(found)
        blank = pc.is_null(text)
        if column.key:
            missing = pc.and_(pc.is_null(arrays[column.name]), keep)
            problems.extend(
                bad_cells(
                    pc.fill_null(text, ""),
                    missing,
                    where=where,
                    field=column.source,
                    rule=Reading.KEY_MISSING,
                    expected="usable",
                    outcome=f"{column.source} is needed to identify the record; row not loaded",
                )
            )
            keep = pc.and_(keep, pc.invert(missing))
        elif column.required:
            problems.extend(
                problem_rows(
                    file=file,
                    table=table,
                    locations=locations.filter(blank),
                    field=column.source,
                    values="",
                    rule=Reading.VALUE_MISSING,
                    severity=Severity.ERROR,
                    message=f"{column.source} is blank; the return requires it",
                )
            )
    arrays[LOCATION] = locations
    schema = schema_of(columns).append(pa.field(LOCATION, pa.string()))
    typed = pa.table(arrays, schema=schema).filter(keep)
    return Typed(typed, problems, n)


def column_missing(column: Column, *, file: str, table: str, rows: int) -> pa.Table:
    outcome = "no row can be loaded" if column.key else "every row has it blank"
    return problem_rows(
        file=file,
        table=table,
        locations=pa.array(["file"]),
        field=column.source,
        values="",
        rule=Reading.COLUMN_MISSING,
        severity=Severity.ERROR,
        message=f"column {column.source} is missing ({rows} rows); {outcome}",
    )


def check_codes(
    typed: Typed, columns: Sequence[Column], *, year: int, file: str, table_name: str
) -> Typed:
    """Hold coded columns to their code list for the year: unknown codes are blanked."""
    table = typed.table
    problems = Problems(list(typed.problems.chunks))
    for column in columns:
        if column.codes is None:
            continue
        where = Where(file, table_name, table[LOCATION].combine_chunks())
        values = table[column.name].combine_chunks()
        unknown, found = _unknown_codes(values, column, where)
        problems.extend(found)
        problems.extend(_codes_of_other_years(values, column, year, where))
        table = _blanked(table, column, unknown)
    return Typed(table, problems, typed.rows_read)


def blank_unknown_codes(
    typed: Typed, columns: Sequence[Column], *, file: str, table_name: str
) -> Typed:
    """Codes of no year blanked and listed: the part of `check_codes` that needs no year."""
    table = typed.table
    problems = Problems(list(typed.problems.chunks))
    for column in columns:
        if column.codes is None:
            continue
        where = Where(file, table_name, table[LOCATION].combine_chunks())
        unknown, found = _unknown_codes(table[column.name].combine_chunks(), column, where)
        problems.extend(found)
        table = _blanked(table, column, unknown)
    return Typed(table, problems, typed.rows_read)


def code_year_warnings(
    table: pa.Table, columns: Sequence[Column], *, year: int, file: str, table_name: str
) -> pa.Table:
    """Warnings for codes of other years' lists (the part of `check_codes` that needs the year)."""
    problems = Problems()
    where = Where(file, table_name, table[LOCATION].combine_chunks())
    for column in columns:
        if column.codes is not None:
            values = table[column.name].combine_chunks()
            problems.extend(_codes_of_other_years(values, column, year, where))
    return problems.table


def _unknown_codes(values: pa.Array, column: Column, where: Where) -> tuple[pa.Array, pa.Table]:
    assert column.codes is not None
    known = pc.is_in(values, pa.array(LISTS[column.codes].known(), pa.string()))
    unknown = pc.and_(pc.is_valid(values), pc.invert(known))
    return unknown, bad_cells(
        values,
        unknown,
        where=where,
        field=column.source,
        rule=Reading.CODE_UNKNOWN,
        expected=f"one of the {column.source} codes",
    )


def _codes_of_other_years(values: pa.Array, column: Column, year: int, where: Where) -> pa.Table:
    assert column.codes is not None
    codes = LISTS[column.codes]
    known = pc.is_in(values, pa.array(codes.known(), pa.string()))
    valid = pc.is_in(values, pa.array(codes.valid_in(year), pa.string()))
    other_year = pc.and_(known, pc.invert(valid))
    if not pc.any(other_year).as_py():
        return PROBLEM_SCHEMA.empty_table()
    return bad_cells(
        values,
        other_year,
        where=where,
        field=column.source,
        rule=Reading.CODE_YEAR,
        expected=f"one of the {column.source} codes of the {year} return",
        severity=Severity.WARNING,
        outcome="loaded as given (it is a code in other years' returns)",
    )


def _blanked(table: pa.Table, column: Column, unknown: pa.Array) -> pa.Table:
    values = table[column.name].combine_chunks()
    return table.set_column(
        table.schema.get_field_index(column.name),
        column.name,
        pc.if_else(unknown, pa.scalar(None, pa.string()), values),
    )
