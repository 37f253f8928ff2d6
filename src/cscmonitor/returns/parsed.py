"""What a parser hands to the warehouse: typed tables for one return, and what was wrong."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from cscmonitor.returns.issues import Problem


@dataclass(frozen=True)
class ReturnInfo:
    """One statutory return: whose, which collection year, and the period it covers."""

    la_code: str
    kind: str  # "cin", "ssda903" or "workforce"
    year: int  # the calendar year the collection period ends in
    period_start: dt.date
    period_end: dt.date


@dataclass
class Parsed:
    info: ReturnInfo
    tables: dict[str, pa.Table]
    problems: list[Problem] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # file name -> sha256
    rows_read: dict[str, int] = field(default_factory=dict)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def with_return(table: pa.Table, info: ReturnInfo) -> pa.Table:
    """Every warehouse row says whose return it came from and which year."""
    n = table.num_rows
    return table.add_column(0, "la_code", pa.array([info.la_code] * n, pa.string())).append_column(
        "return_year", pa.array([info.year] * n, pa.int32())
    )
