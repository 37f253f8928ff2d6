"""Worker-level social work workforce records (CSV; schema in docs/workforce.md).

One file per year, as at 30 September, listing every worker in post at any time
in the 12 months to that date, modelled on DfE's children's social work workforce
census. Worker ids are pseudonymised like children's.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow.compute as pc

from cscmonitor.privacy import Pseudonymiser
from cscmonitor.returns.csvfile import read_csv
from cscmonitor.returns.issues import ReturnError
from cscmonitor.returns.parsed import Parsed, ReturnInfo, sha256_of, with_return
from cscmonitor.returns.schema import Column, Kind, Span, TableSpec, build

WORKERS = (
    Column("WORKER_ID", "worker_id", Kind.ID, key=True),
    Column("AGENCY", "agency", Kind.BOOL),
    Column("ROLE", "role", Kind.INT),
    Column("REGISTERED", "registered", Kind.BOOL),
    Column("FTE", "fte", Kind.DECIMAL),
    Column("START_DATE", "start_date", Kind.DATE, key=True),
    Column("LEFT_DATE", "left_date", Kind.DATE),
    Column("REASON_LEFT", "reason_left", Kind.CODE),
    Column("CASES", "cases", Kind.INT),
)
SIGNATURE = frozenset(c.source for c in WORKERS)
TABLES = (TableSpec("sw_workers", "workforce", WORKERS, Span("start_date", "left_date")),)


def is_workforce(columns: set[str]) -> bool:
    return columns >= SIGNATURE


def collection_year(latest: dt.date) -> int:
    """The workforce year (1 October–30 September) holding a date, named by the year it ends."""
    return latest.year + 1 if latest.month >= 10 else latest.year


def parse(path: Path, *, la_code: str, ids: Pseudonymiser, year: int | None = None) -> Parsed:
    text = read_csv(path)
    if not is_workforce(text.columns):
        missing = ", ".join(sorted(SIGNATURE - text.columns))
        raise ReturnError(f"{path}: not a workforce file; missing columns {missing}")
    cells = {c: text.table.column(c).combine_chunks() for c in text.table.column_names}
    typed = build(cells, WORKERS, file=str(path), locations=text.locations, ids=ids)
    if year is None:
        table = typed.table
        latest = pc.max(pc.max_element_wise(table["start_date"], table["left_date"])).as_py()
        if latest is None:
            raise ReturnError(f"{path}: no worker has a readable date; give --year")
        year = collection_year(latest)
    info = ReturnInfo(la_code, "workforce", year, dt.date(year - 1, 10, 1), dt.date(year, 9, 30))
    return Parsed(
        info,
        {"sw_workers": with_return(typed.table, info)},
        typed.problems,
        files={str(path): sha256_of(path)},
        rows_read={"sw_workers": typed.rows_read},
    )
