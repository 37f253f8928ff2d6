"""What a parser hands on: typed tables for one return, where each came from, what was wrong."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from cscmonitor.returns.issues import Problems
from cscmonitor.returns.kind import ReturnKind
from cscmonitor.returns.schema import LOCATION, Typed
from cscmonitor.returns.staged import Table


@dataclass(frozen=True)
class ReturnInfo:
    """One statutory return: whose, which collection year, and the period it covers."""

    la_code: str
    kind: ReturnKind
    year: int  # the calendar year the collection period ends in
    period_start: dt.date
    period_end: dt.date


@dataclass(frozen=True)
class TableCount:
    """Rows of one table from one file: read = loaded + rejected."""

    file: str
    table: str
    read: int
    loaded: int

    @property
    def rejected(self) -> int:
        return self.read - self.loaded


@dataclass
class Parsed:
    """One return: typed tables (with the hidden `_location` column) and its problems.

    A table is in memory, or staged in a scratch folder when it came from a file read a
    block at a time (`returns.staged`)."""

    info: ReturnInfo
    tables: dict[str, Table]
    problems: Problems = field(default_factory=Problems)
    files: dict[str, str] = field(default_factory=dict)  # file -> sha256
    sources: dict[str, str] = field(default_factory=dict)  # table -> the file it came from
    rows_read: dict[str, int] = field(default_factory=dict)

    def counts(self) -> list[TableCount]:
        return [
            TableCount(self.sources.get(name, ""), name, self.rows_read[name], table.num_rows)
            for name, table in self.tables.items()
            if name in self.rows_read
        ]

    def add(self, name: str, typed: Typed, file: str, info: ReturnInfo) -> None:
        """A typed table of this return, with whose and which year it is."""
        self.tables[name] = with_return(typed.table, info)
        self.problems.extend(typed.problems)
        self.sources[name] = file
        self.rows_read[name] = typed.rows_read


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def with_return(table: pa.Table, info: ReturnInfo) -> pa.Table:
    """Every warehouse row says whose return it came from and which year."""
    n = table.num_rows
    table = table.add_column(0, "la_code", pa.repeat(pa.scalar(info.la_code, pa.string()), n))
    at = table.schema.get_field_index(LOCATION)
    year = pa.repeat(pa.scalar(info.year, pa.int32()), n)
    if at < 0:
        return table.append_column("return_year", year)
    return table.add_column(at, "return_year", year)
