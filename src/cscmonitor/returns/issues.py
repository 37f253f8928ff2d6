"""Problems found in a return, as data: one row per problem, nothing silently dropped.

Problems are kept as Arrow tables (one row per problem) so that a return with a
million bad cells costs a column of strings, not a million Python objects.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import pyarrow as pa
import pyarrow.compute as pc


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    file: str
    location: str  # "row 12" for CSV (1-based, header is row 1), an XML path, or "file"
    field: str
    value: str
    rule: str
    severity: Severity
    message: str
    table: str = ""  # the warehouse table the row was bound for, where there is one


PROBLEM_COLUMNS = ("file", "table", "location", "field", "value", "rule", "severity", "message")
PROBLEM_SCHEMA = pa.schema([(name, pa.string()) for name in PROBLEM_COLUMNS])


class ReturnError(ValueError):
    """A file that cannot be read at all; the message names the file."""


def _column(value: str | pa.Array | pa.ChunkedArray, n: int) -> pa.Array:
    if isinstance(value, str):
        return pa.array([value] * n, pa.string()) if n else pa.array([], pa.string())
    if isinstance(value, pa.ChunkedArray):
        value = value.combine_chunks()
    return pc.cast(value, pa.string())


def problem_rows(
    *,
    file: str | pa.Array,
    table: str | pa.Array,
    locations: pa.Array | pa.ChunkedArray,
    field: str | pa.Array,
    values: pa.Array | pa.ChunkedArray | str,
    rule: str | pa.Array,
    severity: Severity | pa.Array,
    message: str | pa.Array,
) -> pa.Table:
    """A table of problems, one per location; scalar arguments are repeated on every row."""
    n = len(locations)
    columns = {
        "file": _column(file, n),
        "table": _column(table, n),
        "location": _column(locations, n),
        "field": _column(field, n),
        "value": pc.fill_null(_column(values, n), ""),
        "rule": _column(rule, n),
        "severity": _column(str(severity) if isinstance(severity, Severity) else severity, n),
        "message": _column(message, n),
    }
    return pa.table(columns, schema=PROBLEM_SCHEMA)


@dataclass
class Problems:
    """The problems of one return or one ingest, in the order found."""

    chunks: list[pa.Table] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        self.chunks.append(_from_problems([problem]))

    def extend(self, problems: Problems | pa.Table | Sequence[Problem]) -> None:
        if isinstance(problems, Problems):
            self.chunks.extend(problems.chunks)
        elif isinstance(problems, pa.Table):
            if problems.num_rows:
                self.chunks.append(problems.select(PROBLEM_COLUMNS).cast(PROBLEM_SCHEMA))
        elif problems:
            self.chunks.append(_from_problems(problems))

    @property
    def table(self) -> pa.Table:
        chunks = [c for c in self.chunks if c.num_rows]
        if not chunks:
            return PROBLEM_SCHEMA.empty_table()
        return pa.concat_tables(chunks)

    def __len__(self) -> int:
        return sum(c.num_rows for c in self.chunks)

    def count(self, severity: Severity) -> int:
        return sum(
            int(pc.sum(pc.equal(c["severity"], str(severity))).as_py() or 0)
            for c in self.chunks
            if c.num_rows
        )

    @property
    def errors(self) -> int:
        return self.count(Severity.ERROR)

    @property
    def warnings(self) -> int:
        return self.count(Severity.WARNING)

    @property
    def items(self) -> list[Problem]:
        """Every problem as an object (for tests and small returns; large ones use `table`)."""
        return [
            Problem(
                file=row["file"],
                location=row["location"],
                field=row["field"],
                value=row["value"],
                rule=row["rule"],
                severity=Severity(row["severity"]),
                message=row["message"],
                table=row["table"],
            )
            for row in self.table.to_pylist()
        ]


def _from_problems(problems: Iterable[Problem]) -> pa.Table:
    rows = [
        {
            "file": p.file,
            "table": p.table,
            "location": p.location,
            "field": p.field,
            "value": p.value,
            "rule": p.rule,
            "severity": str(p.severity),
            "message": p.message,
        }
        for p in problems
    ]
    return pa.Table.from_pylist(rows, schema=PROBLEM_SCHEMA)


def for_table(problems: pa.Table, table: str) -> pa.Table:
    """Problems of a file, marked as belonging to one warehouse table."""
    at = problems.schema.get_field_index("table")
    return problems.set_column(
        at, "table", pa.repeat(pa.scalar(table, pa.string()), problems.num_rows)
    )
