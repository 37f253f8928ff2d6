"""The lake layout: hive partitions by LA that DuckDB and Spark read alike, and the lakes
written before December 2026 (by LA and year), read as they are and compacted by relayout."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pydantic import SecretStr, ValidationError

from cscmonitor.backends import Backend, SnapshotTables
from cscmonitor.indicators.engine import compute
from cscmonitor.indicators.registry import all_indicators
from cscmonitor.ingest import ingest
from cscmonitor.periods import Series, series
from cscmonitor.settings import Settings, settings_problem
from cscmonitor.synth.england import generate_england
from cscmonitor.warehouse import (
    SCHEMAS,
    Layout,
    Snapshot,
    Warehouse,
    duckdb_lake_source,
)
from tests.conftest import lake_by_la_and_year

DATA = Path(__file__).parent / "data" / "ingest"
TWO_LAS = ("805", "806")  # Hartlepool and Middlesbrough


def _sorted(table: pa.Table) -> pd.DataFrame:
    frame = table.to_pandas()
    return frame.sort_values(list(frame.columns), ignore_index=True, na_position="first")


def _ingest_all(settings: Settings) -> None:
    ingest([DATA / "cin"], settings)
    ingest([DATA / "ssda903"], settings, la_code="999")
    ingest([DATA / "workforce"], settings, la_code="999")


def test_the_lake_holds_the_same_rows_as_one_file_per_table(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ingest_all(settings)
    files = Warehouse(settings.warehouse_dir)
    lake_settings = settings.model_copy(
        update={"data_dir": tmp_path / "lake", "warehouse_layout": "lake"}
    )
    _ingest_all(lake_settings)
    lake = Warehouse(lake_settings.warehouse_dir)
    snapshot = lake.require_current()
    assert snapshot.layout is Layout.LAKE and files.require_current().layout is Layout.FILES
    assert snapshot.manifest["row_counts"] == files.require_current().manifest["row_counts"]
    held = 0
    for name in SCHEMAS:
        assert lake.read(name).schema == SCHEMAS[name]
        pd.testing.assert_frame_equal(_sorted(lake.read(name)), _sorted(files.read(name)))
        counted = lake.tables().table(name).count().execute()
        assert counted == snapshot.manifest["row_counts"][name], name
        held += counted
    assert held > 40
    # la_code=<LA>/part-0.parquet: the LA only in the folder's name, the year in the file.
    assert snapshot.manifest["partitioning"] == ["la_code"]
    parts = snapshot.lake_files("cla_episodes")
    assert parts
    for path in parts:
        assert path.parent.name.startswith("la_code=")
        assert path.parent.parent == snapshot.table_path("cla_episodes")
        names = pq.read_schema(path).names
        assert "return_year" in names and "la_code" not in names
    assert [p.relative_to(snapshot.path) for p in snapshot.lake_files("returns")] == [
        Path("returns/la_code=999/part-0.parquet")
    ]


def test_a_lake_by_la_and_year_reads_as_it_is_and_relayout_compacts_it(
    settings: Settings, tmp_path: Path
) -> None:
    lake_settings = settings.model_copy(
        update={"data_dir": tmp_path / "lake", "warehouse_layout": "lake"}
    )
    _ingest_all(lake_settings)
    warehouse = Warehouse(lake_settings.warehouse_dir)
    held = {name: warehouse.read(name) for name in SCHEMAS}
    old = lake_by_la_and_year(warehouse)
    assert "partitioning" not in old.manifest
    assert old.partition_columns("returns") == ("la_code", "year")
    assert not old.is_laid_out(Layout.LAKE)
    referrals = old.lake_files("cin_referrals")
    assert all(p.parent.name.startswith("return_year=") for p in referrals)
    assert warehouse.verify(old) == old  # the old checksums, recomputed from two levels
    for name in SCHEMAS:
        # The same rows; an older lake keeps them in LA and year order.
        pd.testing.assert_frame_equal(_sorted(warehouse.read(name, old)), _sorted(held[name]))
        counted = warehouse.tables(old).table(name).count().execute()
        assert counted == old.manifest["row_counts"][name], name

    new = warehouse.relayout(Layout.LAKE)
    assert (new.id, new.manifest["relaid_from"]) == ("0004", old.id)
    assert new.manifest["partitioning"] == ["la_code"] and new.is_laid_out(Layout.LAKE)
    assert warehouse.verify(new) == new
    assert len(new.lake_files("cin_referrals")) < len(referrals)  # a file per LA, not per year
    for name in SCHEMAS:
        assert warehouse.read(name, new).equals(warehouse.read(name, old)), name
    assert warehouse.relayout(Layout.LAKE).id == new.id  # compacted already


def test_relayout_round_trips_and_later_ingests_keep_the_layout(settings: Settings) -> None:
    ingest([DATA / "cin"], settings)
    warehouse = Warehouse(settings.warehouse_dir)
    first = warehouse.require_current()
    lake = warehouse.relayout(Layout.LAKE)
    assert (lake.id, lake.layout, lake.manifest["relaid_from"]) == ("0002", Layout.LAKE, "0001")
    assert lake.manifest["returns"] == first.manifest["returns"]
    assert warehouse.relayout(Layout.LAKE).id == "0002"  # already a lake
    ingest([DATA / "ssda903"], settings, la_code="999")
    assert warehouse.require_current().layout is Layout.LAKE
    back = warehouse.relayout(Layout.FILES)
    assert back.layout is Layout.FILES
    ssda903 = warehouse.snapshot("0003")
    for name in SCHEMAS:
        pd.testing.assert_frame_equal(
            _sorted(warehouse.read(name, back)), _sorted(warehouse.read(name, ssda903))
        )
    # Rolling back to the lake snapshot reads it as a lake again.
    warehouse.rollback(lake.id)
    assert warehouse.read("cin_children").num_rows == first.manifest["row_counts"]["cin_children"]


def test_an_unknown_layout_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CSCMONITOR_WAREHOUSE_LAYOUT", "heap")
    with pytest.raises(ValidationError) as refused:
        Settings()
    assert settings_problem(refused.value) == (
        "CSCMONITOR_WAREHOUSE_LAYOUT='heap': Input should be 'files' or 'lake'"
    )


@pytest.fixture(scope="module")
def two_las(tmp_path_factory: pytest.TempPathFactory) -> tuple[Snapshot, Snapshot]:
    """Two synthetic LAs' census years 2023-2024, ingested into a lake (by LA), and a copy
    of it partitioned as before December 2026 (by LA and year)."""
    root = tmp_path_factory.mktemp("two-las")
    generate_england(root / "returns", 2023, 2024, seed=5, las=list(TWO_LAS))
    settings = Settings(
        data_dir=root / "data",
        pseudonym_key=SecretStr("test-key-not-secret"),
        warehouse_layout="lake",
    )
    for la in TWO_LAS:
        report = ingest([root / "returns" / la], settings, la_code=la)
        assert report.problems.errors == 0
    shutil.copytree(root / "data", root / "old")
    old = settings.model_copy(update={"data_dir": root / "old"})
    new = Warehouse(settings.warehouse_dir).require_current()
    return new, lake_by_la_and_year(Warehouse(old.warehouse_dir))


PERIODS = series(Series.QUARTERLY, dt.date(2022, 4, 1), dt.date(2024, 3, 31), rolling=True)


@pytest.mark.slow
def test_duckdb_computes_the_same_indicators_on_both_partitionings(
    two_las: tuple[Snapshot, Snapshot],
) -> None:
    new, old = two_las
    assert new.partition_columns("cla_episodes") == ("la_code",)
    assert old.partition_columns("cla_episodes") == ("la_code", "return_year")
    by_la = compute(SnapshotTables(new, Backend.DUCKDB), PERIODS)
    assert set(by_la["la_code"]) == set(TWO_LAS)
    pd.testing.assert_frame_equal(by_la, compute(SnapshotTables(old, Backend.DUCKDB), PERIODS))


@pytest.mark.slow
@pytest.mark.spark
@pytest.mark.parametrize("partitioning", ["by LA", "by LA and year"])
def test_every_indicator_is_the_same_on_duckdb_and_spark_over_the_lake(
    two_las: tuple[Snapshot, Snapshot], partitioning: str
) -> None:
    pytest.importorskip("pyspark", reason="PySpark is not installed (pip install '.[spark]')")
    os.environ.setdefault("CSCMONITOR_SPARK_SMALL", "1")
    os.environ.setdefault("CSCMONITOR_SPARK_PARTITIONS", "1")
    snapshot = two_las[0] if partitioning == "by LA" else two_las[1]
    assert snapshot.layout is Layout.LAKE
    # The synthetic LAs send the CIN census, the 903 and workforce returns: every indicator
    # from those has a row per LA and period.
    held = {"cin", "ssda903", "workforce"}
    codes = [i.code for i in all_indicators() if i.source.value in held]
    tables = {backend: SnapshotTables(snapshot, backend) for backend in Backend}
    # The columns in folder names (the LA; the year too in the older lakes) and in the
    # files come out in the warehouse's types on both: LA codes as text, years as numbers.
    for name in ("cla_episodes", "returns"):
        schemas = [tables[backend].table(name).schema() for backend in Backend]
        assert schemas[0] == schemas[1], name
    results = {backend: compute(tables[backend], PERIODS) for backend in Backend}
    duckdb, spark = results[Backend.DUCKDB], results[Backend.PYSPARK]
    assert set(codes) <= set(duckdb["indicator"])
    assert set(duckdb["la_code"]) == set(TWO_LAS)
    # Something to compare: most indicators have figures for both LAs.
    assert (duckdb.groupby("indicator")["denominator"].sum() > 0).mean() > 0.5
    pd.testing.assert_frame_equal(duckdb, spark, check_dtype=False)


def _hand_made_lake(tmp_path: Path, second: pa.Table, by_year: bool = True) -> Snapshot:
    """A lake snapshot of `cla_reviews` in two partitions: LA 371's 2023 and LA 372's 2024;
    `by_year`: a folder per LA and year, as before December 2026, else the year in the file."""
    folder = tmp_path / "0001"
    first = pa.table({"child_id": ["a", "b"], "review_date": [dt.date(2023, 1, 5)] * 2})
    for (la, year), table in ((("371", 2023), first), (("372", 2024), second)):
        partition = folder / "cla_reviews" / f"la_code={la}"
        if by_year:
            partition /= f"return_year={year}"
        else:
            table = table.append_column("return_year", pa.array([year] * len(table), pa.int32()))
        partition.mkdir(parents=True)
        pq.write_table(table, partition / "part-0.parquet")
    manifest = {"layout": "lake", **({} if by_year else {"partitioning": ["la_code"]})}
    return Snapshot("0001", folder, manifest)


@pytest.mark.parametrize("by_year", [True, False])
def test_duckdb_reads_a_lake_table_whose_files_share_one_schema(
    tmp_path: Path, by_year: bool
) -> None:
    second = pa.table({"child_id": ["c"], "review_date": [dt.date(2024, 2, 1)]})
    source = duckdb_lake_source(_hand_made_lake(tmp_path, second, by_year), "cla_reviews")
    rows = duckdb.sql(
        f"SELECT la_code, return_year, child_id FROM {source} ORDER BY child_id"
    ).fetchall()
    # The partition columns typed from the folder names: the LA code stays text.
    assert rows == [("371", 2023, "a"), ("371", 2023, "b"), ("372", 2024, "c")]


def test_duckdb_refuses_a_lake_file_of_another_schema_rather_than_misread_it(
    tmp_path: Path,
) -> None:
    # Read without union_by_name (a snapshot's files are slices of one table): a file
    # lacking a column must stop the query, not give nulls or shifted columns.
    second = pa.table({"child_id": ["c"]})
    source = duckdb_lake_source(_hand_made_lake(tmp_path, second), "cla_reviews")
    with pytest.raises(duckdb.Error, match="review_date"):
        duckdb.sql(f"SELECT child_id, review_date FROM {source}").fetchall()
