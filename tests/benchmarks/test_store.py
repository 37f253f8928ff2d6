"""Importing newer releases: they supersede the years they cover; nothing bundled changes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cscmonitor.benchmarks.ees import EESFormatError
from cscmonitor.benchmarks.store import BenchmarkStore, bundled_files
from tests.benchmarks.conftest import HEADER, NEWER, PLACE, write


def _doncaster(rows: pd.DataFrame, period: str) -> pd.Series:
    return rows[
        (rows["old_la_code"] == "371")
        & (rows["time_period"] == period)
        & (rows["measure"] == "rereferral_percent")
    ]["value"]


def test_a_newer_release_supersedes_the_years_it_covers(tmp_path: Path) -> None:
    store = BenchmarkStore(tmp_path / "benchmarks")
    source = write(
        tmp_path / "c1_children_in_need_referrals_and_rereferrals_2016_to_2026.csv", NEWER
    )
    [done] = store.import_files([source])
    assert (done.dataset, done.rows, done.years, done.already_held) == (
        "c1",
        6,
        ("2016", "2026"),
        False,
    )
    rows = store.published()
    assert _doncaster(rows, "2016").tolist() == [24.0]
    assert _doncaster(rows, "2026").tolist() == [20.0]
    # Years only the bundled release holds stay, with all their places.
    assert _doncaster(rows, "2014").tolist() == [37.3]
    assert len(rows[(rows["dataset"] == "c1") & (rows["time_period"] == "2014")]) > 150
    # The newer release supplies all of 2016: the bundled 2016 rows of other LAs are gone.
    assert set(rows.loc[rows["time_period"] == "2016", "origin"][rows["dataset"] == "c1"]) == {
        "imported"
    }


def test_an_older_release_imported_later_does_not_supersede(tmp_path: Path) -> None:
    store = BenchmarkStore(tmp_path / "benchmarks")
    older = f"{HEADER}\n2016,Reporting year,{PLACE},Doncaster,Referrals and Re-referrals,1,1,99\n"
    store.import_files([write(tmp_path / "c1_2013_to_2016.csv", older)])
    # The bundled release reaches 2025, so it stays the newer one for 2016.
    assert _doncaster(store.published(), "2016").tolist() == [23.0]


def test_importing_the_same_file_twice_keeps_one_release(tmp_path: Path) -> None:
    store = BenchmarkStore(tmp_path / "benchmarks")
    source = write(tmp_path / "c1_2016_to_2026.csv", NEWER)
    store.import_files([source])
    [again] = store.import_files([source])
    assert again.already_held
    releases = store.releases()
    assert len(releases[releases["origin"] == "imported"]) == 1


def test_a_bad_file_leaves_the_store_unchanged(tmp_path: Path) -> None:
    store = BenchmarkStore(tmp_path / "benchmarks")
    good = write(tmp_path / "c1_2016_to_2026.csv", NEWER)
    bad = write(tmp_path / "notes.csv", "just,some\ntext,here\n")
    with pytest.raises(EESFormatError, match=r"notes\.csv"):
        store.import_files([good, bad])
    assert not (tmp_path / "benchmarks" / "manifest.json").exists()
    assert _doncaster(store.published(), "2016").tolist() == [23.0]


def test_bundled_tables_are_listed_and_never_written(tmp_path: Path) -> None:
    before = {p: p.stat().st_mtime_ns for p in bundled_files()}
    store = BenchmarkStore(tmp_path / "benchmarks")
    store.import_files([write(tmp_path / "c1_2016_to_2026.csv", NEWER)])
    assert {p: p.stat().st_mtime_ns for p in bundled_files()} == before
    releases = store.releases().set_index(["origin", "dataset"])
    assert set(releases.loc["bundled"].index) == {
        "adoption_stages",
        "b1",
        "c1",
        "c3",
        "cla_health",
        "cla_school_moves",
        "cla_swcount",
        "care_leavers_accommodation",
        "care_leavers_activity",
        "cla_rate",
        "csww",
        "d3",
        "d5",
        "placement_stability",
        "population",
    }
    imported = releases.loc[("imported", "c1")]
    assert (imported["first_period"], imported["last_period"]) == ("2016", "2026")
    bundled_c1 = releases.loc[("bundled", "c1")]
    # 13 years × 164 places × 10 measures, less the 2016 the import now supplies.
    assert bundled_c1["rows_in_force"] == bundled_c1["rows"] - 164 * 10
