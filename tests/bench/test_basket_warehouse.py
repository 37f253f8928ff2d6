"""bench/basket.py keeps its warehouse: a lake kept from before December 2026 (by LA and
year) is compacted into a lake by LA, not ingested again; one whose assessment factors lack
their assessment's authorisation date is not kept."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import pyarrow.parquet as pq
from pydantic import SecretStr
from tests.conftest import DATA, lake_by_la_and_year

from cscmonitor.ingest import ingest
from cscmonitor.settings import Settings
from cscmonitor.warehouse import SCHEMAS, Layout, Snapshot, Warehouse


def test_a_kept_lake_by_la_and_year_is_compacted(basket: ModuleType, tmp_path: Path) -> None:
    plan = basket.Plan(tmp_path, 2016, 2017, ("999",), seed=0, quick=True)
    plan.returns.mkdir()
    (plan.returns / "england.json").write_text("{}")  # the returns the warehouse was made of
    settings = Settings(
        data_dir=plan.data_dir,
        pseudonym_key=SecretStr("test-key-not-secret"),
        warehouse_layout="lake",
    )
    ingest([DATA / "ingest" / "cin"], settings)
    (plan.data_dir / "bench.json").write_text(
        json.dumps((plan.returns / "england.json").stat().st_mtime_ns)
    )
    warehouse = Warehouse(settings.warehouse_dir)
    old = lake_by_la_and_year(warehouse)

    (root, kept), note = basket._warehouse(plan, 1)
    assert note.startswith(f"Warehouse: snapshot {kept} relaid from snapshot {old.id} (a lake")
    new = warehouse.require_current()
    assert (root, kept) == (settings.warehouse_dir, new.id)
    assert new.is_laid_out(Layout.LAKE) and new.manifest["relaid_from"] == old.id
    assert new.manifest["row_counts"] == old.manifest["row_counts"]
    assert sum(new.manifest["row_counts"][name] for name in SCHEMAS) > 0
    # Kept as it is the next time.
    assert basket._warehouse(plan, 1) == (
        (root, kept),
        f"Warehouse: snapshot {kept} reused (layout lake).",
    )


def test_a_warehouse_whose_factors_lack_their_dates_is_not_kept(
    basket: ModuleType, tmp_path: Path
) -> None:
    """Factors ingested before they carried their assessment's authorisation date (December
    2026) would have the basket time the join it no longer needs: such a warehouse is
    ingested again, one ingested since is kept."""
    settings = Settings(data_dir=tmp_path, pseudonym_key=SecretStr("test-key-not-secret"))
    ingest([DATA / "ingest" / "cin"], settings)
    held = Warehouse(settings.warehouse_dir).require_current()
    assert basket._factors_dated(held)
    factors = held.table_path("cin_assessment_factors")
    table = pq.read_table(factors)
    assert table.num_rows > 0
    before = tmp_path / "before"
    before.mkdir()
    pq.write_table(table.drop(["assessment_authorised_date"]), before / factors.name)
    assert not basket._factors_dated(Snapshot("before", before, {"layout": "files"}))
    # A snapshot with no factors' file at all (written before the census) has nothing to lack.
    assert basket._factors_dated(Snapshot("empty", tmp_path / "empty", {"layout": "files"}))
