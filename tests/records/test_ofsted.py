"""Ofsted's published LA inspection outcomes: every LA's history, Doncaster's among them."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import func, select

from cscmonitor.records import inspections, ofsted
from cscmonitor.records.models import AuditEntry, Inspection


def _latest_sheet_las() -> set[str]:
    """The LAs (ONS codes) in the workbook's "as at 31 March" table, read independently."""
    sheet = pd.read_excel(
        ofsted.bundled_outcomes(), engine="odf", sheet_name="Inspections_as_at_31_March", header=2
    )
    return set(sheet["Local authority area code"].dropna())


def _inspection_tables() -> pd.DataFrame:
    """The workbook's inspection tables (the year's visits, then the ILACS history), read here
    with pandas alone, one row per inspection: the same LA, date and type in both sheets is one
    inspection."""
    path = ofsted.bundled_outcomes()
    sheets = [
        pd.read_excel(path, engine="odf", sheet_name=name, header=2).rename(
            columns={"Inspection/Visit date": "Inspection date", "Inspection/Visit type": "type"}
        )
        for name in ("In-year_inspections", "ILACS_inspection_history")
    ]
    rows = pd.concat(
        [s.rename(columns={"Inspection type": "type"}) for s in sheets], ignore_index=True
    )
    rows = rows[rows["Local authority area code"].notna()]
    # "LA Monitoring visit" is an ILACS visit; types differ only in case between sheets.
    rows["type"] = rows["type"].str.replace(r"^LA ", "ILACS ", regex=True).str.lower()
    return rows.drop_duplicates(["Local authority area code", "Inspection date", "type"])


AREA_COLUMNS = {
    "leaders": "The impact of leaders on social work practice with children and families",
    "help_and_protection": "The experiences and progress of children who need help and protection",
    "children_in_care": "The experiences and progress of children in care",
    "care_leavers": "The experiences and progress of care leavers",
}


def test_every_inspection_in_the_workbook_is_held_with_its_judgements(records):
    with records.unit() as session:
        loaded = ofsted.load_outcomes(session)
    expected = _inspection_tables()
    # Counted from the file: 274 history rows and 112 of the year's, less those in both.
    assert loaded.inspections == len(expected)
    assert loaded.local_authorities == expected["Local authority area code"].nunique()
    assert loaded.judgements == int(expected[list(AREA_COLUMNS.values())].notna().sum().sum())
    codes = ofsted.ons_to_la_codes()
    with records.unit() as session:
        held = session.scalars(select(Inspection)).all()
        assert (
            {i.la_code for i in held}
            == {codes[ons] for ons in expected["Local authority area code"]}
            >= {codes[ons] for ons in _latest_sheet_las()}
        )
        assert sum(i.overall is not None for i in held) == expected["Overall effectiveness"].count()
        for area, column in AREA_COLUMNS.items():
            judged = [j for i in held for j in i.judgements if j.area == area]
            assert len(judged) == expected[column].count(), area
        # Care leavers are judged apart only on inspections from 1 January 2023.
        leavers = [i.start_date for i in held if inspections.judgement_of(i, "care_leavers")]
        assert leavers and min(leavers) >= dt.date(2023, 1, 1)


def test_doncasters_history_is_there(records):
    with records.unit() as session:
        ofsted.load_outcomes(session)
    with records.unit() as session:
        held = inspections.find_inspections(session, la_code="371")
        summary = [(i.start_date, i.inspection_type, i.overall, i.theme) for i in held]
        assert summary == [
            (dt.date(2022, 2, 14), "Standard inspection", "Requires improvement to be good", None),
            (dt.date(2024, 6, 26), "Focused visit", None, "Achieving permanence"),
            (dt.date(2025, 1, 20), "Standard inspection", "Good", None),
        ]
        latest = held[-1]
        assert (latest.framework, latest.inspectorate, latest.contract_id) == (
            "ILACS",
            "ofsted",
            None,
        )
        assert latest.published_date == dt.date(2025, 3, 18)
        assert {j.area: j.judgement for j in latest.judgements} == {
            "leaders": "Good",
            "help_and_protection": "Good",
            "children_in_care": "Good",
            "care_leavers": "Requires improvement to be good",
        }


def test_loading_the_same_workbook_again_changes_nothing(records):
    with records.unit() as session:
        ofsted.load_outcomes(session)
    before = records.counts()
    with records.unit() as session:
        again = ofsted.load_outcomes(session)
    assert again.already_held
    assert again.inspections == len(_inspection_tables())
    assert records.counts() == before


def test_every_imported_row_is_audited(records):
    with records.unit() as session:
        loaded = ofsted.load_outcomes(session)
    with records.unit() as session:
        audited = session.scalar(
            select(func.count()).where(
                AuditEntry.entity.in_(["inspections", "judgements"]), AuditEntry.action == "create"
            )
        )
    assert audited == loaded.inspections + loaded.judgements


def test_a_workbook_without_an_inspection_table_is_refused(records, tmp_path):
    empty = tmp_path / "empty.ods"
    pd.DataFrame({"a": ["Nothing here"]}).to_excel(empty, engine="odf", index=False)
    with records.refused(
        "empty.ods: no inspection table found: no sheet has a 'Local authority area code' column"
    ) as session:
        ofsted.load_outcomes(session, empty)


# A workbook of a later year in the same format: a title line, then the table. From April 2026
# an inspection has no overall effectiveness grade, so the column may be gone altogether.
HISTORY = [
    "Local authority area code",
    "Local authority name",
    "Inspection date",
    "Publication date",
    "Inspection type",
    "The impact of leaders on social work practice with children and families",
    "The experiences and progress of children who need help and protection",
    "The experiences and progress of children in care",
    "The experiences and progress of care leavers",
]
DONCASTER_2026 = [
    "E08000017",
    "Doncaster",
    "2026-05-11",
    "2026-06-30",
    "ILACS Standard Inspection",
    "Good",
    "Good",
    "Outstanding",
    "Requires improvement to be good",
]
BARNSLEY_VISIT = ["E08000016", "Barnsley", "2026-06-01", "2026-07-02", "ILACS Focused Visit"]


def _workbook(path, sheets: dict[str, list[list[object]]]) -> None:
    """An ODS with each sheet's rows under a title line, as Ofsted lays its tables out."""
    with pd.ExcelWriter(path, engine="odf") as writer:
        for name, rows in sheets.items():
            width = max(len(r) for r in rows)
            padded = [r + [None] * (width - len(r)) for r in [["A title"], *rows]]
            pd.DataFrame(padded).to_excel(writer, sheet_name=name, index=False, header=False)


def test_a_later_workbook_without_overall_grades_is_read(records, tmp_path):
    later = tmp_path / "LA_Inspection_Outcomes_as_at_31_March_2027.ods"
    _workbook(later, {"ILACS_inspection_history": [HISTORY, DONCASTER_2026, BARNSLEY_VISIT]})
    with records.unit() as session:
        loaded = ofsted.load_outcomes(session, later)
    # Two rows, two LAs; the four judgements of Doncaster's inspection, none of the visit's.
    assert (loaded.inspections, loaded.judgements, loaded.local_authorities) == (2, 4, 2)
    with records.unit() as session:
        (held,) = inspections.find_inspections(session, la_code="371")
        assert (held.start_date, held.overall, held.inspection_type) == (
            dt.date(2026, 5, 11),
            None,
            "Standard inspection",
        )
        assert inspections.judgement_of(held, "care_leavers") == "Requires improvement to be good"


def test_an_overall_grade_after_march_2026_is_refused_with_its_row(records, tmp_path):
    graded = tmp_path / "graded.ods"
    _workbook(
        graded,
        {"History": [[*HISTORY, "Overall effectiveness"], [*DONCASTER_2026, "Good"]]},
    )
    with records.refused(
        "graded.ods: sheet 'History', row 3: ILACS inspection starting 11 May 2026: not graded"
    ) as session:
        ofsted.load_outcomes(session, graded)


def test_an_older_workbooks_combined_children_in_care_judgement_is_read_as_that(records, tmp_path):
    older = tmp_path / "LA_Inspection_Outcomes_as_at_31_March_2022.ods"
    headings = [*HISTORY[:-2], "The experiences and progress of children in care and care leavers"]
    row = ["E08000017", "Doncaster", "2019-02-18", "2019-04-01", "ILACS Standard Inspection"]
    _workbook(older, {"History": [headings, [*row, "Good", "Good", "Requires improvement"]]})
    with records.unit() as session:
        ofsted.load_outcomes(session, older)
    with records.unit() as session:
        (held,) = inspections.find_inspections(session, la_code="371")
        assert {j.area: j.judgement for j in held.judgements} == {
            "leaders": "Good",
            "help_and_protection": "Good",
            "children_in_care": "Requires improvement to be good",
        }


def test_a_missing_column_is_named(records, tmp_path):
    undated = tmp_path / "undated.ods"
    _workbook(
        undated,
        {"History": [[h for h in HISTORY if h != "Inspection date"], DONCASTER_2026[:2]]},
    )
    with records.refused(
        "undated.ods: sheet 'History' lists inspections but has no 'Inspection date' column "
        r"\(an inspection table needs the columns 'Local authority area code', 'Inspection "
        r"type', 'Inspection date'\)"
    ) as session:
        ofsted.load_outcomes(session, undated)
    # Only the latest judgements (no type column): nothing says which inspection each was.
    latest = tmp_path / "latest.ods"
    _workbook(latest, {"Latest": [[h for h in HISTORY if h != "Inspection type"]]})
    with records.refused(
        "latest.ods: no inspection table found: sheet 'Latest' has no 'Inspection type' column"
    ) as session:
        ofsted.load_outcomes(session, latest)


def test_a_judgement_off_the_scale_is_refused_with_its_row(records, tmp_path):
    bad = tmp_path / "bad.ods"
    table = pd.DataFrame(
        [
            ["Title", None, None, None, None],
            [
                "Local authority area code",
                "Local authority name",
                "Inspection date",
                "Inspection type",
                "Overall effectiveness",
            ],
            ["E08000017", "Doncaster", "2025-01-20", "ILACS Standard Inspection", "Brilliant"],
        ]
    )
    table.to_excel(bad, engine="odf", index=False, header=False)
    with records.refused(
        r"bad.ods: sheet 'Sheet1', row 3: 'Brilliant' is not a judgement"
    ) as session:
        ofsted.load_outcomes(session, bad)


def test_ons_codes_map_to_dfe_codes():
    codes = ofsted.ons_to_la_codes()
    assert codes["E08000017"] == "371"  # Doncaster
    assert codes["E06000028"] == "837"  # Bournemouth, before 2019
    with pytest.raises(KeyError):
        codes["E99999999"]


@pytest.mark.parametrize("name", ["junk.ods", "missing.ods"])
def test_an_unreadable_file_is_refused(records, tmp_path, name):
    (tmp_path / "junk.ods").write_text("not a spreadsheet")
    with records.refused(f"{name}: cannot be read as Ofsted's outcomes workbook") as session:
        ofsted.load_outcomes(session, tmp_path / name)


def _bomb(path, *, entries: int = 1, expanded_mb: int = 0) -> None:
    """An ODS-shaped zip: a mimetype entry, then `expanded_mb` of one repeated byte in
    content.xml (compressed about a thousandfold), and `entries` - 1 tiny extra files."""
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        with archive.open("content.xml", "w", force_zip64=True) as content:
            block = b"<" * (1 << 20)
            for _ in range(expanded_mb):
                content.write(block)
        for i in range(entries - 1):
            archive.writestr(f"extra/{i}.xml", "")


def test_an_ods_zip_bomb_is_refused_before_it_is_expanded(records, tmp_path):
    bomb = tmp_path / "bomb.ods"
    _bomb(bomb, expanded_mb=200)  # a few hundred kilobytes on disk
    assert bomb.stat().st_size < 1 << 20
    with records.refused(r"bomb.ods: expands to 200 MB; at most 64 MB are read") as session:
        ofsted.load_outcomes(session, bomb)


def test_an_ods_of_too_many_entries_is_refused(records, tmp_path):
    many = tmp_path / "many.ods"
    _bomb(many, entries=1_001)  # the mimetype and content.xml + 999 extras
    with records.refused(r"many.ods: holds 1,002 files; at most 1,000 are read") as session:
        ofsted.load_outcomes(session, many)
