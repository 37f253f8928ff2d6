"""Ingest: returns found and parsed, problems listed with file, row and field, nothing lost."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from cscmonitor.ingest import ingest
from cscmonitor.returns.issues import ReturnError
from cscmonitor.warehouse import Warehouse
from tests.conftest import DATA, SAMPLES


def test_samples_ingest_without_error(settings):
    if not SAMPLES.exists():
        pytest.skip(f"shared samples not found at {SAMPLES}")
    report = ingest([SAMPLES / "ssda903", SAMPLES / "cin_census"], settings, la_code="201")
    assert report.problems.errors == 0
    counts = report.result.snapshot.manifest["row_counts"]
    assert counts["cla_episodes"] == 5050  # every row of the sample episodes file
    assert counts["cla_children"] == 2675
    # The 2024 sample names its LA in the header (LEA 201) and mixes ReferralNFA spellings.
    referrals = Warehouse(settings.warehouse_dir).read("cin_referrals").to_pydict()
    assert set(referrals["la_code"]) == {"201"}
    assert None not in referrals["referral_nfa"]


def test_reingesting_the_same_files_changes_nothing(settings):
    first = ingest([DATA / "rereferrals"], settings)
    again = ingest([DATA / "rereferrals"], settings)
    assert not again.result.changed
    assert again.result.snapshot.id == first.result.snapshot.id


def test_a_referral_in_two_census_years_is_held_once(settings):
    ingest([DATA / "rereferrals"], settings)
    referrals = Warehouse(settings.warehouse_dir).read("cin_referrals").to_pandas()
    # Child D's referral of 10 Jan 2015 is in both returns; the newer one (closed 1 May) wins.
    jan = referrals[referrals["referral_date"].astype(str) == "2015-01-10"]
    assert len(jan) == 1
    assert str(jan.iloc[0]["closure_date"]) == "2015-05-01"
    assert jan.iloc[0]["return_year"] == 2016


def test_children_are_pseudonymised(settings):
    ingest([DATA / "placements"], settings, la_code="999")
    children = Warehouse(settings.warehouse_dir).read("cla_children").to_pydict()
    assert not {"C1", "C2"} & set(children["child_id"])
    assert "upn" not in children and all(len(c) == 20 for c in children["child_id"])
    snapshot = Warehouse(settings.warehouse_dir).require_current().path
    assert b"A123456789012" not in b"".join(p.read_bytes() for p in snapshot.iterdir())


def test_bad_cells_are_listed_and_rows_kept(settings, tmp_path):
    folder = tmp_path / "903"
    folder.mkdir()
    (folder / "episodes.csv").write_text(
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
        "PL_POST,URN\n"
        "K1,01/05/2015,S,C2,N1,U1,PR1,31/02/2016,X1,,,,\n"
        "\n"
        ",01/06/2015,S,C2,N1,U1,PR1,,,,,,\n"
        "K3,not a date,S,C2,N1,U1,PR1,,,,,,\n"
        "K4,01/07/2015,S,C2,N1,U1,PR1,,,,,,\n"
    )
    report = ingest([folder], settings, la_code="999")
    found = {(p.location, p.field, p.rule, str(p.severity)) for p in report.problems.items}
    assert ("row 2", "DEC", "DATE_FORMAT", "warning") in found  # 31 Feb: loaded with DEC blank
    assert ("row 4", "CHILD", "KEY_MISSING", "error") in found  # blank line 3 still counted
    assert ("row 5", "DECOM", "DATE_FORMAT", "warning") in found
    assert ("row 5", "DECOM", "KEY_MISSING", "error") in found
    assert all(p.file == str(folder / "episodes.csv") for p in report.problems.items)
    episodes = Warehouse(settings.warehouse_dir).read("cla_episodes")
    assert episodes.num_rows == 2  # K1 (DEC blank) and K4; the two keyless rows are listed
    assert report.parsed[0].rows_read["cla_episodes"] == 4


def test_unreadable_file_names_the_file(settings, tmp_path):
    bad = tmp_path / "junk.csv"
    bad.write_text("A,B\n1,2\n")
    with pytest.raises(ReturnError, match=r"junk\.csv: not a return"):
        ingest([bad], settings, la_code="999")


@pytest.mark.parametrize(
    "content, message",
    [
        (
            b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaa">]><Message>&a;</Message>',
            "refused",
        ),
        (b'<?xml version="1.0"?><!DOCTYPE m SYSTEM "file:///etc/passwd"><Message/>', "refused"),
        (b"<Message><Header>", "not well-formed"),
        (b"", "not well-formed"),
    ],
)
def test_hostile_xml_is_refused_with_a_clear_message(settings, tmp_path, content, message):
    path = tmp_path / "census.xml"
    path.write_bytes(content)
    with pytest.raises(ReturnError, match=message):
        ingest([path], settings)
    assert Warehouse(settings.warehouse_dir).current() is None


def test_a_failed_ingest_keeps_the_previous_snapshot(settings, monkeypatch):
    first = ingest([DATA / "rereferrals"], settings).result.snapshot
    calls = {"n": 0}
    real = pq.write_table

    def crash_midway(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(pq, "write_table", crash_midway)
    with pytest.raises(OSError, match="disk full"):
        ingest([DATA / "repeat_plans"], settings)
    monkeypatch.undo()
    warehouse = Warehouse(settings.warehouse_dir)
    assert warehouse.require_current().id == first.id
    assert warehouse.read("cin_referrals").num_rows == first.manifest["row_counts"]["cin_referrals"]
    # The next ingest goes through and moves the pointer.
    assert ingest([DATA / "repeat_plans"], settings).result.snapshot.id != first.id


def test_a_resubmitted_return_replaces_the_one_held(settings, tmp_path):
    folder = tmp_path / "workforce"
    shutil.copytree(DATA / "workforce", folder)
    ingest([folder], settings, la_code="999")
    path = folder / "workforce_2015.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([*lines[:3], lines[9]]) + "\n")  # W1, W2 and W10 (started 30 Sep)
    again = ingest([folder], settings, la_code="999")
    assert again.parsed[0].info.year == 2015
    workers = Warehouse(settings.warehouse_dir).read("sw_workers")
    assert workers.num_rows == 3


def test_missing_path_is_named(settings):
    with pytest.raises(ReturnError, match=r"nowhere\.xml: no such file"):
        ingest([Path("nowhere.xml")], settings)
