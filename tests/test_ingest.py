"""Ingest: returns found and parsed, problems listed with file, row and field, nothing lost."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pytest
from typer.testing import CliRunner

from cscmonitor import warehouse
from cscmonitor.cli import app
from cscmonitor.ingest import NothingLoaded, Refused, check, ingest
from cscmonitor.privacy import Pseudonymiser, load_key
from cscmonitor.returns.issues import ReturnError
from cscmonitor.warehouse import TableChange, Warehouse
from tests.conftest import DATA, SAMPLES

INGEST = DATA / "ingest"


def test_samples_ingest_and_every_row_is_accounted_for(settings):
    if not SAMPLES.exists():
        pytest.skip(f"shared samples not found at {SAMPLES}")
    report = ingest([SAMPLES / "ssda903", SAMPLES / "cin_census"], settings, la_code="201")
    counts = report.result.snapshot.manifest["row_counts"]
    assert counts["cla_episodes"] == 5050  # every row of the sample episodes file
    assert counts["cla_children"] == 2675
    summary = report.summary.to_pylist()
    assert all(s["rows_read"] == s["rows_loaded"] + s["rows_rejected"] for s in summary)
    assert sum(s["rows_rejected"] for s in summary) == 0
    # The 2024 sample names its LA in the header (LEA 201) and mixes ReferralNFA spellings.
    referrals = Warehouse(settings.warehouse_dir).read("cin_referrals").to_pydict()
    assert set(referrals["la_code"]) == {"201"}
    assert None not in referrals["referral_nfa"]
    # The samples are the validators' test data: they are meant to be wrong in many ways.
    rules = set(report.problems.table["rule"].to_pylist())
    assert {
        "XML_STRAY_TEXT",
        "CIN_ASSESSMENT_AUTHORISED_BEFORE_START",
        "CLA_REC_WITHOUT_DEC",
        "CODE_UNKNOWN",
    } <= rules


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


def test_children_are_pseudonymised_and_upns_and_names_never_enter(settings):
    ingest([DATA / "placements"], settings, la_code="999")
    ingest([INGEST / "ssda903", INGEST / "cin"], settings, la_code="999")
    warehouse = Warehouse(settings.warehouse_dir)
    children = warehouse.read("cla_children").to_pydict()
    assert not {"C1", "C2", "A1", "B2"} & set(children["child_id"])
    assert "upn" not in children and all(len(c) == 20 for c in children["child_id"])
    snapshot = warehouse.require_current().path
    stored = b"".join(p.read_bytes() for p in snapshot.iterdir())
    # The ignored NOTE column's "café" (Windows-1252 in the file; UTF-8 once read): not
    # b"caf" alone, which a hex checksum in the manifest may hold by chance.
    cafe = ("caf\u00e9".encode(), "caf\u00e9".encode("cp1252"))
    for secret in (b"A123456789012", b"X98765432123B", b"Alfie Example", *cafe):
        assert secret not in stored


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
    assert ("row 2", "DEC", "DATE_FORMAT", "error") in found  # 31 Feb: loaded with DEC blank
    assert ("row 4", "CHILD", "KEY_MISSING", "error") in found  # blank line 3 still counted
    assert ("row 5", "DECOM", "DATE_FORMAT", "error") in found
    assert ("row 5", "DECOM", "KEY_MISSING", "error") in found
    assert ("row 2", "REC", "CLA_REC_WITHOUT_DEC", "error") in found  # DEC was blanked
    assert all(p.file == str(folder / "episodes.csv") for p in report.problems.items)
    episodes = Warehouse(settings.warehouse_dir).read("cla_episodes")
    assert episodes.num_rows == 2  # K1 (DEC blank) and K4; the two keyless rows are listed
    assert report.parsed[0].rows_read["cla_episodes"] == 4
    (episodes_summary,) = [s for s in report.summary.to_pylist() if s["table"] == "cla_episodes"]
    assert (
        episodes_summary["rows_read"],
        episodes_summary["rows_loaded"],
        episodes_summary["rows_rejected"],
    ) == (4, 2, 2)


def test_a_file_that_cannot_be_read_is_listed_and_the_others_load(settings, tmp_path):
    shutil.copytree(INGEST / "early_help", tmp_path / "in")
    (tmp_path / "in" / "junk.csv").write_text("A,B\n1,2\n")
    (tmp_path / "in" / "broken.xml").write_text("<Message><Header>")
    report = ingest([tmp_path / "in"], settings, la_code="999")
    unreadable = {
        (Path(p.file).name, p.rule) for p in report.problems.items if p.rule == "FILE_UNREADABLE"
    }
    assert unreadable == {("junk.csv", "FILE_UNREADABLE"), ("broken.xml", "FILE_UNREADABLE")}
    assert Warehouse(settings.warehouse_dir).read("eh_episodes").num_rows == 3
    assert report.result.snapshot.manifest["validation"]["files_unreadable"] == sorted(
        [str(tmp_path / "in" / "broken.xml"), str(tmp_path / "in" / "junk.csv")]
    )


def test_unreadable_file_names_the_file(settings, tmp_path):
    bad = tmp_path / "junk.csv"
    bad.write_text("A,B\n1,2\n")
    with pytest.raises(ReturnError, match=r"junk\.csv: not a return") as caught:
        ingest([bad], settings, la_code="999")
    # Even so, the report is written.
    assert isinstance(caught.value, NothingLoaded)
    csv_file, xlsx_file = caught.value.report.report_files
    assert csv_file.exists() and xlsx_file.exists()
    assert "FILE_UNREADABLE" in csv_file.read_text()


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
    real = warehouse._durable  # each table is flushed as it lands in the snapshot's folder

    def crash_midway(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(warehouse, "_durable", crash_midway)
    with pytest.raises(OSError, match="disk full"):
        ingest([DATA / "repeat_plans"], settings)
    monkeypatch.undo()
    held = Warehouse(settings.warehouse_dir)
    assert held.require_current().id == first.id
    assert held.read("cin_referrals").num_rows == first.manifest["row_counts"]["cin_referrals"]
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


def test_caseloads_of_each_census_date_survive_the_newer_return(settings):
    # V1 held 20 cases on 30 Sep 2015 and 12 on 30 Sep 2016; the 2016 file restates V1's
    # employment, which replaces the 2015 row of sw_workers, but not the 2015 caseload.
    ingest([DATA / "vacancies"], settings, la_code="999")
    warehouse = Warehouse(settings.warehouse_dir)
    v1 = Pseudonymiser(load_key(settings)).column(pa.array(["V1"])).to_pylist()[0]
    workers = warehouse.read("sw_workers").to_pylist()
    assert [w["cases"] for w in workers if w["worker_id"] == v1] == [12]
    caseloads = warehouse.read("sw_caseloads").to_pylist()
    assert sorted((c["census_date"], c["cases"]) for c in caseloads if c["worker_id"] == v1) == [
        (dt.date(2015, 9, 30), 20),
        (dt.date(2016, 9, 30), 12),
    ]
    # Resubmitting 2016's workers (a partial update: the vacancies are not given again)
    # replaces only 2016's caseloads.
    ingest([DATA / "vacancies" / "workforce_2016.csv"], settings, la_code="999", partial=True)
    again = warehouse.read("sw_caseloads").to_pylist()
    assert sorted(c["census_date"] for c in again) == sorted(c["census_date"] for c in caseloads)


def test_missing_path_is_named(settings):
    with pytest.raises(ReturnError, match=r"nowhere\.xml: no such file"):
        ingest([Path("nowhere.xml")], settings)


class TestReport:
    def test_the_report_lists_every_problem_and_counts_that_add_up(self, settings):
        report = ingest([INGEST / "ssda903"], settings, la_code="999")
        csv_file, xlsx_file = report.report_files
        assert csv_file == settings.reports_dir / "ingest-0001.csv"
        problems = pacsv.read_csv(csv_file)
        assert problems.num_rows == len(report.problems)
        assert problems.column_names == [
            "file",
            "table",
            "location",
            "field",
            "value",
            "rule",
            "severity",
            "message",
        ]
        summary = pacsv.read_csv(settings.reports_dir / "ingest-0001-summary.csv").to_pylist()
        reviews = next(s for s in summary if s["table"] == "cla_reviews")
        assert (
            reviews["rows_read"],
            reviews["rows_loaded"],
            reviews["rows_rejected"],
            reviews["errors"],
        ) == (3, 2, 1, 2)
        book = openpyxl.load_workbook(xlsx_file, read_only=True)
        assert book.sheetnames == ["summary", "problems"]
        assert len(list(book["problems"].iter_rows())) == problems.num_rows + 1
        assert len(list(book["summary"].iter_rows())) == len(summary) + 1

    def test_a_report_larger_than_a_sheet_continues_on_more_sheets(self, settings, monkeypatch):
        from cscmonitor.returns import report as report_module

        monkeypatch.setattr(report_module, "XLSX_ROWS", 3)
        # Five problems: two on a review, two ignored columns, and the episode open at the
        # year end whose distance from home is not known (no PL_DISTANCE, no postcode lookup).
        report = ingest([INGEST / "ssda903"], settings, la_code="999")
        book = openpyxl.load_workbook(report.report_files[1], read_only=True)
        assert book.sheetnames == ["summary", "problems", "problems 2"]
        rows = [len(list(book[name].iter_rows())) - 1 for name in book.sheetnames[1:]]
        assert rows == [3, 2]

    def test_the_workbook_holds_text_never_a_formula(self, settings, tmp_path):
        from cscmonitor.returns.report import summary, write

        problems = ingest([INGEST / "ssda903"], settings, la_code="999").problems.table
        hostile = problems.set_column(
            problems.schema.get_field_index("value"),
            "value",
            pc.if_else(
                pc.equal(problems["rule"], "KEY_MISSING"),
                '=HYPERLINK("http://x","\x01click")',
                problems["value"],
            ),
        )
        _, xlsx_file = write(tmp_path, "r", summary([], hostile), hostile)
        book = openpyxl.load_workbook(xlsx_file)
        cells = [c for row in book["problems"].iter_rows() for c in row]
        hyperlink = [c for c in cells if str(c.value).startswith("=HYPERLINK")]
        assert hyperlink and all(c.data_type == "s" for c in hyperlink)
        assert all("\x01" not in str(c.value) for c in cells)


class TestPrivacySettings:
    def test_birth_dates_to_month_and_no_postcodes(self, settings):
        reduced = settings.model_copy(
            update={"birth_date_precision": "month", "postcode_precision": "none"}
        )
        ingest([INGEST / "ssda903"], reduced, la_code="999")
        warehouse = Warehouse(settings.warehouse_dir)
        births = sorted(str(d) for d in warehouse.read("cla_children")["birth_date"].to_pylist())
        assert births == ["1996-05-01", "1997-08-01", "2005-03-01", "2013-07-01"]
        episodes = warehouse.read("cla_episodes")
        assert episodes["home_post"].null_count == episodes["pl_post"].null_count == 4
        # Checks ran on the whole dates: C3 (born 1 Aug 1997) is 18 on 1 Aug 2015, the day
        # UASC ceased, which is allowed; reduced first, it would look later than his birthday.
        manifest = warehouse.require_current().manifest
        assert manifest["privacy"]["birth_date_precision"] == "month"

    def test_the_key_is_never_written_or_shown(self, settings):
        key = settings.pseudonym_key.get_secret_value()
        result = CliRunner().invoke(
            app,
            [
                "ingest",
                str(INGEST / "ssda903"),
                "--la",
                "999",
                "--data-dir",
                str(settings.data_dir),
            ],
            env={"CSCMONITOR_PSEUDONYM_KEY": key},
        )
        assert result.exit_code == 0, result.output
        assert key not in result.output
        for path in settings.data_dir.rglob("*"):
            if path.is_file():
                assert key.encode() not in path.read_bytes(), path


class TestCommands:
    runner = CliRunner()

    def invoke(self, *args: str, settings):
        return self.runner.invoke(
            app,
            [*args, "--data-dir", str(settings.data_dir)],
            env={"CSCMONITOR_PSEUDONYM_KEY": "test-key-not-secret"},
        )

    def test_ingest_prints_the_summary_and_the_report(self, settings):
        result = self.invoke("ingest", str(INGEST / "ssda903"), "--la", "999", settings=settings)
        assert result.exit_code == 0, result.output
        assert "ssda903" in result.output and "KEY_MISSING" in result.output
        assert "ingest-0001.csv" in result.output and "ingest-0001.xlsx" in result.output
        assert "new snapshot 0001" in result.output

    def test_ingest_exits_non_zero_only_when_nothing_loaded(self, settings, tmp_path):
        junk = tmp_path / "junk.csv"
        junk.write_text("A,B\n1,2\n")
        failed = self.invoke("ingest", str(junk), "--la", "999", settings=settings)
        assert failed.exit_code == 1
        assert "nothing could be loaded" in failed.output
        assert "ingest-failed-" in failed.output
        mixed = self.invoke(
            "ingest", str(junk), str(INGEST / "early_help"), "--la", "999", settings=settings
        )
        assert mixed.exit_code == 0, mixed.output
        assert "FILE_UNREADABLE" in mixed.output

    def test_snapshots_and_rollback(self, settings):
        self.invoke("ingest", str(INGEST / "cin" / "CIN_Census_2017.xml"), settings=settings)
        self.invoke("ingest", str(INGEST / "early_help"), "--la", "999", settings=settings)
        listed = self.invoke("snapshots", settings=settings)
        assert listed.exit_code == 0, listed.output
        assert "0001" in listed.output and "0002" in listed.output
        assert "early_help" in listed.output
        rolled = self.invoke("rollback", "1", settings=settings)
        assert rolled.exit_code == 0, rolled.output
        assert "current snapshot 0001 (was 0002)" in rolled.output
        assert Warehouse(settings.warehouse_dir).read("eh_episodes").num_rows == 0
        missing = self.invoke("rollback", "7", settings=settings)
        assert missing.exit_code == 2
        assert "snapshot 0007 not found" in missing.output


class TestWholeReturns:
    """A held return is replaced only by a whole return; a partial update is declared.

    The held return is tests/data/ingest/ssda903/2016: four children (header.csv), four
    episodes (episodes.csv) and nine other tables with rows."""

    HELD = INGEST / "ssda903" / "2016"

    def hold(self, settings) -> Warehouse:
        ingest([self.HELD], settings, la_code="999")
        return Warehouse(settings.warehouse_dir)

    def folder(self, tmp_path: Path, *names: str) -> Path:
        folder = tmp_path / "upload"
        folder.mkdir()
        for name in names:
            shutil.copy(self.HELD / name, folder / name)
        return folder

    def counts(self, warehouse: Warehouse) -> dict[str, int]:
        return warehouse.require_current().manifest["row_counts"]

    def test_a_garbage_header_and_one_episode_do_not_replace_the_return(self, settings, tmp_path):
        warehouse = self.hold(settings)
        before = self.counts(warehouse)
        folder = tmp_path / "upload"
        folder.mkdir()
        # A program binary renamed header.csv, and one valid episode for A1.
        (folder / "header.csv").write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8)
        (folder / "episodes.csv").write_text(
            "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
            "PL_POST,URN\nA1,20/04/2015,S,C2,N1,U1,PR1,,,,,,\n"
        )
        with pytest.raises(Refused) as refused:
            ingest([folder], settings, la_code="999")
        message = str(refused.value)
        # It names the return, what is missing (the children's header) and the unread file.
        assert "SSDA903 return of LA 999 for 2016" in message
        assert "no rows of cla_ad1, cla_children, cla_missing" in message
        assert "header.csv could not be read" in message
        assert "--partial" in message
        # Nothing stored was lost: the same snapshot is current, with the same rows.
        assert warehouse.require_current().id == "0001"
        assert self.counts(warehouse) == before
        assert refused.value.report.report_files[0].name.startswith("ingest-refused-")

    def test_header_and_episodes_alone_do_not_silently_remove_the_other_tables(
        self, settings, tmp_path
    ):
        warehouse = self.hold(settings)
        before = self.counts(warehouse)
        folder = self.folder(tmp_path, "header.csv", "episodes.csv")
        with pytest.raises(Refused, match="have no rows of cla_ad1, cla_missing, cla_oc2, "):
            ingest([folder], settings, la_code="999")
        assert warehouse.require_current().id == "0001"
        # The same files declared as a partial update: already held, nothing changes.
        assert not ingest([folder], settings, la_code="999", partial=True).result.changed
        # Without B2's episode, as a partial update: the episodes are replaced, the other
        # tables kept.
        episodes = (self.HELD / "episodes.csv").read_text(encoding="latin-1").splitlines()
        kept = [line for line in episodes if not line.startswith("B2,")]
        (folder / "episodes.csv").write_text("\n".join(kept) + "\n", encoding="latin-1")
        report = ingest([folder], settings, la_code="999", partial=True)
        assert report.result.changed
        assert self.counts(warehouse) == before | {"cla_episodes": before["cla_episodes"] - 1}
        (held,) = warehouse.require_current().manifest["returns"]
        assert held["partial_update"] == ["cla_children", "cla_episodes"]
        assert held["tables"]["cla_reviews"]["loaded"] == before["cla_reviews"]

    def test_the_check_says_table_by_table_what_accepting_would_do(self, settings, tmp_path):
        self.hold(settings)
        folder = self.folder(tmp_path, "header.csv")
        # The episodes, edited: B2's episode gone, C3's end moved (the same episode, other
        # values), and a new episode for D4.
        (folder / "episodes.csv").write_text(
            "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
            "PL_POST,URN\n"
            "A1,20/04/2015,S,C2,N1,U1,PR1,01/09/2015,X1,CARPL,DN1 3BU,DN2 4AB,SC123456\n"
            "A1,01/09/2015,P,C2,N1,U4,PR1,,,,DN1 3BU,S10 2AB,SC654321\n"
            "C3,10/04/2015,S,V2,N7,H5,PR4,02/08/2015,E8,,,,\n"
            "D4,01/01/2016,S,C2,N1,U1,PR1,,,,,,\n"
        )
        whole = check([folder], settings, la_code="999")
        assert whole.preview.refusals and "cla_reviews" in whole.preview.refusals[0]
        partial = check([folder], settings, la_code="999", partial=True)
        assert partial.preview.refusals == []
        # A1's two episodes are as held (42248 is Excel's 1 Sep 2015): no change. So: added
        # D4; changed C3; removed B2. The header is the same file: no change.
        assert partial.preview.changes == [TableChange("cla_episodes", 1, 1, 1)]
        # Nothing was written: the held snapshot is still the only one.
        assert [s.id for s in Warehouse(settings.warehouse_dir).snapshots()] == ["0001"]

    def test_the_command_exits_non_zero_when_refused(self, settings, tmp_path):
        self.hold(settings)
        folder = self.folder(tmp_path, "header.csv", "episodes.csv")
        env = {"CSCMONITOR_PSEUDONYM_KEY": settings.pseudonym_key.get_secret_value()}
        args = ["ingest", str(folder), "--la", "999", "--data-dir", str(settings.data_dir)]
        refused = CliRunner().invoke(app, args, env=env)
        assert refused.exit_code == 1
        assert "was not replaced" in refused.output and "ingest-refused-" in refused.output
        partial = CliRunner().invoke(app, [*args, "--partial"], env=env)
        assert partial.exit_code == 0, partial.output
