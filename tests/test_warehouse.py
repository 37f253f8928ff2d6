"""Warehouse snapshots: immutable, durable, atomic; returns merged by their documented keys."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from pydantic import SecretStr

from cscmonitor import warehouse
from cscmonitor.backends import Backend, SnapshotTables
from cscmonitor.ingest import ingest
from cscmonitor.returns.issues import ReturnError
from cscmonitor.settings import Settings
from cscmonitor.warehouse import Layout, ReturnRefused, Warehouse
from tests.conftest import DATA
from tests.returns.conftest import make_return


def held(warehouse: Warehouse, table: str, *columns: str) -> list[tuple]:
    rows = warehouse.read(table).to_pylist()
    return sorted(tuple(str(r[c]) for c in columns) for r in rows)


def parsed(kind: str, year: int, tables: dict, la_code: str = "999", files: str = "v1"):
    p = make_return(kind, year, tables, la_code=la_code)
    p.files = {f"{kind}-{year}-{la_code}.csv": files}
    return p


class TestMerging:
    def test_las_and_years_are_kept_apart(self, tmp_path):
        warehouse = Warehouse(tmp_path)
        ref = {"child_id": "C1", "referral_date": "2015-05-01"}
        warehouse.ingest(
            [
                parsed(
                    "cin",
                    2015,
                    {
                        "cin_referrals": [
                            ref | {"referral_date": "2014-06-01", "closure_date": "2014-07-01"}
                        ]
                    },
                ),
                parsed("cin", 2016, {"cin_referrals": [ref]}),
                parsed("cin", 2016, {"cin_referrals": [ref]}, la_code="888"),
            ]
        )
        assert held(warehouse, "cin_referrals", "la_code", "return_year", "referral_date") == [
            ("888", "2016", "2015-05-01"),
            ("999", "2015", "2014-06-01"),
            ("999", "2016", "2015-05-01"),
        ]
        assert held(warehouse, "returns", "la_code", "kind", "year") == [
            ("888", "cin", "2016"),
            ("999", "cin", "2015"),
            ("999", "cin", "2016"),
        ]

    def test_the_newer_return_supersedes_what_was_open_in_its_year(self, tmp_path):
        warehouse = Warehouse(tmp_path)
        open_ = {"child_id": "C1", "decom": "2015-01-01"}
        warehouse.ingest([parsed("ssda903", 2015, {"cla_episodes": [open_]})])
        warehouse.ingest(
            [
                parsed(
                    "ssda903", 2016, {"cla_episodes": [open_ | {"dec": "2015-06-01", "rec": "E4A"}]}
                )
            ]
        )
        assert held(warehouse, "cla_episodes", "return_year", "dec") == [("2016", "2015-06-01")]

    def test_a_childs_details_come_from_the_newest_return(self, tmp_path):
        warehouse = Warehouse(tmp_path)
        warehouse.ingest(
            [
                parsed(
                    "ssda903",
                    2015,
                    {
                        "cla_children": [
                            {"child_id": "C1", "sex": "1"},
                            {"child_id": "C2", "sex": "1"},
                        ]
                    },
                ),
                # The 2016 return lists C1 twice: both rows are kept, whatever their order.
                parsed(
                    "ssda903",
                    2016,
                    {
                        "cla_children": [
                            {"child_id": "C1", "sex": "2"},
                            {"child_id": "C1", "sex": "1"},
                        ]
                    },
                ),
            ]
        )
        assert held(warehouse, "cla_children", "child_id", "return_year", "sex") == [
            ("C1", "2016", "1"),
            ("C1", "2016", "2"),
            ("C2", "2015", "1"),
        ]

    def test_per_year_outcomes_are_kept_from_every_year(self, tmp_path):
        warehouse = Warehouse(tmp_path)
        oc3 = {"child_id": "C1", "in_touch": "YES"}
        warehouse.ingest(
            [
                parsed("ssda903", 2015, {"cla_oc3": [oc3 | {"activity": "F1"}]}),
                parsed("ssda903", 2016, {"cla_oc3": [oc3 | {"activity": "G4"}]}),
            ]
        )
        assert held(warehouse, "cla_oc3", "return_year", "activity") == [
            ("2015", "F1"),
            ("2016", "G4"),
        ]

    def test_a_resubmitted_return_replaces_every_table_of_it(self, tmp_path):
        warehouse = Warehouse(tmp_path)
        episode = {"decom": "2015-05-01"}
        first = {
            "cla_oc3": [{"child_id": "C1"}],
            "cla_children": [{"child_id": "C1"}],
            "cla_episodes": [episode | {"child_id": "C1"}],
        }
        warehouse.ingest([parsed("ssda903", 2016, first)])
        # The whole return again: C2 instead of C1, and an OC3 file with no rows (no one
        # reached the OC3 age: a true answer, not a missing file).
        second = {
            "cla_oc3": [],
            "cla_children": [{"child_id": "C2"}],
            "cla_episodes": [episode | {"child_id": "C2"}],
        }
        result = warehouse.ingest([parsed("ssda903", 2016, second, files="v2")])
        assert result.changed
        assert held(warehouse, "cla_children", "child_id") == [("C2",)]
        assert warehouse.read("cla_oc3").num_rows == 0

    def test_a_return_without_a_table_held_does_not_replace_it(self, tmp_path):
        warehouse = Warehouse(tmp_path)
        episode = {"decom": "2015-05-01", "child_id": "C1"}
        first = {
            "cla_oc3": [{"child_id": "C1"}],
            "cla_children": [{"child_id": "C1"}],
            "cla_episodes": [episode],
        }
        warehouse.ingest([parsed("ssda903", 2016, first)])
        second = {"cla_children": [{"child_id": "C2"}], "cla_episodes": [episode]}
        with pytest.raises(ReturnRefused, match="have no rows of cla_oc3"):
            warehouse.ingest([parsed("ssda903", 2016, second, files="v2")])
        assert warehouse.read("cla_oc3").num_rows == 1
        # As a partial update, the tables given replace theirs; the OC3 row is kept.
        warehouse.ingest([parsed("ssda903", 2016, second, files="v2")], partial=True)
        assert held(warehouse, "cla_children", "child_id") == [("C2",)]
        assert held(warehouse, "cla_oc3", "child_id") == [("C1",)]

    def test_rows_below_a_referral_follow_it(self, tmp_path):
        warehouse = Warehouse(tmp_path)
        ref = {"child_id": "C1", "referral_date": "2015-01-10"}
        warehouse.ingest(
            [
                parsed(
                    "cin",
                    2015,
                    {
                        "cin_referrals": [ref],
                        "cin_assessments": [ref | {"start_date": "2015-01-12"}],
                    },
                )
            ]
        )
        warehouse.ingest(
            [
                parsed(
                    "cin",
                    2016,
                    {
                        "cin_referrals": [
                            ref | {"closure_date": "2015-05-01", "closure_reason": "RC8"}
                        ],
                        "cin_assessments": [
                            ref | {"start_date": "2015-01-12", "authorised_date": "2015-02-01"}
                        ],
                    },
                )
            ]
        )
        assert held(warehouse, "cin_assessments", "return_year", "authorised_date") == [
            ("2016", "2015-02-01")
        ]

    def test_plan_reviews_are_kept_by_their_date_not_their_referral(self, tmp_path):
        warehouse = Warehouse(tmp_path)
        ref = {"child_id": "C1", "referral_date": "2014-11-01", "plan_start_date": "2014-12-01"}
        # 2015's census: the plan's first review, and one later corrected away.
        warehouse.ingest(
            [
                parsed(
                    "cin",
                    2015,
                    {
                        "cin_referrals": [{"child_id": "C1", "referral_date": "2014-11-01"}],
                        "cin_plan_reviews": [
                            ref | {"review_date": "2015-02-20"},
                            ref | {"review_date": "2015-04-10"},
                        ],
                    },
                )
            ]
        )
        # 2016's census lists only its year's review (2015-08-20) of the same plan: the
        # referral is superseded, but the review of February 2015 lies before 2016's year
        # and stays; the April review lies in 2016's year, which does not list it, so it goes.
        warehouse.ingest(
            [
                parsed(
                    "cin",
                    2016,
                    {
                        "cin_referrals": [{"child_id": "C1", "referral_date": "2014-11-01"}],
                        "cin_plan_reviews": [ref | {"review_date": "2015-08-20"}],
                    },
                )
            ]
        )
        assert held(warehouse, "cin_plan_reviews", "return_year", "review_date") == [
            ("2015", "2015-02-20"),
            ("2016", "2015-08-20"),
        ]

    def test_plan_reviews_listed_again_are_held_once_as_the_newer_return_lists_them(self, tmp_path):
        ref = {"child_id": "C1", "referral_date": "2014-11-01", "plan_start_date": "2014-12-01"}
        other = ref | {"child_id": "C2", "referral_date": "2014-11-02"}
        referrals = [{k: r[k] for k in ("child_id", "referral_date")} for r in (ref, other)]
        first = {
            "cin_referrals": referrals,
            "cin_plan_reviews": [r | {"review_date": "2015-02-20"} for r in (ref, other)],
        }
        # 2016's census lists C1's plan's reviews again, the one of February 2015 with its
        # own: only 2016's copy stays. C2's review, not listed again, stays with 2015.
        second = {
            "cin_referrals": referrals[:1],
            "cin_plan_reviews": [ref | {"review_date": d} for d in ("2015-02-20", "2015-08-20")],
        }
        expected = [
            ("C1", "2016", "2015-02-20"),
            ("C1", "2016", "2015-08-20"),
            ("C2", "2015", "2015-02-20"),
        ]
        # Ingested one after the other, or together.
        apart = Warehouse(tmp_path / "apart")
        apart.ingest([parsed("cin", 2015, first)])
        apart.ingest([parsed("cin", 2016, second)])
        together = Warehouse(tmp_path / "together")
        together.ingest([parsed("cin", 2015, first), parsed("cin", 2016, second)])
        columns = ("child_id", "return_year", "review_date")
        assert held(apart, "cin_plan_reviews", *columns) == expected
        assert held(together, "cin_plan_reviews", *columns) == expected


class TestSnapshots:
    def test_each_ingest_is_a_new_snapshot_with_a_manifest(self, settings):
        report = ingest([DATA / "ingest" / "cin"], settings)
        snapshot = report.result.snapshot
        manifest = snapshot.manifest
        assert snapshot.id == "0001"
        census = DATA / "ingest" / "cin" / "CIN_Census_2025.xml"
        digest = hashlib.sha256(census.read_bytes()).hexdigest()
        (held_return,) = [r for r in manifest["returns"] if r["year"] == 2025]
        assert held_return["names"] == {"CIN_Census_2025.xml": digest}
        assert held_return["tables"]["cin_children"] == {"read": 3, "loaded": 3, "rejected": 0}
        # K1 is in both returns and held once, as the newer return has it; K2 and K3.
        assert manifest["row_counts"]["cin_children"] == 3
        assert manifest["validation"]["warnings"] == 1
        for table, checksum in manifest["parquet_sha256"].items():
            path = snapshot.table_path(table)
            assert hashlib.sha256(path.read_bytes()).hexdigest() == checksum
        assert settings.pseudonym_key.get_secret_value() not in json.dumps(manifest)

    def test_the_same_files_twice_change_nothing(self, settings):
        first = ingest([DATA / "ingest" / "cin"], settings)
        again = ingest([DATA / "ingest" / "cin"], settings)
        assert not again.result.changed
        assert again.result.snapshot.id == first.result.snapshot.id
        warehouse = Warehouse(settings.warehouse_dir)
        assert [s.id for s in warehouse.snapshots()] == ["0001"]
        assert again.report_files[0].name.startswith("ingest-0001-again-")

    def test_rollback_restores_an_earlier_snapshot(self, settings):
        ingest([DATA / "ingest" / "cin" / "CIN_Census_2017.xml"], settings)
        ingest([DATA / "ingest" / "cin" / "CIN_Census_2025.xml"], settings)
        warehouse = Warehouse(settings.warehouse_dir)
        assert warehouse.read("cin_children").num_rows == 3
        restored = warehouse.rollback("0001")
        assert warehouse.require_current().id == restored.id == "0001"
        assert warehouse.read("cin_children").num_rows == 1
        # Nothing is deleted, and the next ingest builds on the restored snapshot.
        assert [s.id for s in warehouse.snapshots()] == ["0001", "0002"]
        ingest([DATA / "ingest" / "early_help"], settings, la_code="999")
        assert warehouse.require_current().id == "0003"
        assert warehouse.read("cin_children").num_rows == 1

    def test_rollback_refuses_what_is_not_a_whole_snapshot(self, settings):
        ingest([DATA / "ingest" / "cin"], settings)
        warehouse = Warehouse(settings.warehouse_dir)
        with pytest.raises(FileNotFoundError, match="snapshot 0009 not found"):
            warehouse.rollback("0009")
        (warehouse.snapshots_dir / "0001" / "cin_plans.parquet").unlink()
        with pytest.raises(ReturnError, match="incomplete"):
            warehouse.rollback("0001")

    def test_a_snapshot_from_before_a_table_or_column_existed_reads_in_todays_schema(
        self, settings
    ):
        ingest([DATA / "ingest" / "cin"], settings)
        warehouse = Warehouse(settings.warehouse_dir)
        snapshot = warehouse.require_current()
        snapshot.table_path("cin_pre_proceedings").unlink()
        children = pq.read_table(snapshot.table_path("cin_children"))
        pq.write_table(children.drop_columns(["death_date"]), snapshot.table_path("cin_children"))
        # As that older snapshot's manifest would say: no such table, the file's own checksum.
        manifest = json.loads((snapshot.path / "manifest.json").read_text())
        del manifest["parquet_sha256"]["cin_pre_proceedings"]
        manifest["parquet_sha256"]["cin_children"] = hashlib.sha256(
            snapshot.table_path("cin_children").read_bytes()
        ).hexdigest()
        (snapshot.path / "manifest.json").write_text(json.dumps(manifest))
        snapshot = warehouse.require_current()
        assert warehouse.read("cin_pre_proceedings").num_rows == 0
        assert warehouse.read("cin_children")["death_date"].null_count == 3
        assert warehouse.tables().table("cin_pre_proceedings").count().execute() == 0
        # The indicators' view of the snapshot (DuckDB here; tests/test_lake.py runs Spark).
        tables = SnapshotTables(snapshot, Backend.DUCKDB)
        assert tables.table("cin_pre_proceedings").count().execute() == 0
        assert "pp_outcome" in tables.table("cin_pre_proceedings").columns
        with pytest.raises(KeyError, match="no warehouse table 'nope'"):
            tables.table("nope")
        ingest([DATA / "ingest" / "early_help"], settings, la_code="999")  # merges over it

    def test_a_snapshot_records_whether_its_assessments_and_referrals_repeat(self, tmp_path):
        # ASSESS_45WD counts an assessment (child, start, authorisation) once, and a child's
        # referrals of one date are one: the snapshot says whether any repeats, so the
        # indicators merge them only when one does.
        warehouse = Warehouse(tmp_path)
        ref = {"child_id": "C1", "referral_date": "2015-01-10"}
        later = {"child_id": "C1", "referral_date": "2015-03-01"}
        done = {"start_date": "2015-01-12", "authorised_date": "2015-02-01"}
        columns = ["la_code", "child_id", "start_date", "authorised_date"]
        warehouse.ingest(
            [
                parsed(
                    "cin",
                    2015,
                    {
                        "cin_referrals": [ref, later],
                        # The same start under two referrals, authorised on other days: two.
                        "cin_assessments": [ref | done, later | done | {"authorised_date": None}],
                    },
                )
            ]
        )
        first = warehouse.require_current()
        dates = ["la_code", "child_id", "referral_date"]
        assert first.manifest["distinct"] == {"cin_assessments": columns, "cin_referrals": dates}
        assert first.holds_distinct("cin_assessments", columns)
        # Rows alike on no two sets of those are alike on none with more columns either...
        assert first.holds_distinct("cin_assessments", [*columns, "referral_date"])
        # ...but may be on fewer, and no other table is known to hold distinct rows.
        assert not first.holds_distinct("cin_assessments", ["la_code", "child_id"])
        assert not first.holds_distinct("cin_referrals", ["la_code", "child_id"])
        assert SnapshotTables(first).holds_distinct("cin_assessments", columns)
        assert warehouse.tables(first).holds_distinct("cin_assessments", columns)
        # The same assessment recorded under the later referral too: it repeats.
        other = Warehouse(tmp_path / "other")
        other.ingest(
            [
                parsed(
                    "cin",
                    2015,
                    {
                        # And the first referral recorded twice (referrals reads one).
                        "cin_referrals": [ref, later, ref | {"closure_date": "2015-02-01"}],
                        "cin_assessments": [ref | done, later | done],
                    },
                )
            ]
        )
        second = other.require_current()
        assert second.manifest["distinct"] == {}
        assert not second.holds_distinct("cin_assessments", columns)
        assert not second.holds_distinct("cin_referrals", dates)
        # A lake written from the first (its tables read into memory) records it again, and a
        # snapshot written before the record was kept holds nothing known.
        lake = warehouse.relayout(Layout.LAKE)
        assert lake.holds_distinct("cin_assessments", columns)
        del lake.manifest["distinct"]
        assert not lake.holds_distinct("cin_assessments", columns)

    def test_another_key_or_other_reductions_are_refused(self, settings, tmp_path):
        ingest([DATA / "ingest" / "cin"], settings)
        other_key = settings.model_copy(update={"pseudonym_key": SecretStr("another key")})
        with pytest.raises(ReturnError, match="the pseudonymisation key"):
            ingest([DATA / "ingest" / "early_help"], other_key, la_code="999")
        by_month = settings.model_copy(update={"birth_date_precision": "month"})
        with pytest.raises(ReturnError, match=r"birth_date_precision \(day -> month\)"):
            ingest([DATA / "ingest" / "early_help"], by_month, la_code="999")
        assert Warehouse(settings.warehouse_dir).require_current().id == "0001"


CRASHING_INGEST = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from pydantic import SecretStr
    from cscmonitor import warehouse
    from cscmonitor.ingest import ingest
    from cscmonitor.settings import Settings

    # Each table of the snapshot is flushed to disk as it lands in the staging folder.
    real, calls = warehouse._durable, []

    def slow_durable(*args, **kwargs):
        calls.append(1)
        digest = real(*args, **kwargs)
        if len(calls) == 5:  # some tables written, most not: now the kill comes
            Path(sys.argv[3]).write_text("writing")
            time.sleep(120)
        return digest

    warehouse._durable = slow_durable
    settings = Settings(data_dir=Path(sys.argv[2]), pseudonym_key=SecretStr("test-key-not-secret"))
    ingest([Path(sys.argv[1])], settings, la_code="999")
    """
)


def test_a_kill_mid_ingest_leaves_the_previous_snapshot_whole(settings, tmp_path):
    first = ingest([DATA / "ingest" / "cin"], settings).result.snapshot
    marker = tmp_path / "marker"
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            CRASHING_INGEST,
            str(DATA / "ingest" / "ssda903"),
            str(settings.data_dir),
            str(marker),
        ],
        env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)),
    )
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert child.poll() is None, "the ingest ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.1)
    child.send_signal(signal.SIGKILL)
    child.wait()
    warehouse = Warehouse(settings.warehouse_dir)
    assert warehouse.require_current().id == first.id
    for table, rows in first.manifest["row_counts"].items():
        assert warehouse.read(table).num_rows == rows
    assert list(warehouse.snapshots_dir.glob(".staging-*"))  # the half-written snapshot
    # The next ingest clears it away and moves the pointer.
    after = ingest([DATA / "ingest" / "ssda903"], settings, la_code="999").result.snapshot
    assert after.id == "0002"
    assert not list(warehouse.snapshots_dir.glob(".staging-*"))
    assert warehouse.read("cla_episodes").num_rows == 4


def test_a_failed_write_keeps_the_previous_snapshot(settings, monkeypatch):
    first = ingest([DATA / "ingest" / "cin"], settings).result.snapshot
    calls = {"n": 0}
    real = warehouse._durable  # each table is flushed as it lands in the snapshot's folder

    def crash_midway(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(warehouse, "_durable", crash_midway)
    with pytest.raises(OSError, match="disk full"):
        ingest([DATA / "ingest" / "early_help"], settings, la_code="999")
    monkeypatch.undo()
    assert Warehouse(settings.warehouse_dir).require_current().id == first.id


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", pseudonym_key=SecretStr("test-key-not-secret"))


C1 = {"child_id": "C1", "referral_date": "2013-06-01"}
C2 = {"child_id": "C2", "referral_date": "2013-09-01"}
C3 = {"child_id": "C3", "referral_date": "2012-05-01"}
C4 = {"child_id": "C4", "referral_date": "2015-06-01"}


class TestMissingYear:
    """CIN census returns for 2013, 2014 and 2016 but not 2015 (LA 371; each census year
    runs 1 April to 31 March). The referrals, each child's reason beside it:

    - C1: referred 1 Jun 2013, open on 31 Mar 2014 (2014 return); not in the 2016 return, so
      it closed in 2014-15, the missing year. Kept, its end bounded by 31 Mar 2015.
    - C2: referred 1 Sep 2013, open on 31 Mar 2014, and still open in the 2016 return: the
      2016 return carries it, so it is held once, as 2016 has it.
    - C3: referred 1 May 2012, open on 31 Mar 2013 (2013 return), closed 1 May 2013 (2014
      return, the next one): superseded by the 2014 row, as always.
    - C4: referred 1 Jun 2015, only in the 2016 return.
    """

    def returns(self, *years: int) -> list:
        rows = {
            2013: [C3],
            2014: [C1, C2, C3 | {"closure_date": "2013-05-01"}],
            2016: [C2, C4],
        }
        return [
            parsed("cin", y, {"cin_referrals": rows[y]}, la_code="371", files=str(y)) for y in years
        ]

    def figures(self, warehouse: Warehouse, code: str, *periods: str):
        from cscmonitor.indicators.engine import compute
        from cscmonitor.periods import Period

        tables = SnapshotTables(warehouse.require_current(), Backend.DUCKDB)
        result = compute(tables, [Period.parse(p) for p in periods], codes=[code])
        return result.set_index(result["period_start"].astype(str))

    def test_the_rows_before_the_gap_are_kept_and_bounded(self, tmp_path):
        warehouse = Warehouse(tmp_path)
        warehouse.ingest(self.returns(2013, 2014, 2016))
        assert held(warehouse, "cin_referrals", "child_id", "return_year", "closure_date") == [
            ("C1", "2014", "2015-03-31"),  # kept; ended in the missing year at the latest
            ("C2", "2016", "None"),  # carried by the 2016 return
            ("C3", "2014", "2013-05-01"),  # the 2014 return closed it
            ("C4", "2016", "None"),
        ]

    def test_the_figures_before_the_gap_do_not_move_and_the_gap_is_named(self, tmp_path):
        before = Warehouse(tmp_path / "before")
        before.ingest(self.returns(2013, 2014))
        after = Warehouse(tmp_path / "after")
        after.ingest(self.returns(2013, 2014, 2016))
        year = "2013-04-01:2014-03-31"
        gap = "2014-04-01:2015-03-31"
        last = "2015-04-01:2016-03-31"
        # CIN_RATE's numerator: children in need on 31 Mar 2014 = C1 and C2, with or
        # without the 2016 return (before the fix, C1 went with the 2016 return: 1).
        then = self.figures(before, "CIN_RATE", year).loc["2013-04-01"]
        now = self.figures(after, "CIN_RATE", year, gap, last)
        assert (then["numerator"], now.loc["2013-04-01", "numerator"]) == (2, 2)
        assert now.loc["2013-04-01", "status"] == then["status"] == "ok"
        # The missing year itself: no value, status says why.
        assert now.loc["2014-04-01", "status"] == "return missing"
        assert pd.isna(now.loc["2014-04-01", "value"])
        # 2015-16 is the 2016 return's own year (no lookback): C2 and C4; C1 ended by then.
        assert now.loc["2015-04-01", ["numerator", "status"]].tolist() == [2, "ok"]
        # REREF_12M looks back 12 months from each referral: in 2015-16 that reaches into
        # the missing year, so it is flagged too; 2013-14 looks back into 2012-13, held.
        reref = self.figures(after, "REREF_12M", year, last)
        assert reref.loc["2015-04-01", "status"] == "return missing"
        assert reref.loc["2013-04-01", "status"] != "return missing"

    def test_ingest_names_the_missing_return(self, settings):
        # The 2017 and 2025 censuses of LA 999: the seven years between are missing.
        report = ingest([DATA / "ingest" / "cin"], settings)
        missing = [p for p in report.problems.items if p.rule == "RETURN_MISSING"]
        assert [p.value for p in missing] == [str(y) for y in range(2018, 2025)]
        assert missing[0].message == (
            "The CIN census return for 2018 (LA 999) is not held, though earlier and later "
            "ones are: the earlier return's open rows are kept as they were, and figures "
            'reaching into its year have status "return missing".'
        )
        assert missing[0].severity == "warning"
        assert "RETURN_MISSING" in report.report_files[0].read_text()
