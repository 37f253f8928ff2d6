"""The `benchmark` and `benchmarks` commands: offline (bundled tables) and with a warehouse."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from cscmonitor.benchmarks.cli import app, benchmark, benchmarks_app
from cscmonitor.ingest import ingest
from cscmonitor.settings import Settings
from tests.benchmarks.conftest import NEWER, write
from tests.conftest import DATA

runner = CliRunner()


def _csv(*args: str) -> pd.DataFrame:
    result = runner.invoke(app, ["benchmark", *args, "--format", "csv"])
    assert result.exit_code == 0, result.output
    return pd.read_csv(io.StringIO(result.stdout), dtype={"la_code": str}).set_index("code")


def test_doncaster_2015_16_offline(tmp_path: Path) -> None:
    table = _csv("--la", "371", "--year", "2015-16", "--data-dir", str(tmp_path))
    row = table.loc["REREF_12M"]
    assert (row["value"], row["england"], row["region"]) == (23.0, 22.5, 30.4)
    assert row["region_name"] == "Yorkshire and The Humber"
    assert row["sn_mean"] == pytest.approx(24.35)
    assert (row["band"], row["travel"], row["rag"]) == ("C", "improved", "not rated")
    assert row["vs_england"] == "not significantly different"


def test_the_table_names_the_neighbours(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["benchmark", "--la", "E08000017", "--year", "2015-16", "--data-dir", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert "Doncaster (371, E08000017), 2015-16" in result.stdout
    assert "23.0%" in result.stdout and "30.4%" in result.stdout
    assert (
        "Statistical neighbours (DfE's 2021 model): Rotherham, Barnsley, North East Lincolnshire,"
        in result.stdout
    )
    assert "neighbours: 2021 model" in result.stdout


def test_recent_years_use_the_2025_neighbour_model(tmp_path: Path) -> None:
    recent = _csv("--la", "371", "--year", "2024-25", "--data-dir", str(tmp_path))
    assert set(recent["sn_grouping"]) == {2025}
    assert set(recent["sn_model"]) == {"neighbours: 2025 model"}
    earlier = _csv("--la", "371", "--year", "2023-24", "--data-dir", str(tmp_path))
    assert set(earlier["sn_model"]) == {"neighbours: 2021 model"}
    fixed = _csv("--la", "371", "--year", "2024-25", "--sn", "2021", "--data-dir", str(tmp_path))
    assert set(fixed["sn_model"]) == {"neighbours: 2021 model"}
    # The new measures are in the table, or say why not.
    assert recent.loc["CLA_START_RATE", "value_state"] == "held"
    assert recent.loc["CLA_SW3PLUS", "value_state"] == "not held"  # 2024 (2023-24) only
    assert earlier.loc["CLA_SW3PLUS", "value_state"] == "held"
    assert recent.loc["ADOPT_DECISION_MATCH", "value_state"] == "not published"  # England only
    assert recent.loc["ADOPT_DECISION_MATCH", "england"] > 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--la", "371", "--year", "2016"], "ambiguous"),
        (["--la", "371"], "give --year"),
        (["--la", "371", "--year", "2015-16", "--period", "2015-04-01:2016-03-31"], "give --year"),
        (["--la", "999", "--year", "2015-16"], "no local authority '999'"),
        (["--la", "371", "--year", "2015-16", "--sn", "2019"], "--sn must be one of 2021, 2025"),
        (["--la", "371", "--year", "2015-16", "--indicator", "NOPE"], "unknown indicator"),
        (["--la", "371", "--period", "2015-04-01:2016-03-31"], "--period needs a warehouse"),
    ],
)
def test_bad_requests_are_refused_clearly(tmp_path: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["benchmark", *args, "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())


def test_import_then_list_then_benchmark(tmp_path: Path) -> None:
    data_dir = str(tmp_path / "data")
    source = write(tmp_path / "c1_children_in_need_referrals_2016_to_2026.csv", NEWER)
    imported = runner.invoke(app, ["benchmarks", "import", str(source), "--data-dir", data_dir])
    assert imported.exit_code == 0, imported.output
    assert "imported as dataset c1" in imported.output
    assert "REREF_12M" in imported.output
    listed = runner.invoke(app, ["benchmarks", "list", "--data-dir", data_dir, "--format", "json"])
    releases = pd.DataFrame(json.loads(listed.stdout))
    mine = releases[releases["origin"] == "imported"].iloc[0]
    assert (mine["dataset"], mine["last_period"]) == ("c1", "2026")
    # The restated 2016 figure now benchmarks 2015-16.
    row = _csv("--la", "371", "--year", "2015-16", "--data-dir", data_dir).loc["REREF_12M"]
    assert row["value"] == 24.0


def test_import_refuses_a_file_not_in_the_ees_layout(tmp_path: Path) -> None:
    bad = write(tmp_path / "notes.csv", "a,b\n1,2\n")
    result = runner.invoke(app, ["benchmarks", "import", str(bad), "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "not an Explore Education Statistics table" in " ".join(result.output.split())
    missing = runner.invoke(app, ["benchmarks", "import", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 2


@pytest.fixture
def two_las(settings: Settings) -> Settings:
    """The hand-made workforce file (agency 1.4 of 6.4 FTE at 30 Sep 2015) for 371 and 372."""
    for la in ("371", "372"):
        ingest([DATA / "workforce"], settings, la_code=la)
    return settings


def test_with_a_warehouse_and_a_contract(two_las: Settings) -> None:
    table = _csv(
        "--la", "371",
        "--period", "2014-10-01:2015-09-30",
        "--indicator", "SW_AGENCY",
        "--contract", "doncaster-2014",
        "--data-dir", str(two_las.data_dir),
    )  # fmt: skip
    row = table.loc["SW_AGENCY"]
    assert row["computed"] == pytest.approx(21.875)
    # Target 12% with tolerance 3: 21.9% is beyond 15%, so red.
    assert (row["target"], row["tolerance"], row["rag"], row["rag_basis"]) == (
        12,
        3,
        "red",
        "computed",
    )
    # Two LAs with the same figure: England pooled is the same, 372 is 371's only neighbour
    # held, and tied LAs share band A.
    assert row["pooled_england"] == pytest.approx(21.875)
    assert (row["pooled_sn_count"], row["pooled_band"]) == (1, "A")
    assert row["computed_travel"] == "not comparable"  # no return a year earlier


def test_a_period_for_an_la_only_the_warehouse_knows(settings: Settings) -> None:
    for la in ("998", "999"):
        ingest([DATA / "workforce"], settings, la_code=la)
    args = ["--period", "2014-10-01:2015-09-30", "--indicator", "SW_AGENCY"]
    table = _csv("--la", "999", *args, "--data-dir", str(settings.data_dir))
    row = table.loc["SW_AGENCY"]
    assert row["computed"] == pytest.approx(21.875)
    assert row["pooled_england_las"] == 2
    assert pd.isna(row["pooled_region"])  # no region for a code DfE does not use
    # A financial year needs the published tables, which do not know the LA.
    refused = runner.invoke(
        app, ["benchmark", "--la", "999", "--year", "2015-16", "--data-dir", str(settings.data_dir)]
    )
    assert refused.exit_code == 2


def test_with_a_warehouse_for_a_financial_year(two_las: Settings) -> None:
    # Published and computed side by side. The workforce returns held run Oct 2014 - Sep 2015,
    # half of 2015-16: neither LA's figure is computed, so there is nothing to pool either.
    table = _csv("--la", "371", "--year", "2015-16", "--data-dir", str(two_las.data_dir))
    assert table.loc["REREF_12M", "value"] == 23.0
    assert pd.isna(table.loc["REREF_12M", "computed"])  # no CIN census held
    agency = table.loc["SW_AGENCY"]
    assert pd.isna(agency["value"])  # DfE's workforce tables start in 2016-17
    assert pd.isna(agency["computed"])
    assert pd.isna(agency["pooled_england"])


def test_the_commands_document_themselves() -> None:
    main = typer.Typer()
    main.command()(benchmark)
    main.add_typer(benchmarks_app, name="benchmarks")
    for args in (["benchmark"], ["benchmarks", "import"], ["benchmarks", "list"]):
        result = runner.invoke(main, [*args, "--help"])
        assert result.exit_code == 0, result.output
        assert len(result.output) > 200
