"""Helpers for the returns tests: a parsed return made from rows written out by hand."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa
import pytest

from cscmonitor.returns import catalog
from cscmonitor.returns.parsed import Parsed, ReturnInfo
from cscmonitor.returns.schema import LOCATION

PERIOD_START = {"cin": (4, 1), "ssda903": (4, 1), "early_help": (4, 1)}
PERIOD_START |= {"workforce": (10, 1), "virtual_school": (9, 1)}


def _value(value: Any, kind: pa.DataType) -> Any:
    if isinstance(value, str) and pa.types.is_date32(kind):
        return dt.date.fromisoformat(value)
    return value


def make_return(
    kind: str, year: int, tables: Mapping[str, Sequence[Mapping[str, Any]]], la_code: str = "999"
) -> Parsed:
    """A return of `kind` for `year` holding the given rows (missing columns are blank).

    Each row may name its `_location`; otherwise it is "<table> <n>" (1-based).
    """
    month, day = PERIOD_START[kind]
    start = dt.date(year - 1, month, day)
    end = dt.date(year, month, day) - dt.timedelta(days=1)
    info = ReturnInfo(la_code, kind, year, start, end)
    parsed = Parsed(info, {})
    for name, rows in tables.items():
        schema = catalog.TABLES[name].schema.append(pa.field(LOCATION, pa.string()))
        full = []
        for n, row in enumerate(rows, start=1):
            values = {f.name: _value(row.get(f.name), f.type) for f in schema if f.name != LOCATION}
            values |= {"la_code": la_code, "return_year": year}
            values[LOCATION] = row.get(LOCATION, f"{name} {n}")
            full.append(values)
        parsed.tables[name] = pa.Table.from_pylist(full, schema=schema)
        parsed.sources[name] = f"{name}.csv"
        parsed.rows_read[name] = len(rows)
    return parsed


@pytest.fixture
def returns():
    return make_return
