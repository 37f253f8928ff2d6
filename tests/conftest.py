"""Shared fixtures: ingest hand-made returns into a throwaway warehouse and compute from it."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd
import pytest
from pydantic import SecretStr

from cscmonitor.backends import Backend, SnapshotTables
from cscmonitor.indicators.engine import compute
from cscmonitor.indicators.framework import Framework, dashboard
from cscmonitor.indicators.registry import (
    Domain,
    Indicator,
    Interval,
    Measure,
    Polarity,
    Source,
    Unit,
)
from cscmonitor.ingest import ingest
from cscmonitor.periods import Period
from cscmonitor.settings import Settings
from cscmonitor.warehouse import SCHEMAS, Snapshot, Warehouse, _write_lake

DATA = Path(__file__).parent / "data"
# Keys made by tests (the demo's, an upload's) go to a folder of this run, never ~/.config.
os.environ.setdefault(
    "CSCMONITOR_KEY_FILE",
    str(Path(tempfile.mkdtemp(prefix="cscmonitor-test-keys-")) / "pseudonym.key"),
)
SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", pseudonym_key=SecretStr("test-key-not-secret"))


Computer = Callable[..., pd.DataFrame]


@pytest.fixture(
    params=[Backend.DUCKDB, pytest.param(Backend.PYSPARK, marks=pytest.mark.spark)],
    ids=str,
)
def backend(request: pytest.FixtureRequest) -> Backend:
    """Every indicator test body runs on each backend; expected values come from the test."""
    if request.param is Backend.PYSPARK:
        pytest.importorskip("pyspark", reason="PySpark is not installed (pip install '.[spark]')")
        os.environ.setdefault("CSCMONITOR_SPARK_SMALL", "1")
        os.environ.setdefault("CSCMONITOR_SPARK_PARTITIONS", "1")
    return request.param


@pytest.fixture
def computed(settings: Settings, backend: Backend) -> Computer:
    """Ingest the given test returns, then compute indicators for the given periods."""

    def run(
        paths: Sequence[str], code: str, periods: Sequence[str], la_code: str = "999"
    ) -> pd.DataFrame:
        ingest([DATA / p for p in paths], settings, la_code=la_code)
        snapshot = Warehouse(settings.warehouse_dir).require_current()
        tables = SnapshotTables(snapshot, backend)
        result = compute(tables, [Period.parse(p) for p in periods], codes=[code])
        return result.set_index(result["period_start"].astype(str))

    return run


def make_indicator(
    code: str,
    unit: Unit = Unit.PERCENT,
    polarity: Polarity = Polarity.LOWER,
    title: str | None = None,
) -> Indicator:
    """An indicator for tests of what happens after the engine (its body is never run)."""
    return Indicator(
        code=code,
        title=title or f"Title of {code}",
        unit=unit,
        polarity=polarity,
        source=Source.CIN_CENSUS,
        definition="",
        comparator=None,
        min_denominator=5,
        lookback_months=None,
        interval=Interval.WILSON,
        body=lambda tables, periods: periods,
        measure=Measure.PROPORTION,
        domain=Domain.REFERRALS,
        framework=dashboard(Framework.STAY_TOGETHER, 2),
    )


def lake_by_la_and_year(warehouse: Warehouse) -> Snapshot:
    """The current lake snapshot rewritten in place as lakes were before December 2026: a
    folder per LA and year in every table, no partitioning in the manifest."""
    snapshot = warehouse.require_current()
    manifest = json.loads(json.dumps(snapshot.manifest))
    del manifest["partitioning"]
    old = Snapshot(snapshot.id, snapshot.path, manifest)
    for name in SCHEMAS:
        table = warehouse.read(name, snapshot)
        shutil.rmtree(snapshot.table_path(name))
        by = old.partition_columns(name)
        manifest["parquet_sha256"][name] = _write_lake(table, old.table_path(name), by)
    (snapshot.path / "manifest.json").write_text(json.dumps(manifest))
    return warehouse.require_current()
