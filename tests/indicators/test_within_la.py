"""Every indicator is computed within an LA: the figures of an LA computed with the other
LAs are those computed for it alone. The benchmarks across LAs come after, from the
figures. Spark's tasks computing groups of LAs on DuckDB (indicators/in_tasks.py) rest on
this, and give the same figures."""

import datetime as dt

import pandas as pd
import pandas.testing as pdt
import pytest
from pydantic import SecretStr

from cscmonitor.backends import Backend, SnapshotTables
from cscmonitor.indicators.engine import compute
from cscmonitor.indicators.in_tasks import balanced, rows_by_la
from cscmonitor.ingest import ingest
from cscmonitor.periods import Period, Series, series
from cscmonitor.settings import Settings
from cscmonitor.synth.england.generate import generate_england
from cscmonitor.warehouse import Snapshot, Warehouse

LAS = ("805", "806")  # Hartlepool and Middlesbrough: small, neighbours


@pytest.fixture(scope="module")
def two_las(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, list[Period]]:
    """Four census years of synthetic returns (a 903, a CIN census, workforce) for each LA."""
    folder = tmp_path_factory.mktemp("two_las")
    generate_england(folder / "returns", 2021, 2024, seed=0, las=list(LAS))
    settings = Settings(data_dir=folder / "data", pseudonym_key=SecretStr("test-key-not-secret"))
    for la in LAS:
        ingest([folder / "returns" / la], settings, la_code=la)
    periods = series(Series.QUARTERLY, dt.date(2020, 4, 1), dt.date(2024, 3, 31), rolling=True)
    return settings, periods


def _snapshot(settings: Settings) -> Snapshot:
    return Warehouse(settings.warehouse_dir).require_current()


def test_each_las_figures_are_the_same_alone_as_with_the_others(two_las):
    settings, periods = two_las
    tables = SnapshotTables(_snapshot(settings), Backend.DUCKDB)
    whole = compute(tables, periods)
    apart = pd.concat([compute(tables, periods, las=[la]) for la in LAS], ignore_index=True)
    apart = apart.sort_values(["indicator", "la_code", "period_start", "period_end"])
    # Every return of the three held is queried, for both LAs, with figures to compare.
    assert set(whole["la_code"]) == set(LAS)
    assert whole["value"].notna().sum() > 1000
    assert (whole.groupby("indicator")["value"].count() > 0).sum() > 40
    pdt.assert_frame_equal(whole, apart.reset_index(drop=True))


def test_the_rows_of_each_la_add_up_to_the_rows_ingest_counted(two_las):
    settings, _ = two_las
    snapshot = _snapshot(settings)
    held = rows_by_la(snapshot, None)
    # Every row has its LA: the LAs' rows are the tables' rows as the manifest counted them.
    assert set(held) == set(LAS)
    assert sum(held.values()) == sum(snapshot.manifest["row_counts"].values())
    assert rows_by_la(snapshot, ["806", "999"]) == {"806": held["806"]}


def test_las_are_grouped_by_their_rows_the_largest_first():
    # a (10) and b (7) open two groups; c (4) joins b's (7 < 10), d (3) joins a's (10 < 11).
    assert balanced({"a": 10, "b": 7, "c": 4, "d": 3}, 2) == [["a", "d"], ["b", "c"]]
    # More groups than LAs: one LA each, no empty group; none held, none.
    assert balanced({"a": 1, "b": 2}, 8) == [["b"], ["a"]]
    assert balanced({}, 2) == []


@pytest.mark.spark
def test_spark_tasks_compute_groups_of_las_on_duckdb_with_the_same_figures(two_las):
    pytest.importorskip("pyspark", reason="PySpark is not installed (pip install '.[spark]')")
    settings, periods = two_las
    snapshot = _snapshot(settings)
    on_duckdb = compute(SnapshotTables(snapshot, Backend.DUCKDB), periods)
    in_tasks = settings.model_copy(update={"spark_tasks": "duckdb"})
    tables = SnapshotTables(snapshot, Backend.PYSPARK, in_tasks)
    assert tables.in_tasks
    pdt.assert_frame_equal(compute(tables, periods), on_duckdb)
    # One LA asked for: its figures only.
    one = compute(tables, periods, codes=["CLA_RATE"], las=["806"])
    pdt.assert_frame_equal(
        one,
        compute(SnapshotTables(snapshot, Backend.DUCKDB), periods, codes=["CLA_RATE"], las=["806"]),
    )
    # An unknown code is refused before any task runs, as on DuckDB.
    with pytest.raises(KeyError, match="NOT_A_CODE"):
        compute(tables, periods, codes=["NOT_A_CODE"])
    # A lake in object storage is Spark SQL's to read: the tasks would not find its files.
    remote = in_tasks.model_copy(update={"lake_uri": "s3a://bucket/cscmonitor/warehouse"})
    with pytest.raises(ValueError, match="CSCMONITOR_LAKE_URI"):
        compute(SnapshotTables(snapshot, Backend.PYSPARK, remote), periods)
