"""Social work workforce records (CSV; schemas in docs/workforce.md).

Two files, recognised by their columns: worker-level records, one file per year as at
30 September, listing every worker in post at any time in the 12 months to that date
(modelled on DfE's children's social work workforce census); and the LA's vacancies,
one row per date, as the census collects them. Worker ids are pseudonymised like
children's.
"""

from __future__ import annotations

import datetime as dt

from cscmonitor.returns.documented import CsvFormat, CsvTable
from cscmonitor.returns.schema import Column, Kind, Span

WORKERS = (
    Column("WORKER_ID", "worker_id", Kind.ID, key=True),
    Column("AGENCY", "agency", Kind.BOOL, required=True),
    Column("ROLE", "role", Kind.INT, required=True),
    Column("REGISTERED", "registered", Kind.BOOL, required=True),
    Column("FTE", "fte", Kind.DECIMAL, required=True),
    Column("START_DATE", "start_date", Kind.DATE, key=True),
    Column("LEFT_DATE", "left_date", Kind.DATE),
    Column("REASON_LEFT", "reason_left", Kind.CODE, codes="reason_left"),
    Column("CASES", "cases", Kind.INT),
)
VACANCIES = (
    Column("DATE", "date", Kind.DATE, key=True),
    Column("VACANT_FTE", "vacant_fte", Kind.DECIMAL, required=True),
    Column("AGENCY_COVER_FTE", "agency_cover_fte", Kind.DECIMAL),
)
FORMAT = CsvFormat(
    "workforce",
    (
        CsvTable(
            "sw_workers", WORKERS, Span("start_date", "left_date"), ("start_date", "left_date")
        ),
        CsvTable("sw_vacancies", VACANCIES, Span("date", "date"), ("date",)),
    ),
    year_starts=(10, 1),
)
SIGNATURE = FORMAT.tables[0].signature
TABLES = FORMAT.specs


def is_workforce(columns: set[str]) -> bool:
    return FORMAT.recognise(columns) is not None


def collection_year(latest: dt.date) -> int:
    """The workforce year (1 October–30 September) holding a date, named by the year it ends."""
    return FORMAT.collection_year(latest)
