"""What the pages' caches are keyed by (issue 18 item 3): the current snapshot, read again
only when the warehouse's pointer or the snapshot's manifest moves; the imported benchmark
releases; the party. Each test shows a page or a key before and after the move."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from cscmonitor.benchmarks.store import BenchmarkStore
from cscmonitor.records import audit, db
from cscmonitor.records.audit import Actor
from cscmonitor.records.models import AuditEntry
from cscmonitor.warehouse import Snapshot, Warehouse
from cscmonitor.web import performance
from cscmonitor.web.performance import Performance
from tests.benchmarks.conftest import NEWER, write


def _warehouse(root: Path, *snapshots: tuple[str, str]) -> Warehouse:
    """A warehouse of manifests only (id, checksum), the last one current."""
    for snapshot_id, checksum in snapshots:
        folder = root / "snapshots" / snapshot_id
        folder.mkdir(parents=True)
        (folder / "manifest.json").write_text(json.dumps({"parquet_sha256": {"t": checksum}}))
    (root / "CURRENT").write_text(snapshots[-1][0])
    return Warehouse(root)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The snapshot ids whose manifests were read."""
    read: list[str] = []
    original = Warehouse.snapshot

    def counted(self: Warehouse, snapshot_id: str) -> Snapshot:
        read.append(snapshot_id)
        return original(self, snapshot_id)

    monkeypatch.setattr(Warehouse, "snapshot", counted)
    return read


def test_the_manifest_is_read_once_until_the_pointer_moves(tmp_path, reads):
    warehouse = _warehouse(tmp_path / "w", ("0001", "aaa"), ("0002", "bbb"))
    figures = Performance(warehouse, tmp_path / "benchmarks")
    first = figures.snapshot()
    assert figures.snapshot() is first and figures.snapshot() is first
    assert reads == ["0002"]
    (tmp_path / "w" / "CURRENT").write_text("0001")  # a rollback
    assert figures.snapshot().id == "0001"
    assert figures.snapshot().manifest == {"parquet_sha256": {"t": "aaa"}}
    assert reads == ["0002", "0001"]


def test_a_manifest_replaced_under_the_same_id_is_read_again(tmp_path, reads):
    # A snapshot is never edited, but a restore may put another in place under the same id:
    # a new file (os.replace, as every manifest is written) is a move.
    warehouse = _warehouse(tmp_path / "w", ("0001", "aaa"))
    figures = Performance(warehouse, tmp_path / "benchmarks")
    assert figures.snapshot().content_key == figures.snapshot().content_key
    before = figures.snapshot().content_key
    manifest = tmp_path / "w" / "snapshots" / "0001" / "manifest.json"
    replacement = manifest.with_name("new.json")
    replacement.write_text(json.dumps({"parquet_sha256": {"t": "ccc"}}))
    os.replace(replacement, manifest)
    assert figures.snapshot().manifest == {"parquet_sha256": {"t": "ccc"}}
    assert figures.snapshot().content_key != before
    assert reads == ["0001", "0001"]


def test_no_current_snapshot_is_no_data_and_is_not_kept(tmp_path):
    root = tmp_path / "w"
    figures = Performance(Warehouse(root), tmp_path / "benchmarks")
    with pytest.raises(performance.NoData):
        figures.snapshot()
    _warehouse(root, ("0001", "aaa"))  # the first upload accepted
    assert figures.snapshot().id == "0001"


def test_content_keys_are_kept_by_snapshot_not_by_its_id():
    # Two snapshots of one id and path (a warehouse restored in place) with other contents:
    # the key kept for the first must not be handed to the second.
    one = Snapshot("0001", Path("/w/0001"), {"parquet_sha256": {"t": "aaa"}})
    other = Snapshot("0001", Path("/w/0001"), {"parquet_sha256": {"t": "bbb"}})
    assert one.content_key != other.content_key
    assert one.content_key == Snapshot(one.id, one.path, dict(one.manifest)).content_key


def test_an_import_of_benchmarks_moves_the_source_key(tmp_path):
    warehouse = _warehouse(tmp_path / "w", ("0001", "aaa"))
    store = tmp_path / "benchmarks"
    figures = Performance(warehouse, store)
    before = figures.source_key()
    assert before == ("0001", figures.snapshot().content_key, ())  # none imported
    BenchmarkStore(store).import_files([write(tmp_path / "c1_2016_to_2026.csv", NEWER)])
    imported = figures.source_key()
    assert imported != before and figures.source_key() == imported
    # The same file again is already held: the store's manifest is not rewritten.
    BenchmarkStore(store).import_files([write(tmp_path / "c1_2016_to_2026.csv", NEWER)])
    assert figures.source_key() == imported


# The pages ----------------------------------------------------------------------------------


def _snapshot_named(html: str) -> str:
    found = re.search(r"Figures from warehouse snapshot (\d+)\.", html)
    assert found, "the dashboard names no snapshot"
    return found.group(1)


def test_the_dashboard_names_the_snapshot_it_shows_after_a_move_and_a_rollback(world):
    # A copy of the demo's snapshot made current: the same contents (the figures are the
    # same cache entries), another id, which the page names.
    viewer = world.sign_in("viewer")
    snapshots = world.data_dir / "warehouse" / "snapshots"
    assert _snapshot_named(viewer.get("/").text) == "0001"
    shutil.copytree(snapshots / "0001", snapshots / "0002")
    (world.data_dir / "warehouse" / "CURRENT").write_text("0002")
    assert _snapshot_named(viewer.get("/").text) == "0002"
    (world.data_dir / "warehouse" / "CURRENT").write_text("0001")
    assert _snapshot_named(viewer.get("/").text) == "0001"


def _benchmark_la(html: str, year: str) -> str:
    """The LA's published value in the indicator page's benchmark row for `year`."""
    row = re.search(
        rf'<td class="govuk-table__cell">{year}</td>\s*<td class="[^"]*">([^<]*)</td>', html
    )
    assert row, f"no benchmark row for {year}"
    return row.group(1)


def test_an_import_of_benchmarks_shows_on_the_indicator_page(world, tmp_path):
    # NEWER restates Doncaster's re-referrals for the year to March 2016 (2015-16) from the
    # bundled 23.0% to 24.0%. The page's figures are rendered once per basket key: without
    # the imported releases in it, the page went on showing 23.0%.
    viewer = world.sign_in("viewer")
    assert _benchmark_la(viewer.get("/indicators/REREF_12M").text, "2015-16") == "23.0%"
    store = BenchmarkStore(world.data_dir / "benchmarks")
    store.import_files([write(tmp_path / "c1_2016_to_2026.csv", NEWER)])
    assert _benchmark_la(viewer.get("/indicators/REREF_12M").text, "2015-16") == "24.0%"


def _awaiting(html: str) -> list[str]:
    """The change requests the dashboard says are waiting for the reader's party."""
    found = re.search(r"Change requests waiting for your party:(.*?)</p>", html, re.S)
    return re.findall(r'href="/change-requests/([^"]+)"', found.group(1)) if found else []


def test_the_dashboard_lists_what_waits_for_the_readers_party_whoever_asked_first(world):
    # The demo's CV-2016-01 is a draft: the Trust may propose it, the Council may not move
    # it, and a viewer is of no party. The content is rendered once per party: a council
    # officer asking first must not give the Trust the Council's list, or the other way.
    council, manager, viewer = (world.sign_in(u) for u in ("council", "manager", "viewer"))
    first: dict[str, Any] = {"council": _awaiting(council.get("/").text)}
    first["manager"] = _awaiting(manager.get("/").text)
    first["viewer"] = _awaiting(viewer.get("/").text)
    assert "CV-2016-01" in first["manager"]
    assert "CV-2016-01" not in first["council"]
    assert first["viewer"] == []
    assert _awaiting(council.get("/").text) == first["council"]


def _viewers(world: Any) -> list[str]:
    """Who viewed child-level records, in the audit log's order."""
    with db.transaction(world.app.state.web.engine, Actor("test")) as session:
        return list(
            session.execute(
                select(AuditEntry.actor)
                .where(AuditEntry.entity == "child_records", AuditEntry.action == audit.VIEW)
                .order_by(AuditEntry.id)
            ).scalars()
        )


def _caption(html: str) -> str:
    found = re.search(r"Contributing records ([\d,]+ to [\d,]+ of [\d,]+)", html)
    assert found, "no table of records"
    return found.group(1)


def test_an_explain_page_rendered_once_is_still_audited_at_every_view(world):
    # The page's records are rendered once per basket key, indicator, period and page, and
    # shown as they are: each view is nonetheless one audit row, whoever asks and however
    # often, and each page number shows its own rows. CLA_3PLUS has more than 100 records
    # in the demo, so page 2 holds records 101 to 200.
    analyst, manager = world.sign_in("analyst"), world.sign_in("manager")
    url = "/indicators/CLA_3PLUS/explain"
    first = analyst.get(url).text
    assert analyst.get(url).text == first
    total = _caption(first).split(" of ")[1]
    assert _caption(first) == f"1 to 100 of {total}"
    assert _caption(manager.get(f"{url}?page=2").text) == f"101 to 200 of {total}"
    assert _caption(manager.get(url).text) == _caption(first)
    assert [who.rsplit("(", 1)[1] for who in _viewers(world)] == [
        "analyst)",
        "analyst)",
        "manager)",
        "manager)",
    ]
