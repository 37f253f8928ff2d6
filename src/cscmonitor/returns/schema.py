"""Declarative column specs: text cells in, typed and pseudonymised Arrow columns out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import assert_never

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cscmonitor.privacy import Pseudonymiser, postcode_district
from cscmonitor.returns.columns import clean_text, to_bool, to_date, to_number
from cscmonitor.returns.issues import Problem, Severity


class Kind(Enum):
    TEXT = "text"
    CODE = "code"  # text, upper-cased: code lists are case-insensitive in practice
    DATE = "date"
    INT = "int"
    DECIMAL = "decimal"
    BOOL = "bool"
    ID = "id"  # a person's identifier: pseudonymised
    POSTCODE = "postcode"  # reduced to its district


ARROW_TYPES = {
    Kind.TEXT: pa.string(),
    Kind.CODE: pa.string(),
    Kind.DATE: pa.date32(),
    Kind.INT: pa.int64(),
    Kind.DECIMAL: pa.float64(),
    Kind.BOOL: pa.bool_(),
    Kind.ID: pa.string(),
    Kind.POSTCODE: pa.string(),
}


@dataclass(frozen=True)
class Column:
    source: str
    name: str
    kind: Kind
    key: bool = False


@dataclass(frozen=True)
class Typed:
    table: pa.Table
    problems: list[Problem]
    rows_read: int


def schema_of(columns: Sequence[Column]) -> pa.Schema:
    return pa.schema([(c.name, ARROW_TYPES[c.kind]) for c in columns])


@dataclass(frozen=True)
class Span:
    """Superseded when a newer return's period overlaps [start, end] (end blank: still open)."""

    start: str
    end: str


@dataclass(frozen=True)
class Follows:
    """Kept exactly when the parent row with the same keys, from the same return, is kept."""

    parent: str
    keys: tuple[str, ...]


@dataclass(frozen=True)
class Newest:
    """One row per LA and key: the newest return's."""

    key: str


Merge = Span | Follows | Newest


@dataclass(frozen=True)
class TableSpec:
    """A warehouse table: the return kind it comes from, its columns and how returns merge."""

    name: str
    kind: str
    columns: tuple[Column, ...]
    merge: Merge

    @property
    def schema(self) -> pa.Schema:
        """The columns, plus whose return (`la_code`) and which year (`return_year`)."""
        return (
            schema_of(self.columns)
            .insert(0, pa.field("la_code", pa.string()))
            .append(pa.field("return_year", pa.int32()))
        )


def _convert(
    raw: pa.Array, column: Column, *, file: str, locations: Sequence[str], ids: Pseudonymiser
) -> tuple[pa.Array, list[Problem]]:
    field = column.source
    match column.kind:
        case Kind.TEXT:
            return clean_text(raw), []
        case Kind.CODE:
            return pc.utf8_upper(clean_text(raw)), []
        case Kind.DATE:
            return to_date(raw, file=file, field=field, locations=locations)
        case Kind.INT:
            return to_number(raw, pa.int64(), file=file, field=field, locations=locations)
        case Kind.DECIMAL:
            return to_number(raw, pa.float64(), file=file, field=field, locations=locations)
        case Kind.BOOL:
            return to_bool(raw, file=file, field=field, locations=locations)
        case Kind.ID:
            return ids.column(clean_text(raw)), []
        case Kind.POSTCODE:
            return postcode_district(clean_text(raw)), []
        case _:
            assert_never(column.kind)


def build(
    cells: dict[str, pa.Array],
    columns: Sequence[Column],
    *,
    file: str,
    locations: Sequence[str],
    ids: Pseudonymiser,
) -> Typed:
    """Type every column; a row whose key is blank or unreadable is rejected and listed."""
    n = len(locations)
    problems: list[Problem] = []
    arrays: dict[str, pa.Array] = {}
    for column in columns:
        raw = cells.get(column.source)
        if raw is None:
            arrays[column.name] = pa.nulls(n, ARROW_TYPES[column.kind])
            continue
        arrays[column.name], found = _convert(raw, column, file=file, locations=locations, ids=ids)
        problems += found
    keep = np.ones(n, dtype=bool)
    for column in columns:
        if column.key:
            missing = pc.is_null(arrays[column.name]).to_numpy(zero_copy_only=False)
            for i in np.flatnonzero(missing & keep).tolist():
                raw_value = cells.get(column.source)
                value = "" if raw_value is None else str(raw_value[i].as_py() or "")
                problems.append(
                    Problem(
                        file,
                        locations[i],
                        column.source,
                        value,
                        "KEY_MISSING",
                        Severity.ERROR,
                        f"{column.source} is needed to identify the record; row not loaded",
                    )
                )
            keep &= ~missing
    table = pa.table(arrays, schema=schema_of(columns)).filter(pa.array(keep))
    return Typed(table, problems, n)
