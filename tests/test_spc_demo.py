"""`cscmonitor spc` on the demo: the re-referral fall after the Trust's start is an improvement.

The demo scenario (synth/scenarios/doncaster-2014.yaml) draws re-referrals at 38% of referrals
before 1 October 2014 and 23% after: a step down the day the Trust took over. The records hold
the Doncaster contract (start 1 October 2014, REREF_12M target 25%, lower is better).
"""

from __future__ import annotations

import csv
import io

import pytest
from typer.testing import CliRunner

from cscmonitor.cli import app
from cscmonitor.spc_cli import COLUMNS
from tests.reports.conftest import demo_settings  # noqa: F401 (the demo, ingested, with records)

runner = CliRunner()


@pytest.fixture(scope="module")
def data_dir(request):
    return request.getfixturevalue("demo_settings").data_dir


def _spc(data_dir, *args: str) -> list[dict[str, str]]:
    result = runner.invoke(
        app,
        ["spc", "--data-dir", str(data_dir), "--la", "371", *args, "--format", "csv"],
    )
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


@pytest.mark.slow
def test_the_fall_after_the_trusts_start_is_an_improvement(data_dir, monkeypatch):
    monkeypatch.delenv("CSCMONITOR_DATABASE_URL", raising=False)
    rows = _spc(data_dir, "--indicator", "REREF_12M", "--from", "2013-01-01", "--to", "2015-09-30")
    assert list(rows[0]) == COLUMNS
    # January to March 2013 lack the 12 months of earlier referrals a re-referral needs: not
    # points of the process. April 2013 to September 2015: 30 months.
    assert [r["period_end"] for r in rows][:1] == ["2013-04-30"]
    assert len(rows) == 30
    before = [r for r in rows if r["period_end"] < "2014-10-01"]
    after = [r for r in rows if r["period_end"] > "2014-10-01"]
    # Two phases, split at the contract start the records hold.
    assert {r["phase"] for r in before} == {"series start"}
    assert {r["phase"] for r in after} == {"contract start (from 1 October 2014)"}
    # Before: a stable process around 38%, above the 25% target all the way: no signal, and
    # the limits (about 31% to 45%) say it would consistently fail the target.
    assert {r["signal"] for r in before} == {""}
    assert {r["assurance"] for r in before} == {"consistently failing"}
    assert 36 < float(before[0]["mean"]) < 40
    # After: a new mean near 23%; its first 7 months all sit below the old mean, a shift that
    # lower-is-better reads as an improvement; the target is now inside the limits.
    assert 21 < float(after[0]["mean"]) < 25
    assert [r["signal"] for r in after[:7]] == ["improvement"] * 7
    assert {r["signal_rule"] for r in after[:7]} == {"shift at change point"}
    assert {r["variation"] for r in after[:7]} == {"special cause improving"}
    assert {r["assurance"] for r in after} == {"hit and miss"}


@pytest.mark.slow
def test_without_the_records_one_phase_shows_the_fall_as_runs(data_dir, tmp_path, monkeypatch):
    # Records elsewhere (an empty folder): no contract start, so one phase around 31%; the
    # months before sit above it (a concern) and the months after below (an improvement).
    monkeypatch.setenv("CSCMONITOR_DATABASE_URL", f"sqlite:///{tmp_path / 'none.db'}")
    rows = _spc(data_dir, "--indicator", "REREF_12M", "--from", "2013-01-01", "--to", "2015-09-30")
    assert {r["phase"] for r in rows} == {"series start"}
    assert {r["signal"] for r in rows if r["period_end"] < "2014-10-01"} == {"concern"}
    assert {r["signal"] for r in rows if r["period_end"] > "2014-10-01"} == {"improvement"}
    assert {r["assurance"] for r in rows} == {""}  # no records, no target


@pytest.mark.slow
def test_quarterly_and_errors(data_dir, monkeypatch):
    monkeypatch.delenv("CSCMONITOR_DATABASE_URL", raising=False)
    rows = _spc(
        data_dir,
        "--indicator",
        "REREF_12M",
        "--indicator",
        "SW_AGENCY",
        "--series",
        "quarterly",
        "--from",
        "2013-04-01",
        "--to",
        "2016-03-31",
    )
    assert {r["indicator"] for r in rows} == {"REREF_12M", "SW_AGENCY"}
    assert {r["period_end"][5:] for r in rows} <= {"03-31", "06-30", "09-30", "12-31"}
    unknown = runner.invoke(
        app,
        ["spc", "--data-dir", str(data_dir), "--la", "371", "--indicator", "NOPE",
         "--from", "2013-01-01", "--to", "2014-01-01"],
    )  # fmt: skip
    assert unknown.exit_code == 2
    assert "unknown indicator 'NOPE'" in unknown.output


@pytest.mark.slow
def test_rolling_points_come_with_a_warning(data_dir, monkeypatch):
    monkeypatch.delenv("CSCMONITOR_DATABASE_URL", raising=False)
    result = runner.invoke(
        app,
        ["spc", "--data-dir", str(data_dir), "--la", "371", "--indicator", "REREF_12M",
         "--from", "2014-04-01", "--to", "2015-09-30", "--rolling", "--format", "csv"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "runs and trends are expected" in result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    # Rolling years ending April 2014 to September 2015, each 12 months to its end: 18 points.
    assert len(rows) == 18
