"""Benchmark: the basket indicator by indicator, on the demo's warehouse (one council).

    python bench/indicators.py                   # demo (seed 0) into /tmp/cscmonitor-demo
    python bench/indicators.py --data DIR --repeat 5 --backend pyspark

Makes the demo (synthetic Doncaster returns 2013-2016, ingested) under DATA unless a
warehouse is already there, then times `compute` of each registered indicator alone for
the rolling quarters the returns cover (each the 12 months to a quarter end), the best of
`--repeat` runs after one unmeasured warm-up, and the whole basket in one `compute`. Prints
a markdown table, slowest first, with each indicator's share of the sum. Nothing here is a
test; timings on a shared machine are noisy, so compare figures of one run.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

DEFAULT_DATA = Path("/tmp/cscmonitor-demo")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="demo folder")
    parser.add_argument("--seed", type=int, default=0, help="the demo's seed")
    parser.add_argument("--repeat", type=int, default=3, help="runs per indicator (best kept)")
    parser.add_argument("--backend", default="duckdb", choices=["duckdb", "pyspark"])
    args = parser.parse_args(argv)

    from cscmonitor.backends import Backend, SnapshotTables
    from cscmonitor.demo import run_demo
    from cscmonitor.indicators.engine import compute
    from cscmonitor.indicators.registry import all_indicators
    from cscmonitor.periods import Series, series
    from cscmonitor.warehouse import Warehouse

    warehouse = Warehouse(args.data / "data" / "warehouse")
    if warehouse.current() is None:
        run_demo(args.data, seed=args.seed)
    tables = SnapshotTables(warehouse.require_current(), Backend(args.backend))
    held = tables.table("returns").execute()
    first, last = held["period_start"].min(), held["period_end"].max()
    periods = series(Series.QUARTERLY, first, last, rolling=True)

    def best(codes: list[str] | None) -> float:
        compute(tables, periods, codes=codes)  # warm: files, plans, the calendar
        runs = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            compute(tables, periods, codes=codes)
            runs.append(time.perf_counter() - started)
        return min(runs)

    seconds = {i.code: best([i.code]) for i in all_indicators()}
    basket = best(None)
    total = sum(seconds.values())
    print(f"{len(periods)} rolling quarters, {args.backend}, best of {args.repeat}\n")
    print("| indicator | measure | seconds | share |")
    print("|---|---|---|---|")
    measures = {i.code: i.measure for i in all_indicators()}
    for code, s in sorted(seconds.items(), key=lambda kv: -kv[1]):
        print(f"| {code} | {measures[code]} | {s:.3f} | {s / total:.0%} |")
    print(f"| sum of the above | | {total:.3f} | |")
    print(f"| basket in one `compute` | | {basket:.3f} | |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
