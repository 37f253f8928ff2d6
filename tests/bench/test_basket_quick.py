"""bench/basket.py --quick still runs and prints its table (the figures are not checked)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "basket.py"
COLUMNS = ["measure", "LAs", "periods", "seconds", "x floor", "peak memory (MB)"]
ROWS = [
    "floor: DuckDB scan of the columns read",
    "basket, DuckDB",
    "basket, DuckDB, one council",
    "floor, one file per table",
    "basket, DuckDB, one file per table",
    "floor of the 38 (INDICATORS.md), one file per table",
    "the 38 (INDICATORS.md), DuckDB, one file per table",
    "basket, PySpark local",
    "basket, PySpark local, one council",
    "basket, PySpark local, its tasks computing groups of LAs on DuckDB",
    "count, min, max of the columns (the old floor)",
    "count, min, max, one file per table (the old floor)",
]


def cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def test_quick_basket_prints_its_table(bench_data: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--data", str(bench_data)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    table = [line for line in done.stdout.splitlines() if line.startswith("|")]
    assert cells(table[0]) == COLUMNS
    rows = [cells(line) for line in table[2:]]
    assert [r[0] for r in rows] == ROWS
    assert all(len(r) == len(COLUMNS) for r in rows)
    floor, duckdb, one = rows[0], rows[1], rows[2]
    assert floor[4] == "1.0" and float(floor[3]) > 0
    assert duckdb[1] == "2" and duckdb[2] == "8" and float(duckdb[4]) > 0
    assert one[1].startswith("1 (") and float(one[5].replace(",", "")) > 0
    # The 38 are a multiple of the scan of their own columns, fewer than the basket's.
    floor_38, contract = rows[5], rows[6]
    assert floor_38[4] == "1.0" and float(contract[4]) > 0
    # PySpark takes minutes to start and run: --quick leaves it out unless asked.
    assert rows[7][3] == "skipped"
    assert "Warehouse: " in done.stdout


def test_the_38_are_registered_indicators(basket) -> None:
    from cscmonitor.indicators.registry import all_indicators

    codes = {i.code for i in all_indicators()}
    assert len(set(basket.CONTRACT_38)) == 38
    assert set(basket.CONTRACT_38) <= codes, set(basket.CONTRACT_38) - codes
