"""Benchmark: the basket indicator by indicator, on the demo's warehouse (one council).

    python bench/indicators.py                   # demo (seed 0) into /tmp/cscmonitor-demo
    python bench/indicators.py --data DIR --repeat 5 --backend pyspark

Makes the demo (synthetic Doncaster returns 2013-2016, ingested) under DATA unless a
warehouse is already there, then times `compute` of each registered indicator alone for
the rolling quarters the returns cover (each the 12 months to a quarter end), the best of
`--repeat` runs after one unmeasured warm-up, and the whole basket in one `compute`. Each
indicator's time is split into building its Ibis expression (`totals`: the body and the
aggregation), compiling it to SQL, and running the query (the engine's `fetch`, which
compiles it: its run is fetch less compile); the rest of `compute` is the engine's own pandas
work (coverage of the returns held, statuses, intervals). Prints a markdown table, slowest
first, with each indicator's share of the sum. Nothing here is a test; timings on a shared
machine are noisy, so compare figures of one run, or run it with each tree in turn
(`PYTHONPATH=OLD/src`, then `PYTHONPATH=src`): a tree without `fetch` runs Ibis's `execute`,
and one without the engine's `Basket` builds every indicator from the tables alone.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

DEFAULT_DATA = Path("/tmp/cscmonitor-demo")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="demo folder")
    parser.add_argument("--seed", type=int, default=0, help="the demo's seed")
    parser.add_argument("--repeat", type=int, default=3, help="runs per indicator (best kept)")
    parser.add_argument("--backend", default="duckdb", choices=["duckdb", "pyspark"])
    args = parser.parse_args(argv)

    import ibis
    import pandas as pd

    from cscmonitor.backends import Backend, SnapshotTables
    from cscmonitor.demo import run_demo
    from cscmonitor.indicators.engine import ForLAs, compute, periods_table
    from cscmonitor.indicators.measures import totals
    from cscmonitor.indicators.registry import all_indicators
    from cscmonitor.periods import Series, series
    from cscmonitor.warehouse import Warehouse

    try:
        from cscmonitor.indicators.engine import Basket
        from cscmonitor.indicators.queries import fetch
    except ImportError:  # a tree from before them, measured for a before-and-after
        Basket, fetch = ForLAs, ibis.expr.types.Table.execute

    warehouse = Warehouse(args.data / "data" / "warehouse")
    if warehouse.current() is None:
        run_demo(args.data, seed=args.seed)
    tables = SnapshotTables(warehouse.require_current(), Backend(args.backend))
    held = tables.table("returns").execute()
    first = pd.Timestamp(held["period_start"].min()).date()
    last = pd.Timestamp(held["period_end"].max()).date()
    periods = series(Series.QUARTERLY, first, last, rolling=True)

    def best(work: Callable[[], object]) -> float:
        work()  # warm: files, plans, the calendar
        runs = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            work()
            runs.append(time.perf_counter() - started)
        return min(runs)

    # As in `compute`: the intermediates several indicators share are made once.
    scoped, pt = Basket(tables, None), periods_table(periods)
    rows = []
    for ind in all_indicators():
        whole = best(lambda ind=ind: compute(tables, periods, codes=[ind.code]))
        build = best(lambda ind=ind: totals(ind, scoped, pt))
        expr = totals(ind, scoped, pt)
        compile_ = best(lambda expr=expr: tables.con.compile(expr))
        run = best(lambda expr=expr: fetch(expr)) - compile_
        rows.append(
            (ind.code, ind.measure, whole, build, compile_, run, whole - build - compile_ - run)
        )
    basket = best(lambda: compute(tables, periods))
    total = sum(r[2] for r in rows)
    print(f"{len(periods)} rolling quarters, {args.backend}, best of {args.repeat} (seconds)\n")
    print("| indicator | measure | compute | share | build | compile | run | rest |")
    print("|---|---|---|---|---|---|---|---|")
    for code, measure, whole, build, compile_, run, rest in sorted(rows, key=lambda r: -r[2]):
        print(
            f"| {code} | {measure} | {whole:.3f} | {whole / total:.0%} | {build:.3f} "
            f"| {compile_:.3f} | {run:.3f} | {rest:.3f} |"
        )
    parts = " | ".join(f"{sum(r[i] for r in rows):.3f}" for i in (3, 4, 5, 6))
    print(f"| sum | | {total:.3f} | | {parts} |")
    print(f"| basket in one `compute` | | {basket:.3f} | | | | | |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
