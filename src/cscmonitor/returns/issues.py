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


class Reading(StrEnum):
    """The problems found reading a file, before any rule runs, and merging the returns
    (rules have their own codes; `returns.catalog.problem_codes` lists both)."""

    FILE_UNREADABLE = "FILE_UNREADABLE"
    ROW_SHAPE = "ROW_SHAPE"
    COLUMN_MISSING = "COLUMN_MISSING"
    COLUMNS_IGNORED = "COLUMNS_IGNORED"
    KEY_MISSING = "KEY_MISSING"
    VALUE_MISSING = "VALUE_MISSING"
    DATE_FORMAT = "DATE_FORMAT"
    NUMBER_FORMAT = "NUMBER_FORMAT"
    BOOLEAN_FORMAT = "BOOLEAN_FORMAT"
    CODE_UNKNOWN = "CODE_UNKNOWN"
    CODE_YEAR = "CODE_YEAR"
    XML_UNKNOWN_ELEMENT = "XML_UNKNOWN_ELEMENT"
    XML_REPEATED = "XML_REPEATED"
    XML_STRAY_TEXT = "XML_STRAY_TEXT"
    RETURN_MISSING = "RETURN_MISSING"
    NOT_LISTED = "NOT_LISTED"

    @property
    def severity(self) -> Severity:
        warnings = {
            Reading.COLUMNS_IGNORED,
            Reading.CODE_YEAR,
            Reading.XML_UNKNOWN_ELEMENT,
            Reading.XML_REPEATED,
            Reading.XML_STRAY_TEXT,
            Reading.RETURN_MISSING,
            Reading.NOT_LISTED,
        }
        return Severity.WARNING if self in warnings else Severity.ERROR

    @property
    def meaning(self) -> str:
        return MEANINGS[self]


MEANINGS = {
    Reading.FILE_UNREADABLE: "The file could not be read: empty, binary, not well-formed, a "
    "DTD or entities (refused), over a size limit, not a return cscmonitor recognises, or "
    "its LA or year unknown.",
    Reading.ROW_SHAPE: "A CSV row with more or fewer cells than the header; not loaded.",
    Reading.COLUMN_MISSING: "A column the table needs is not in the file.",
    Reading.COLUMNS_IGNORED: "Columns that are not part of the table (their names are "
    "listed, never their values).",
    Reading.KEY_MISSING: "The row's key is blank or unreadable; the row is rejected.",
    Reading.VALUE_MISSING: "A value the return requires is blank; the row loads.",
    Reading.DATE_FORMAT: "Not a date between 1900 and 2099. Read: `dd/mm/yyyy`, "
    "`yyyy-mm-dd`, `d/m/yyyy`, `dd-mm-yyyy`, `dd.mm.yyyy`, `yyyy/mm/dd`, `01-Feb-2015`, "
    "`1 February 2015`, a date followed by a time (`01/02/2015 00:00:00`), and Excel serial "
    "numbers (10000 to 80000). Two-digit years are refused.",
    Reading.NUMBER_FORMAT: "Not a number (or not a whole number where one is needed).",
    Reading.BOOLEAN_FORMAT: "Not `true`/`false`, `1`/`0`, `Y`/`N` or `yes`/`no`.",
    Reading.CODE_UNKNOWN: "Not a code of the field's code list in any year; loaded blank.",
    Reading.CODE_YEAR: "A code of the field's list, but not in the return's year; loaded as given.",
    Reading.XML_UNKNOWN_ELEMENT: "An element that is not part of the return; listed once "
    "per name with a count and its first place.",
    Reading.XML_REPEATED: "An element given twice where the return has one; the last is loaded.",
    Reading.XML_STRAY_TEXT: "Text outside any element (as in "
    "`<UPNunknown>UN3</UPNunknown>PersonBirthDate`); ignored.",
    Reading.RETURN_MISSING: "Once merged, the warehouse holds an LA's returns of one kind for "
    "years before and after this one, but not this one: the earlier return's open rows are "
    "kept, and every figure whose period or lookback reaches into the year has status "
    "`return missing`.",
    Reading.NOT_LISTED: "A rule found more problems in a file than the report lists "
    "(`CSCMONITOR_MAX_PROBLEMS_PER_RULE`, 1,000 by default): the first are listed, and this "
    "row counts the rest. The summary's errors and warnings count every problem.",
}


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


# What a problem is counted by: (file, table, rule, severity).
CountKey = tuple[str, str, str, str]


@dataclass
class Problems:
    """The problems of one return or one ingest, in the order found.

    With a `cap`, at most that many problems of each rule are listed per file, as a
    validator does; the rest are only counted, and `table` ends with a `NOT_LISTED` row
    saying how many. Counts (`errors`, `warnings`, `counts`) include every problem.
    """

    chunks: list[pa.Table] = field(default_factory=list)
    cap: int | None = None
    # Problems counted but not listed, and how many are listed per (file, rule).
    unlisted: dict[CountKey, int] = field(default_factory=dict)
    listed: dict[tuple[str, str], int] = field(default_factory=dict)

    def add(self, problem: Problem) -> None:
        self._append(_from_problems([problem]))

    def extend(self, problems: Problems | pa.Table | Sequence[Problem]) -> None:
        if isinstance(problems, Problems):
            for chunk in problems.chunks:
                self._append(chunk)
            for key, n in problems.unlisted.items():
                self.count_unlisted(key, n)
        elif isinstance(problems, pa.Table):
            if problems.num_rows:
                self._append(problems.select(PROBLEM_COLUMNS).cast(PROBLEM_SCHEMA))
        elif problems:
            self._append(_from_problems(problems))

    def count_unlisted(self, key: CountKey, n: int) -> None:
        """Problems found (a rule's, counted in SQL) beyond those listed."""
        if n:
            self.unlisted[key] = self.unlisted.get(key, 0) + n

    def _append(self, chunk: pa.Table) -> None:
        if not chunk.num_rows:
            return
        if self.cap is None:
            self.chunks.append(chunk)
            return
        for (file, rule), rows in _by_file_and_rule(chunk):
            room = max(self.cap - self.listed.get((file, rule), 0), 0)
            if room:
                self.chunks.append(rows.slice(0, room))
                self.listed[(file, rule)] = self.listed.get((file, rule), 0) + min(
                    room, rows.num_rows
                )
            if rows.num_rows > room:
                for key, n in _counted(rows.slice(room)).items():
                    self.count_unlisted(key, n)

    @property
    def table(self) -> pa.Table:
        """The problems listed, then a row for each rule and file with problems not listed."""
        chunks = [c for c in self.chunks if c.num_rows]
        notes = self._not_listed()
        if notes.num_rows:
            chunks.append(notes)
        if not chunks:
            return PROBLEM_SCHEMA.empty_table()
        return pa.concat_tables(chunks)

    def _not_listed(self) -> pa.Table:
        by_rule: dict[tuple[str, str], tuple[str, int]] = {}
        for (file, table, rule, _severity), n in sorted(self.unlisted.items()):
            first_table, total = by_rule.get((file, rule), (table, 0))
            by_rule[(file, rule)] = (first_table, total + n)
        return _from_problems(
            Problem(
                file,
                "file",
                "",
                str(n),
                Reading.NOT_LISTED,
                Severity.WARNING,
                f"and {n:,} more {rule} problems in this file, not listed (the first "
                f"{self.listed.get((file, rule), 0):,} are)",
                table=table,
            )
            for (file, rule), (table, n) in by_rule.items()
        )

    def counts(self) -> dict[CountKey, int]:
        """Every problem (listed or not, and the NOT_LISTED rows) by file, table, rule and
        severity."""
        found: dict[CountKey, int] = {}
        for chunk in [*self.chunks, self._not_listed()]:
            for key, n in _counted(chunk).items():
                found[key] = found.get(key, 0) + n
        for key, n in self.unlisted.items():
            found[key] = found.get(key, 0) + n
        return found

    def __len__(self) -> int:
        return sum(self.counts().values())

    def count(self, severity: Severity) -> int:
        return sum(n for key, n in self.counts().items() if key[3] == str(severity))

    @property
    def errors(self) -> int:
        return self.count(Severity.ERROR)

    @property
    def warnings(self) -> int:
        return self.count(Severity.WARNING)

    @property
    def items(self) -> list[Problem]:
        """Every problem listed as an object (for tests and small returns; large ones use
        `table`)."""
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


# Joins the columns a problem is grouped by into one text (no problem field holds it).
_SEPARATOR = "\x1f"


def _grouped(chunk: pa.Table, names: Sequence[str]) -> list[tuple[tuple[str, ...], int]]:
    """The distinct values of the columns, in the order first found, and their counts.

    Compute kernels over one joined text column, not a group-by: that loads Arrow's query
    engine, which a worker under a memory limit may be unable to load.
    """
    joined = pc.binary_join_element_wise(
        *[pc.fill_null(chunk[n].combine_chunks(), "") for n in names], _SEPARATOR
    )
    return [
        (tuple(c["values"].split(_SEPARATOR)), c["counts"])
        for c in pc.value_counts(joined).to_pylist()
    ]


def _by_file_and_rule(chunk: pa.Table) -> list[tuple[tuple[str, str], pa.Table]]:
    """A chunk's rows by file and rule, each in the order found."""
    groups = _grouped(chunk, ["file", "rule"])
    if len(groups) == 1:
        (((file, rule), _),) = groups
        return [((file, rule), chunk)]
    files, rules = chunk["file"], chunk["rule"]
    return [
        ((file, rule), chunk.filter(pc.and_(pc.equal(files, file), pc.equal(rules, rule))))
        for (file, rule), _ in groups
    ]


def _counted(chunk: pa.Table) -> dict[CountKey, int]:
    if not chunk.num_rows:
        return {}
    return {
        (file, table, rule, severity): n
        for (file, table, rule, severity), n in _grouped(
            chunk, ["file", "table", "rule", "severity"]
        )
    }


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
