"""Early help episodes (CSV; schema in docs/early_help.md).

One file per year (1 April–31 March, like the CIN census) listing every early help
episode open at any time in the year: the request for help, the early help assessment,
the lead agency, and how and when the episode closed.
"""

from __future__ import annotations

from cscmonitor.returns.checks import early_help as checks
from cscmonitor.returns.documented import CsvFormat, CsvTable
from cscmonitor.returns.kind import ReturnKind
from cscmonitor.returns.schema import Column, Kind, Span

EPISODES = (
    Column("CHILD_ID", "child_id", Kind.ID, key=True),
    Column("DOB", "birth_date", Kind.BIRTH_DATE),
    Column("REQUEST_DATE", "request_date", Kind.DATE, key=True),
    Column("ASSESSMENT_START_DATE", "assessment_start_date", Kind.DATE),
    Column("ASSESSMENT_COMPLETED_DATE", "assessment_completed_date", Kind.DATE),
    Column("LEAD_AGENCY", "lead_agency", Kind.CODE, codes="lead_agency"),
    Column("CLOSURE_DATE", "closure_date", Kind.DATE),
    Column("CLOSURE_REASON", "closure_reason", Kind.CODE, codes="eh_closure_reason"),
)
CSV = CsvFormat(
    ReturnKind.EARLY_HELP,
    (
        CsvTable(
            "eh_episodes",
            EPISODES,
            Span("request_date", "closure_date"),
            ("request_date", "assessment_start_date", "assessment_completed_date", "closure_date"),
        ),
    ),
    year_starts=(4, 1),
)
FORMAT = CSV.as_format("Early help", checks.RULES, needs=("eh_episodes",))
TABLES = FORMAT.tables
