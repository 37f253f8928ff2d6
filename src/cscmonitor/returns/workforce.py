"""Social work workforce records (CSV; schemas in docs/workforce.md).

Two files, recognised by their columns: worker-level records, one file per year as at
30 September, listing every worker in post at any time in the 12 months to that date
(modelled on DfE's children's social work workforce census); and the LA's vacancies,
one row per date, as the census collects them. Worker ids are pseudonymised like
children's.

A third table, `sw_caseloads`, is made from the workers file: the cases each worker in post
held on the census date (the return's last day), with their FTE then. Workers are merged one
row per employment, the newest return winning, so without it the cases a worker held at an
earlier census would be overwritten by the next year's figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from cscmonitor.privacy import Pseudonymiser
from cscmonitor.returns.checks import workforce as checks
from cscmonitor.returns.csvfile import CsvText
from cscmonitor.returns.documented import CsvFormat, CsvTable
from cscmonitor.returns.kind import ReturnKind
from cscmonitor.returns.parsed import Parsed
from cscmonitor.returns.postcodes import PostcodeLookup
from cscmonitor.returns.schema import LOCATION, Column, Kind, Span, TableSpec
from cscmonitor.returns.staged import in_memory

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
    # Added in 2026 for SW_ETHNIC_MINORITY: older files without it are read as before.
    Column("ETHNICITY", "ethnicity", Kind.CODE, codes="ethnicity", optional=True),
)
VACANCIES = (
    Column("DATE", "date", Kind.DATE, key=True),
    Column("VACANT_FTE", "vacant_fte", Kind.DECIMAL, required=True),
    Column("AGENCY_COVER_FTE", "agency_cover_fte", Kind.DECIMAL),
)
# Derived from the workers file; the sources name the columns it is made from.
CASELOADS = (
    Column("WORKER_ID", "worker_id", Kind.ID, key=True),
    Column("START_DATE", "start_date", Kind.DATE, key=True),
    Column("CENSUS_DATE", "census_date", Kind.DATE, key=True),
    Column("AGENCY", "agency", Kind.BOOL),
    Column("REGISTERED", "registered", Kind.BOOL),
    Column("FTE", "fte", Kind.DECIMAL),
    Column("CASES", "cases", Kind.INT),
)
CASELOADS_TABLE = TableSpec(
    "sw_caseloads", ReturnKind.WORKFORCE, CASELOADS, Span("census_date", "census_date")
)


@dataclass(frozen=True)
class WorkforceFormat(CsvFormat):
    """The workforce CSV files, and the caseloads at the census date made from the workers."""

    @property
    def specs(self) -> tuple[TableSpec, ...]:
        return (*super().specs, CASELOADS_TABLE)

    def parse(
        self,
        texts: Sequence[CsvText],
        *,
        la_code: str,
        ids: Pseudonymiser,
        year: int | None = None,
        postcodes: PostcodeLookup | None = None,
    ) -> list[Parsed]:
        returns = super().parse(texts, la_code=la_code, ids=ids, year=year)
        for parsed in returns:
            if "sw_workers" in parsed.tables:
                parsed.tables["sw_caseloads"] = caseloads(parsed)
        return returns


def caseloads(parsed: Parsed) -> pa.Table:
    """The workers in post on the census date with their cases then (blank cases: not known).

    In post: started on or before the census date and not left by it (leaving on the census
    date is leaving). Each row keeps the workers file's row location, so checks can point to it.
    """
    workers = in_memory(parsed.tables["sw_workers"])  # read whole: the format does not stream
    census = pa.scalar(parsed.info.period_end, pa.date32())
    in_post = pc.and_(
        pc.less_equal(workers["start_date"], census),
        pc.or_kleene(pc.is_null(workers["left_date"]), pc.greater(workers["left_date"], census)),
    )
    held = workers.filter(pc.and_(in_post, pc.is_valid(workers["cases"])))
    return pa.table(
        {
            "la_code": held["la_code"],
            **{c.name: held[c.name] for c in CASELOADS if c.name != "census_date"},
            "census_date": pa.repeat(census, held.num_rows),
            "return_year": held["return_year"],
            LOCATION: held[LOCATION],
        }
    ).select(["la_code", *(c.name for c in CASELOADS), "return_year", LOCATION])


CSV = WorkforceFormat(
    ReturnKind.WORKFORCE,
    (
        CsvTable(
            "sw_workers", WORKERS, Span("start_date", "left_date"), ("start_date", "left_date")
        ),
        CsvTable("sw_vacancies", VACANCIES, Span("date", "date"), ("date",)),
    ),
    year_starts=(10, 1),
)
FORMAT = CSV.as_format("Workforce", checks.RULES, needs=("sw_workers",))
TABLES = FORMAT.tables
