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


def test_every_la_in_the_workbook_has_its_inspections(records):
    with records.unit() as session:
        loaded = ofsted.load_outcomes(session)
    # 274 history rows + 112 in-year rows less the 52 in-year short and standard inspections
    # that are also in the history = 331 inspections and visits, for 156 authorities (153
    # current ones and 3 since reorganised).
    assert (loaded.inspections, loaded.local_authorities) == (331, 156)
    codes = ofsted.ons_to_la_codes()
    with records.unit() as session:
        held = set(session.scalars(select(Inspection.la_code).distinct()))
    assert {codes[ons] for ons in _latest_sheet_las()} <= held
    assert len(held) == 156


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
    assert again.inspections == 331
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
    with records.refused("no inspection table found") as session:
        ofsted.load_outcomes(session, empty)


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
