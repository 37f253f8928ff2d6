"""Snapshot integrity: a flipped bit is found by verify, by rollback and by every read;
pruning never removes the current snapshot."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cscmonitor.cli import app
from cscmonitor.ingest import ingest
from cscmonitor.warehouse import DamagedSnapshot, Layout, Warehouse
from tests.conftest import lake_by_la_and_year

INGEST = Path(__file__).parent / "data" / "ingest"
runner = CliRunner()


def cli(settings, *args: str):
    return runner.invoke(
        app,
        [*args, "--data-dir", str(settings.data_dir)],
        env={"CSCMONITOR_PSEUDONYM_KEY": settings.pseudonym_key.get_secret_value()},
    )


def two_snapshots(settings) -> Warehouse:
    """0001: the 2017 CIN census; 0002: that and LA 999's early help (current)."""
    ingest([INGEST / "cin" / "CIN_Census_2017.xml"], settings)
    ingest([INGEST / "early_help"], settings, la_code="999")
    return Warehouse(settings.warehouse_dir)


def flip_a_bit(path: Path) -> None:
    """One bit in the middle of the file: in a data page, where a reader may not notice."""
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def test_verify_passes_on_a_whole_warehouse_and_names_a_damaged_table(settings):
    warehouse = two_snapshots(settings)
    whole = cli(settings, "verify", "--all")
    assert whole.exit_code == 0, whole.output
    assert "snapshot 0002 (current)" in whole.output and "snapshot 0001" in whole.output

    flip_a_bit(warehouse.snapshots_dir / "0002" / "cin_referrals.parquet")
    damaged = cli(settings, "verify")
    assert damaged.exit_code == 1
    assert "Traceback" not in damaged.output
    # One line: the snapshot, the table, and the way back (the earlier snapshot is whole).
    line = next(x for x in damaged.output.splitlines() if "FAILED" in x)
    assert "snapshot 0002: table cin_referrals is damaged" in line
    assert "cscmonitor rollback 0001" in line


def test_a_damaged_table_is_never_read(settings):
    warehouse = two_snapshots(settings)
    flip_a_bit(warehouse.snapshots_dir / "0002" / "cin_referrals.parquet")
    with pytest.raises(DamagedSnapshot, match="snapshot 0002: table cin_referrals"):
        warehouse.read("cin_referrals")
    with pytest.raises(DamagedSnapshot, match="table cin_referrals"):
        warehouse.tables().table("cin_referrals")
    # The indicators' command says it in one line too, not a traceback.
    computed = cli(settings, "compute", "--period", "2016-04-01:2017-03-31")
    assert computed.exit_code == 2
    assert "Traceback" not in computed.output
    assert "table cin_referrals is damaged" in computed.output
    # Nor is a new snapshot built over it: the ingest is refused, the current one stays.
    with pytest.raises(DamagedSnapshot):
        ingest([INGEST / "workforce"], settings, la_code="999")
    assert warehouse.require_current().id == "0002"


def test_rollback_onto_a_damaged_snapshot_is_refused(settings):
    warehouse = two_snapshots(settings)
    flip_a_bit(warehouse.snapshots_dir / "0001" / "cin_referrals.parquet")
    with pytest.raises(DamagedSnapshot, match=r"snapshot 0001 is damaged .*cin_referrals"):
        warehouse.rollback("0001")
    assert warehouse.require_current().id == "0002"
    refused = cli(settings, "rollback", "1")
    assert refused.exit_code == 2
    assert "Traceback" not in refused.output
    assert "not made current" in refused.output


@pytest.mark.parametrize("by_year", [False, True], ids=["by LA", "by LA and year"])
def test_a_lake_snapshot_is_verified_file_by_file(settings, by_year):
    warehouse = two_snapshots(settings)
    lake = warehouse.relayout(Layout.LAKE)
    if by_year:  # a lake written before December 2026
        lake = lake_by_la_and_year(warehouse)
    assert warehouse.verify(lake) == lake  # the digest recomputed from the partitions
    part = lake.lake_files("eh_episodes")[0]
    assert part.parent.name.startswith("return_year=" if by_year else "la_code=")
    flip_a_bit(part)
    with pytest.raises(DamagedSnapshot, match=f"snapshot {lake.id}: table eh_episodes"):
        warehouse.verify()


def test_prune_keeps_the_newest_and_the_current(settings):
    warehouse = two_snapshots(settings)
    ingest([INGEST / "workforce"], settings, la_code="999")  # 0003, current
    warehouse.rollback("0001")  # an older one is current now
    pruned = cli(settings, "snapshots", "prune", "--keep", "1")
    assert pruned.exit_code == 0, pruned.output
    # Keep 1: the newest (0003) stays, and 0001 because it is current; 0002 goes.
    assert [s.id for s in warehouse.snapshots()] == ["0001", "0003"]
    assert warehouse.require_current().id == "0001"
    assert not (warehouse.snapshots_dir / "0002").exists()
    assert cli(settings, "verify", "--all").exit_code == 0
    # A new snapshot after pruning never reuses a pruned id's place wrongly: it is 0004.
    ingest([INGEST / "virtual_school"], settings, la_code="999")
    assert warehouse.require_current().id == "0004"


def test_prune_refuses_to_keep_nothing(settings):
    two_snapshots(settings)
    refused = cli(settings, "snapshots", "prune", "--keep", "0")
    assert refused.exit_code == 2
    assert len(Warehouse(settings.warehouse_dir).snapshots()) == 2
