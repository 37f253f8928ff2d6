"""An ingest's rules run in a thread of their own while the returns merge into the warehouse.

What they find still reaches the report and the snapshot's manifest; they read the return
as it was given while the warehouse takes it reduced; a failure of theirs still stops the
ingest with nothing stored; and no thread is left reading the scratch folder when the
merge fails.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pyarrow.compute as pc
import pytest

from cscmonitor import ingest as ingest_module
from cscmonitor.ingest import Refused, ingest
from cscmonitor.warehouse import Warehouse
from tests.conftest import DATA

RETURN_903 = DATA / "ingest" / "ssda903" / "2016"


def _edited(tmp_path: Path, name: str, old: bytes, new: bytes) -> Path:
    """The hand-made 903 with one value of one file changed."""
    folder = tmp_path / "return"
    if not folder.exists():
        shutil.copytree(RETURN_903, folder)
    path = folder / name
    text = path.read_bytes()
    assert old in text
    path.write_bytes(text.replace(old, new, 1))
    return folder


def _found(report, rule: str) -> int:
    table = report.problems.table
    return table.filter(pc.equal(table["rule"], rule)).num_rows


def test_the_rules_findings_reach_the_report_and_the_manifest(settings, tmp_path):
    # A1's first episode ends (DEC 01/03/2015) before it starts (DECOM 20/04/2015). Rules
    # find, on top of the return's own problems: errors CLA_DEC_BEFORE_DECOM and
    # CLA_X1_NOT_CHAINED (its X1 end no longer meets the next episode) in the episodes;
    # warnings CLA_EPISODE_BEFORE_YEAR (it now ends before the year, 1 Apr 2015) and
    # CLA_REVIEW_OUTSIDE_CARE (A1's review of 15/05/2015 was within 20/04-01/09/2015; no
    # episode now holds it).
    before = ingest([RETURN_903], settings, la_code="999")
    folder = _edited(tmp_path, "episodes.csv", b"PR1,01/09/2015", b"PR1,01/03/2015")
    settings = settings.model_copy(update={"data_dir": tmp_path / "other"})
    report = ingest([folder], settings, la_code="999")
    assert _found(before, "CLA_DEC_BEFORE_DECOM") == 0
    assert _found(report, "CLA_DEC_BEFORE_DECOM") == 1
    assert report.problems.errors == before.problems.errors + 2
    assert report.problems.warnings == before.problems.warnings + 2
    validation = report.result.snapshot.manifest["validation"]
    assert (validation["errors"], validation["warnings"]) == (
        report.problems.errors,
        report.problems.warnings,
    )
    # The summary counts the two errors against the episodes file.
    episodes = [s for s in report.summary.to_pylist() if s["table"] == "cla_episodes"]
    old = [s for s in before.summary.to_pylist() if s["table"] == "cla_episodes"]
    assert episodes[0]["errors"] == old[0]["errors"] + 2


def test_the_rules_read_the_return_as_given_while_the_warehouse_takes_it_reduced(
    settings, tmp_path
):
    # A1 is born on 15/03/2005; an episode starting 10/03/2005 starts before the birth.
    # Held to the month (01/03/2005) it would not: the rule reads the full date, though
    # the warehouse is given the date reduced while the rules run.
    folder = _edited(tmp_path, "episodes.csv", b"A1,20/04/2015", b"A1,10/03/2005")
    settings = settings.model_copy(update={"birth_date_precision": "month"})
    report = ingest([folder], settings, la_code="999")
    assert _found(report, "CLA_DECOM_BEFORE_BIRTH") == 1
    born = Warehouse(settings.warehouse_dir).read("cla_children")["birth_date"].to_pylist()
    assert {d.day for d in born if d is not None} == {1}
    assert len([d for d in born if d is not None and (d.year, d.month) == (2005, 3)]) == 1


def test_a_failure_of_the_rules_stops_the_ingest_with_nothing_stored(settings, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the rules broke")

    monkeypatch.setattr(ingest_module.checks, "run", broken)
    with pytest.raises(RuntimeError, match="the rules broke"):
        ingest([RETURN_903], settings, la_code="999")
    assert Warehouse(settings.warehouse_dir).current() is None


def test_a_refused_return_waits_for_the_rules_and_reports_them(settings, tmp_path):
    ingest([RETURN_903], settings, la_code="999")
    # The same return again, less its reviews file and with a rule broken: not whole, so
    # refused; the refusal's report still lists what the rules found.
    folder = _edited(tmp_path, "episodes.csv", b"PR1,01/09/2015", b"PR1,01/03/2015")
    (folder / "reviews.csv").unlink()
    with pytest.raises(Refused) as refused:
        ingest([folder], settings, la_code="999")
    assert _found(refused.value.report, "CLA_DEC_BEFORE_DECOM") == 1
    assert not [t for t in threading.enumerate() if t.name.startswith("cscmonitor-checks")]
    assert refused.value.report.report_files[0].exists()
