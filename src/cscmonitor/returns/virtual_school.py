"""Virtual school records of children looked after (CSV; schemas in docs/virtual_school.md).

Four files, one per table, recognised by their columns: schools attended (with the
school's Ofsted grade), personal education plans (with quality ratings), attendance and
exclusions. The year is the school year, 1 September–31 August.
"""

from __future__ import annotations

from cscmonitor.returns.checks import virtual_school as checks
from cscmonitor.returns.documented import CsvFormat, CsvTable
from cscmonitor.returns.kind import ReturnKind
from cscmonitor.returns.schema import Column, Kind, Span

CHILD = Column("CHILD_ID", "child_id", Kind.ID, key=True)
SCHOOLS = (
    CHILD,
    Column("URN", "urn", Kind.CODE, required=True),
    Column("SCHOOL_NAME", "school_name", Kind.TEXT),
    Column("PHASE", "phase", Kind.CODE, codes="school_phase"),
    Column("OFSTED_GRADE", "ofsted_grade", Kind.INT),
    Column("OFSTED_DATE", "ofsted_date", Kind.DATE),
    Column("START_DATE", "start_date", Kind.DATE, key=True),
    Column("END_DATE", "end_date", Kind.DATE),
)
PEPS = (
    CHILD,
    Column("PEP_DATE", "pep_date", Kind.DATE, key=True),
    Column("QUALITY_RATING", "quality_rating", Kind.CODE, codes="pep_rating"),
    Column("AUDIT_DATE", "audit_date", Kind.DATE),
)
ATTENDANCE = (
    CHILD,
    Column("START_DATE", "start_date", Kind.DATE, key=True),
    Column("END_DATE", "end_date", Kind.DATE, required=True),
    Column("POSSIBLE_SESSIONS", "possible_sessions", Kind.INT, required=True),
    Column("ATTENDED_SESSIONS", "attended_sessions", Kind.INT, required=True),
)
EXCLUSIONS = (
    CHILD,
    Column("START_DATE", "start_date", Kind.DATE, key=True),
    Column("EXCLUSION_TYPE", "kind", Kind.CODE, codes="exclusion_kind", required=True),
    Column("SESSIONS", "sessions", Kind.DECIMAL),
)
CSV = CsvFormat(
    ReturnKind.VIRTUAL_SCHOOL,
    (
        CsvTable("vs_schools", SCHOOLS, Span("start_date", "end_date"), ("start_date", "end_date")),
        CsvTable("vs_peps", PEPS, Span("pep_date", "pep_date"), ("pep_date",)),
        CsvTable(
            "vs_attendance", ATTENDANCE, Span("start_date", "end_date"), ("start_date", "end_date")
        ),
        CsvTable("vs_exclusions", EXCLUSIONS, Span("start_date", "start_date"), ("start_date",)),
    ),
    year_starts=(9, 1),
)
FORMAT = CSV.as_format("Virtual school", checks.RULES, needs=("vs_schools",))
TABLES = FORMAT.tables
