"""Editions of the demo's annual review through `cscmonitor report edition`: the workflow, the
freeze (files, hashes, rendering again byte for byte), verify catching a tampered file and a
missing snapshot, the change view against the signed edition, and pruning that keeps the
snapshot a signed edition names."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document as read_docx
from openpyxl import load_workbook
from pypdf import PdfReader
from typer.testing import CliRunner

from cscmonitor.demo_review import write_demo_narrative
from cscmonitor.records import contracts, db, editions
from cscmonitor.records.accounts import seed_demo_users
from cscmonitor.records.audit import Actor
from cscmonitor.reports.cli import report_app
from cscmonitor.reports.document_json import from_json, to_json
from cscmonitor.reports.render import formats, render
from cscmonitor.settings import Settings
from cscmonitor.warehouse import Layout, Warehouse

runner = CliRunner()
TM = ["--as", "trust_manager", "--by", "Paul Moffat"]
CO = ["--as", "council_officer", "--by", "Damian Allen"]
SIGNATORIES = ["--signatory", "Jo Miller", "--signatory", "Colin Hilton"]
SRC = Path(__file__).resolve().parents[2] / "src"


def _run(data: Path, *args: str):
    return runner.invoke(report_app, ["edition", *args, "--data-dir", str(data)])


def _ok(data: Path, *args: str) -> str:
    result = _run(data, *args)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def data(demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo's data with edition 1 of the annual review for year 1 signed."""
    copy = tmp_path_factory.mktemp("editions") / "data"
    shutil.copytree(demo_settings.data_dir, copy)
    # The demo's words, each party's written by its demo account: signing needs every section.
    engine = db.make_engine(db.database_url(Settings(data_dir=copy)))
    seed_demo_users(engine)
    write_demo_narrative(engine)
    engine.dispose()
    _ok(copy, "new", "annual", "--contract-year", "1", *TM)
    # The Council cannot submit; the Trust can. The Council sends back, saying why.
    refused = _run(copy, "submit", "1", *CO)
    assert refused.exit_code == 2
    assert "a council officer may not submit to the council: only a trust manager may" in (
        " ".join(refused.output.split())
    )
    _ok(copy, "submit", "1", *TM)
    blank = _run(copy, "send-back", "1", "--reason", " ", *CO)
    assert blank.exit_code == 2 and "must not be blank" in blank.output
    _ok(copy, "send-back", "1", "--reason", "The joint focus section is not agreed", *CO)
    _ok(copy, "submit", "1", *TM)
    _ok(copy, "agree", "1", *CO)
    _ok(copy, "sign", "1", *SIGNATORIES, "--on", "2016-01-29", *CO)
    return copy


def _signed(data: Path) -> editions.EditionView:
    engine = db.make_engine(db.database_url(Settings(data_dir=data)))
    with db.transaction(engine, Actor("test")) as session:
        found = editions.view(editions.get_edition(session, 1))
    engine.dispose()
    return found


def test_the_edition_went_the_whole_way(data: Path) -> None:
    edition = _signed(data)
    assert (edition.state, edition.number, str(edition.signed_on)) == ("signed", 1, "2016-01-29")
    assert [(m.from_state, m.to_state, m.role) for m in edition.moves] == [
        (None, "draft", "trust_manager"),
        ("draft", "submitted", "trust_manager"),
        ("submitted", "draft", "council_officer"),
        ("draft", "submitted", "trust_manager"),
        ("submitted", "agreed", "council_officer"),
        ("agreed", "signed", "council_officer"),
    ]
    assert [(s.name, s.party) for s in edition.signatories] == [
        ("Jo Miller", "council"),
        ("Colin Hilton", "trust"),
    ]
    listed = _ok(data, "list", "--format", "json")
    assert json.loads(listed)[0] == {
        "id": 1,
        "report": "annual",
        "year": 1,
        "quarter": "",
        "edition": 1,
        "state": "signed",
        "signed_on": "2016-01-29",
        "signed_by": "Jo Miller; Colin Hilton",
        "snapshot": "0001",
    }


def test_the_frozen_files_are_private_and_match_their_hashes(data: Path) -> None:
    edition = _signed(data)
    folder = data / "editions" / "1"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert sorted(f.format for f in edition.files) == sorted(
        ["document", "figures", "html", "pdf", "docx", "xlsx"]
    )
    for held in edition.files:
        path = data / held.path
        assert path.parent == folder
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        body = path.read_bytes()
        assert (hashlib.sha256(body).hexdigest(), len(body)) == (held.sha256, held.size)
    assert edition.snapshot_id == Warehouse(data / "warehouse").require_current().id
    assert len(edition.records_version or "") == 64


def test_the_stored_document_renders_again_to_the_signed_bytes(data: Path) -> None:
    edition = _signed(data)
    text = (data / edition.file("document").path).read_text()
    document = from_json(text)
    assert to_json(document) == text  # read back exactly
    assert any(b for b in document.blocks if type(b).__name__ == "Figure")  # charts kept
    for format in formats():
        again = hashlib.sha256(render(document, format)).hexdigest()
        assert again == edition.file(format).sha256, format


def test_another_process_renders_the_same_bytes(data: Path) -> None:
    # Another interpreter, another hash seed, another second on the clock: the same bytes.
    edition = _signed(data)
    script = (
        "import hashlib, sys\n"
        "from cscmonitor.reports.document_json import from_json\n"
        "from cscmonitor.reports.render import formats, render\n"
        "d = from_json(open(sys.argv[1]).read())\n"
        "for f in formats(): print(f, hashlib.sha256(render(d, f)).hexdigest())\n"
    )
    env = os.environ | {"PYTHONPATH": str(SRC), "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", script, str(data / edition.file("document").path)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert dict(line.split() for line in out.splitlines()) == {
        f: edition.file(f).sha256 for f in formats()
    }


def test_the_files_say_when_and_by_whom_it_was_signed(data: Path) -> None:
    edition = _signed(data)
    pdf = PdfReader(io.BytesIO((data / edition.file("pdf").path).read_bytes()))
    assert pdf.metadata["/CreationDate"].startswith("D:20160129000000")
    text = "".join(page.extract_text() for page in pdf.pages[-2:])
    assert "Edition and sign-off" in text and "Jo Miller, Chief Executive" in text
    word = read_docx(str(data / edition.file("docx").path))
    assert word.core_properties.created.date().isoformat() == "2016-01-29"
    assert "Signed by: Colin Hilton, Chair" in "\n".join(p.text for p in word.paragraphs)
    book = load_workbook(data / edition.file("xlsx").path)
    assert book.properties.modified.date().isoformat() == "2016-01-29"


def test_verify_passes_then_names_a_tampered_file_and_a_missing_snapshot(data: Path) -> None:
    ok = _ok(data, "verify")
    assert "ok edition 1" in ok and "6 files as signed, snapshot 0001 intact" in ok
    edition = _signed(data)
    pdf = data / edition.file("pdf").path
    original = pdf.read_bytes()
    try:
        pdf.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))
        failed = _run(data, "verify", "1")
        assert failed.exit_code == 1
        lines = [line for line in failed.output.splitlines() if line.startswith("FAILED")]
        assert len(lines) == 1
        assert (
            "annual-review-1.pdf does not match the hash recorded when it was signed" in (lines[0])
        )
        # The tampered file is not handed out either.
        refused = _run(data, "download", "1", "--format", "pdf", "--output", str(pdf) + ".x")
        assert refused.exit_code == 2 and "does not match" in refused.output
    finally:
        pdf.write_bytes(original)
    snapshot = data / "warehouse" / "snapshots" / "0001"
    snapshot.rename(snapshot.with_name("away"))
    try:
        gone = _run(data, "verify")
        assert gone.exit_code == 1
        assert "snapshot 0001 it was made from is no longer held" in gone.output
    finally:
        snapshot.with_name("away").rename(snapshot)
    assert _run(data, "verify").exit_code == 0


def test_download_writes_the_signed_file(data: Path, tmp_path: Path) -> None:
    edition = _signed(data)
    _ok(data, "download", "1", "--format", "docx", "--output", str(tmp_path / "a.docx"))
    assert (tmp_path / "a.docx").read_bytes() == (data / edition.file("docx").path).read_bytes()


def test_a_later_draft_shows_what_changed_since_the_signed_edition(data: Path) -> None:
    # Edition 2 after the re-referral target is moved to 0 with no tolerance: re-referrals
    # above 0% are Red whatever they were in edition 1, and the sentences saying so change.
    def set_terms(target: float | None, tolerance: float | None) -> tuple:
        engine = db.make_engine(db.database_url(Settings(data_dir=data)))
        with db.transaction(engine, Actor("test")) as session:
            entries = contracts.get_contract(session).basket_versions[0].entries
            entry = next(e for e in entries if e.indicator == "REREF_12M")
            held = (entry.target, entry.tolerance)
            entry.target, entry.tolerance = target, tolerance
        engine.dispose()
        return held

    held = set_terms(0.0, 0.0)
    try:
        _ok(data, "new", "annual", "--contract-year", "1", *TM)
        shown = _ok(data, "diff", "2")
        assert shown.startswith("edition 2 (draft) against edition 1 (signed)")
        figures, text = shown.split("Text:")
        status, rest = next(line for line in figures.splitlines() if "REREF_12M" in line).split(
            maxsplit=1
        )
        was, now = rest.split("→")
        assert status == "changed"
        assert "Red" in now and "Red" not in was
        # Only the changed indicator is listed without --all.
        assert [line.split()[1] for line in figures.splitlines()[2:]] == ["REREF_12M:"]
        assert "  changed   [" in text
    finally:
        engine = db.make_engine(db.database_url(Settings(data_dir=data)))
        with db.transaction(engine, Actor("test")) as session:
            contract = contracts.get_contract(session)
            editions.delete_edition(session, editions.editions_of(session, contract)[-1])
        engine.dispose()
        set_terms(*held)


def test_pruning_keeps_the_snapshot_a_signed_edition_names(data: Path) -> None:
    warehouse = Warehouse(data / "warehouse")
    made = warehouse.relayout(Layout.LAKE)  # a newer snapshot, current
    assert made.id == "0002"
    from cscmonitor.cli import app

    result = runner.invoke(app, ["snapshots", "prune", "--keep", "1", "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    # Keep 1 would leave only 0002; 0001 stays because edition 1 was signed from it.
    assert [s.id for s in warehouse.snapshots()] == ["0001", "0002"]
    assert "0001 for signed report editions" in " ".join(result.output.split())
    warehouse.rollback("0001")
