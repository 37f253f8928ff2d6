"""bench/basket_profile.py times each indicator of a basket and sums them by family (the
seconds are not checked; the rows and the sums are)."""

from __future__ import annotations

import pytest
from tests.bench.conftest import load_bench
from tests.conftest import DATA

from cscmonitor.ingest import ingest

# A 903, a CIN census and a workforce return of LA 999; no early help return.
HELD = [DATA / "placements", DATA / "ingest" / "cin", DATA / "ingest" / "workforce"]


def test_each_indicator_is_timed_once_and_the_families_add_up(settings, capsys):
    ingest(HELD, settings, la_code="999")
    bench = load_bench("basket_profile")
    codes = ["CLA_3PLUS", "CLA_FOSTER", "CIN_RATE", "AF_NEGLECT", "SW_AGENCY"]
    # EH_REREF reads the early help return, which no LA holds: as in `compute`, not queried.
    assert bench.main([*codes, "EH_REREF", "--warehouse", str(settings.warehouse_dir)]) == 0
    lines = capsys.readouterr().out.splitlines()
    indicators = lines[2 : lines.index("")]  # the first table, after its header and rule
    timed = [line.split("|")[1].strip() for line in indicators]
    assert sorted(timed) == sorted(codes)
    families = {
        cells[0]: int(cells[1])
        for line in lines
        if line.startswith("| ")
        and (cells := [c.strip() for c in line.strip("|").split("|")])
        and cells[1].isdigit()
    }
    assert families == {
        "assessment factors": 1,
        "children looked after": 2,
        "referrals, assessments and plans": 1,
        "other": 1,
        "all": 5,
    }
    # Only LA 111, which holds no return: nothing is queried, and the sums are nil.
    assert bench.main([*codes, "--warehouse", str(settings.warehouse_dir), "--las", "111"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[2] == "" and "| all | 0 | 0.0 | |" in lines


def test_operators_are_summed_by_kind_and_by_indicator(settings, capsys):
    ingest(HELD, settings, la_code="999")
    bench = load_bench("basket_profile")
    codes = ["CLA_3PLUS", "SW_AGENCY"]
    argv = [*codes, "--warehouse", str(settings.warehouse_dir), "--operators"]
    assert bench.main(argv) == 0
    out = capsys.readouterr().out
    kinds, pairs = out.split("| operator | seconds | share |")[1].split("| operator | indicator |")
    # Every query scans a table and groups its rows by LA and period.
    shown = {line.split("|")[1].strip() for line in kinds.splitlines() if line.startswith("| ")}
    assert {"TABLE_SCAN", "HASH_GROUP_BY"} <= shown
    named = {line.split("|")[2].strip() for line in pairs.splitlines()[2:] if line.startswith("| ")}
    assert named == set(codes)


@pytest.mark.spark
def test_on_spark_each_query_is_split_into_its_planning_and_its_run(settings, capsys):
    pytest.importorskip("pyspark", reason="PySpark is not installed (pip install '.[spark]')")
    ingest(HELD, settings, la_code="999")
    bench = load_bench("basket_profile")
    codes = ["CLA_3PLUS", "SW_AGENCY"]
    argv = [*codes, "--warehouse", str(settings.warehouse_dir), "--backend", "pyspark"]
    assert bench.main([*argv, "--las", "999"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "| indicator | build | compile | plan | run | total |"
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in lines[2 : lines.index("")]]
    assert sorted(row[0] for row in rows) == sorted(codes)
    # Each total is the sum of its four parts, as printed to two places.
    for row in rows:
        parts = [float(cell) for cell in row[1:5]]
        assert abs(sum(parts) - float(row[5])) <= 0.03
