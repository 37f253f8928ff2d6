"""Where a basket's time goes: each indicator of one `compute` timed in turn.

    python bench/basket_profile.py                         # England, as bench/basket.py left it
    python bench/basket_profile.py --warehouse DIR CLA_3PLUS CIN_RATE
    python bench/basket_profile.py --operators             # and DuckDB's time by operator
    python bench/basket_profile.py --backend pyspark --las 371   # Spark local, one council

The queries of one basket (`engine.Basket`, so shared intermediates are made once, by the
first indicator reading them, and counted against it), in code order, each split into the
build of its expression, Ibis's compile and DuckDB's run, on the 40 rolling quarters of
bench/basket.py; as in `compute`, an indicator whose return no LA holds is not queried.
On Spark (`--backend pyspark`, local mode as bench/basket.py runs it) the run is split in
two: Spark's planning of the SQL (parse, analysis, optimisation, physical plan) and the
jobs that run it, the shared intermediates cached by the first query reading them.
Prints a markdown table, slowest first, then the sums by family. Nothing here is a test;
the sums are of one process, so run it on an idle machine and read shares.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

DEFAULT_WAREHOUSE = Path("/tmp/cscmonitor-bench/data/warehouse")
# Families of bench/README.md's profile tables, by the start of the indicator's code.
FAMILIES = (
    ("assessment factors", ("AF_",)),
    ("children looked after", ("CLA_", "UASC_")),
    (
        "referrals, assessments and plans",
        ("REF_", "REREF", "ASSESS", "CIN_", "CPP_", "S47", "ICPC"),
    ),
)


def profile(
    warehouse: Path,
    codes: list[str],
    first: dt.date,
    last: dt.date,
    operators: Counter[tuple[str, str]] | None = None,
    backend: str = "duckdb",
    las: list[str] | None = None,
    snapshot: str | None = None,
) -> list[tuple]:
    """`(code, build, compile, run)` seconds for each indicator, in code order (on Spark
    `(code, build, compile, plan, run)`). Given `operators`, each DuckDB run is profiled and
    the time of each of its operators added to `operators[(operator, code)]` (the shared
    intermediates' builds are not in it)."""
    import ibis

    from cscmonitor.backends import Backend, SnapshotTables
    from cscmonitor.indicators.engine import Basket, coverage_of, periods_table, queried
    from cscmonitor.indicators.measures import totals
    from cscmonitor.indicators.registry import all_indicators
    from cscmonitor.periods import Series, series
    from cscmonitor.warehouse import Warehouse

    unique = sorted(set(series(Series.QUARTERLY, first, last, rolling=True)))
    periods = periods_table(unique)
    held = Warehouse(warehouse)
    chosen_snapshot = held.snapshot(snapshot) if snapshot else held.require_current()
    tables = SnapshotTables(chosen_snapshot, Backend(backend))
    chosen = [i for i in all_indicators() if not codes or i.code in codes]
    timed = []
    with Basket(tables, las) as basket:
        # As `compute`: an indicator whose return no LA holds is not queried.
        for indicator in queried(chosen, coverage_of(basket, unique)):
            started = time.perf_counter()
            expr = totals(indicator, basket, periods)
            built = time.perf_counter()
            con = ibis.get_backend(expr)
            con._register_in_memory_tables(expr)
            sql = con.compile(expr)
            compiled = time.perf_counter()
            if con.name == "pyspark":
                timed.append((indicator.code, built - started, compiled - built, *_spark(con, sql)))
                continue
            if operators is not None:
                _profiled(con.con, sql, indicator.code, operators)
            else:
                con.con.sql(sql).to_arrow_table()
            ran = time.perf_counter()
            timed.append((indicator.code, built - started, compiled - built, ran - compiled))
    return timed


def _spark(con: Any, sql: str) -> tuple[float, float]:
    """Spark's planning of `sql` (to its executed plan) and the run of its jobs, seconds."""
    started = time.perf_counter()
    frame = con._session.sql(sql)
    frame._jdf.queryExecution().executedPlan()
    planned = time.perf_counter()
    frame.toPandas()
    return planned - started, time.perf_counter() - planned


def _profiled(con: Any, sql: str, code: str, operators: Counter[tuple[str, str]]) -> None:
    """Run `sql` with DuckDB's profiler on, adding each operator's time to `operators`."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "profile.json"
        con.execute("PRAGMA enable_profiling = 'json'")
        con.execute(f"PRAGMA profiling_output = '{out}'")
        try:
            con.sql(sql).to_arrow_table()
        finally:
            con.execute("PRAGMA disable_profiling")
        found = json.loads(out.read_text())
    stack = list(found["operator"])
    while stack:
        node = stack.pop()
        operators[(node["type"], code)] += node.get("timing") or 0.0
        stack.extend(node.get("children", []))


def operator_table(operators: Counter[tuple[str, str]], top: int = 25) -> str:
    """Operator time by kind of operator, then the `top` (operator, indicator) pairs."""
    kinds: Counter[str] = Counter()
    for (kind, _), seconds in operators.items():
        kinds[kind] += seconds
    total = sum(kinds.values())
    lines = ["| operator | seconds | share |", "|---|---:|---:|"]
    for kind, seconds in kinds.most_common():
        share = seconds / total if total else 0.0
        lines.append(f"| {kind} | {seconds:.2f} | {share:.0%} |")
    lines += ["", "| operator | indicator | seconds |", "|---|---|---:|"]
    for (kind, code), seconds in operators.most_common(top):
        lines.append(f"| {kind} | {code} | {seconds:.2f} |")
    return "\n".join(lines)


def family(code: str) -> str:
    return next((name for name, starts in FAMILIES if code.startswith(starts)), "other")


def table(timed: list[tuple]) -> str:
    # Spark's rows carry its planning as a part of their own (`profile`).
    spark = bool(timed) and len(timed[0]) == 5
    columns = ["build", "compile", *(["plan"] if spark else []), "run", "total"]
    lines = ["| indicator | " + " | ".join(columns) + " |", "|---|" + "---:|" * len(columns)]
    for code, *parts in sorted(timed, key=lambda row: -sum(row[1:])):
        lines.append(f"| {code} | " + " | ".join(f"{p:.2f}" for p in [*parts, sum(parts)]) + " |")
    total = sum(sum(row[1:]) for row in timed)
    lines += ["", "| family | indicators | seconds | share |", "|---|---:|---:|---:|"]
    for name in [*(name for name, _ in FAMILIES), "other"]:
        rows = [row for row in timed if family(row[0]) == name]
        seconds = sum(sum(row[1:]) for row in rows)
        share = seconds / total if total else 0.0
        lines.append(f"| {name} | {len(rows)} | {seconds:.1f} | {share:.0%} |")
    lines.append(f"| all | {len(timed)} | {total:.1f} | |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("codes", nargs="*", help="only these indicators (default: all)")
    parser.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE)
    parser.add_argument("--from-year", type=int, default=2015, help="the first census year")
    parser.add_argument("--to-year", type=int, default=2024, help="the last census year")
    parser.add_argument(
        "--operators",
        action="store_true",
        help="also DuckDB's profile of each query: time by operator, and the largest pairs",
    )
    parser.add_argument("--backend", default="duckdb", choices=["duckdb", "pyspark"])
    parser.add_argument("--las", nargs="+", default=None, help="only these LAs (codes)")
    parser.add_argument(
        "--snapshot",
        default=None,
        help="this snapshot (default: the current one, bench/basket.py's lake; its files twin "
        "is where the 38 are timed)",
    )
    parser.add_argument(
        "--contract", action="store_true", help="the 38 of the contract basket (CONTRACT_38)"
    )
    args = parser.parse_args(argv)
    if args.contract:
        from basket import CONTRACT_38  # bench/basket.py

        args.codes = [*args.codes, *CONTRACT_38]
    if args.operators and args.backend != "duckdb":
        parser.error("--operators profiles DuckDB's queries")
    first, last = dt.date(args.from_year - 1, 4, 1), dt.date(args.to_year, 3, 31)
    operators: Counter[tuple[str, str]] | None = Counter() if args.operators else None
    timed = profile(
        args.warehouse,
        args.codes,
        first,
        last,
        operators,
        args.backend,
        args.las,
        args.snapshot,
    )
    print(table(timed))
    if operators is not None:
        print()
        print(operator_table(operators))
    return 0


if __name__ == "__main__":
    status = main()
    spark = sys.modules.get("pyspark.sql")
    if spark is not None and (session := spark.SparkSession.getActiveSession()) is not None:
        session.stop()  # before the interpreter exits, not under Spark's release of its caches
    raise SystemExit(status)
