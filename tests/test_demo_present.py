"""End to end at small scale: the present-day demo writes each year's returns, ingests them and
shows the National Framework's measures beside neighbours and England."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from typer.testing import CliRunner

from cscmonitor.cli import app
from cscmonitor.demo_present import run_present_day
from cscmonitor.indicators.framework import Framework
from cscmonitor.indicators.registry import all_indicators
from cscmonitor.settings import Settings
from cscmonitor.warehouse import Warehouse


@pytest.fixture(scope="module")
def present(tmp_path_factory):
    return run_present_day(tmp_path_factory.mktemp("present"), seed=0, scale=0.1)


@pytest.mark.slow
def test_measures_are_grouped_by_outcome_and_enabler(present):
    groups = [t.framework for t in present.tables]
    assert groups == [f for f in Framework if f in groups]  # the Framework's order
    assert {Framework.STAY_TOGETHER, Framework.SAFE, Framework.STABLE_HOMES} <= set(groups)
    rows = {t.framework: t.rows.set_index("indicator") for t in present.tables}
    # Re-referrals speak to outcome 1; DfE publishes England's 2024-25 figure as 22.6%
    # (c1_children_in_need_referrals_and_rereferrals, England, 2025).
    rereferrals = rows[Framework.STAY_TOGETHER].loc["REREF_12M"]
    assert rereferrals["England 2024-25"] == "22.6%"
    assert rereferrals["2024-25"].endswith("%")
    assert rereferrals["neighbours 2024-25"].endswith("%")
    # A measure DfE publishes no comparator for says so.
    assert rows[Framework.SAFE].loc["CLA_MISSING", "England 2024-25"] == "no published benchmark"
    assert "Apr 2026–Oct 2026 (in year)" in rows[Framework.SAFE].columns


@pytest.mark.slow
def test_every_file_loads_without_a_problem(present):
    """Each year's format is the one ingest reads for that year (K3, Z11-Z14, SEX M/F,
    SWEpisodes, DoLO, pre-proceedings, ETHNICITY), and every postcode is in the lookup."""
    assert (present.errors, present.warnings) == (0, 0)


@pytest.mark.slow
def test_placements_far_from_home_are_measured_through_the_lookup(present):
    rows = {t.framework: t.rows.set_index("indicator") for t in present.tables}
    far = rows[Framework.STABLE_HOMES].loc["CLA_20MILES"]
    # A share, so the small run keeps it: the scenario places about one in nine > 20 miles.
    assert 4 < float(far["2024-25"].rstrip("%")) < 20
    assert rows[Framework.STABLE_HOMES].loc["CLA_DOLO", "2024-25"] == "no data"


@pytest.mark.slow
def test_every_year_and_the_in_year_extract_are_held(present):
    tables = Warehouse(Settings(data_dir=present.data_dir).warehouse_dir).tables()
    latest = tables.table("cla_episodes").decom.max().to_pyarrow().as_py()
    assert dt.date(2026, 4, 1) <= latest <= dt.date(2026, 10, 31)
    assert present.postcode_lookup.exists()


def test_size_is_refused_outside_the_present_day(tmp_path):
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path), "--size", "0.5"])
    assert result.exit_code == 2
    assert "--size is for --scenario present-day" in result.output


def test_a_size_above_one_is_refused(tmp_path):
    result = CliRunner().invoke(
        app, ["demo", "--out", str(tmp_path), "--scenario", "present-day", "--size", "2"]
    )
    assert result.exit_code == 2
    assert "scale 2.0 is not in (0, 1]" in result.output


@pytest.mark.slow
def test_the_framework_pack_is_written_for_the_last_quarter_ended(present):
    """The extract runs to 31 Oct 2026; the contract (northamptonshire-2021) starts 1 Apr 2021
    with years from April, so year 6 is 2026-27 and its quarter 2 (Jul-Sep 2026) is the last
    ended. The pack is written in the four formats and the HTML names every tagged measure."""
    assert present.pack_quarter == (6, 2)
    assert sorted(p.suffix for p in present.framework_pack) == [".docx", ".html", ".pdf", ".xlsx"]
    for path in present.framework_pack:
        assert path.stat().st_size > 1000, path
    page = html.unescape(next(p for p in present.framework_pack if p.suffix == ".html").read_text())
    missing = [i.code for i in all_indicators() if i.framework and i.title not in page]
    assert not missing
