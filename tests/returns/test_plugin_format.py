"""A return format registered from outside the package (here, the test suite) is ingested,
checked, stored and reported with no other change to the source: the registry is the door
the built-in formats use too."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cscmonitor.ingest import ingest
from cscmonitor.returns import catalog
from cscmonitor.returns.checks import Rule
from cscmonitor.returns.checks.reference import validation_markdown
from cscmonitor.returns.documented import CsvFormat, CsvTable
from cscmonitor.returns.issues import Severity
from cscmonitor.returns.kind import ReturnKind
from cscmonitor.returns.schema import Column, Kind, Span
from cscmonitor.warehouse import Warehouse

TOY = ReturnKind.add("toy_visits")
VISITS = (
    Column("CHILD_ID", "child_id", Kind.ID, key=True),
    Column("VISIT_DATE", "visit_date", Kind.DATE, key=True),
    Column("VISITOR", "visitor", Kind.TEXT),
)
NO_VISITOR = Rule(
    "TOY_VISIT_WITHOUT_VISITOR",
    TOY,
    Severity.WARNING,
    "the visit on {value} names no VISITOR",
    ("toy_visits",),
    "SELECT _location, 'VISITOR' AS field, visit_date AS value FROM toy_visits "
    "WHERE visitor IS NULL",
)
FORMAT = CsvFormat(
    TOY,
    (CsvTable("toy_visits", VISITS, Span("visit_date", "visit_date"), ("visit_date",)),),
    year_starts=(4, 1),
).as_format("Toy visits", (NO_VISITOR,), needs=("toy_visits",))


@pytest.fixture
def toy() -> Iterator[None]:
    catalog.register(FORMAT)
    try:
        yield
    finally:
        catalog.unregister(TOY)


def test_a_registered_format_is_ingested_checked_and_reported(toy, settings, tmp_path: Path):
    folder = tmp_path / "toy"
    folder.mkdir()
    # Three visits in the year to 31 March 2016: V2 names no visitor (the toy rule's one
    # problem); V3 has no readable date (its key), so it is rejected with KEY_MISSING.
    (folder / "visits.csv").write_text(
        "CHILD_ID,VISIT_DATE,VISITOR\nV1,01/05/2015,Ann\nV2,01/06/2015,\nV3,not a date,Bob\n"
    )
    report = ingest([folder], settings, la_code="999")

    (parsed,) = report.parsed
    assert (parsed.info.kind, parsed.info.year) == (TOY, 2016)
    found = {(p.rule, p.location, p.severity) for p in report.problems.items}
    assert ("TOY_VISIT_WITHOUT_VISITOR", "row 3", Severity.WARNING) in found
    assert ("KEY_MISSING", "row 4", Severity.ERROR) in found
    (summary,) = report.summary.to_pylist()
    assert (summary["table"], summary["rows_read"], summary["rows_loaded"]) == ("toy_visits", 3, 2)

    warehouse = Warehouse(settings.warehouse_dir)
    assert warehouse.read("toy_visits").num_rows == 2  # V1 and V2
    assert warehouse.read("returns").to_pylist()[0]["kind"] == "toy_visits"
    # The report written to disk names the rule too.
    assert "TOY_VISIT_WITHOUT_VISITOR" in report.report_files[0].read_text()
    # The validation page lists the format's rule; the catalogue holds its code.
    assert "| `TOY_VISIT_WITHOUT_VISITOR` | Toy visits | warning |" in validation_markdown()
    assert catalog.problem_codes()["TOY_VISIT_WITHOUT_VISITOR"] is Severity.WARNING


def test_a_format_gone_leaves_the_registry_as_it_was(toy):
    catalog.unregister(TOY)
    try:
        assert "toy_visits" not in catalog.TABLES
        assert "TOY_VISIT_WITHOUT_VISITOR" not in catalog.problem_codes()
    finally:
        catalog.register(FORMAT)


def test_a_rule_may_not_take_a_reading_problem_code():
    with pytest.raises(ValueError, match="two rules with code FILE_UNREADABLE"):
        catalog.register(
            CsvFormat(ReturnKind.add("toy_clash"), (), year_starts=(4, 1)).as_format(
                "Clash",
                (
                    Rule(
                        "FILE_UNREADABLE",
                        ReturnKind("toy_clash"),
                        Severity.ERROR,
                        "m",
                        ("x",),
                        "SELECT 1",
                    ),
                ),
            )
        )
    assert ReturnKind("toy_clash") not in catalog.FORMATS
