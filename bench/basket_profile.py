"""Where a basket's time goes: each indicator of one `compute` timed in turn.

    python bench/basket_profile.py                         # England, as bench/basket.py left it
    python bench/basket_profile.py --warehouse DIR CLA_3PLUS CIN_RATE
    python bench/basket_profile.py --operators             # and DuckDB's time by operator
    python bench/basket_profile.py --backend pyspark --operators   # Spark's, from its metrics
    python bench/basket_profile.py --backend pyspark --las 371   # Spark local, one council

The queries of one basket (`engine.Basket`, so shared intermediates are made once, by the
first indicator reading them, and counted against it), in code order, each split into the
build of its expression, Ibis's compile and DuckDB's run, on the 40 rolling quarters of
bench/basket.py; as in `compute`, an indicator whose return no LA holds is not queried.
On Spark (`--backend pyspark`, local mode as bench/basket.py runs it) the run is split in
two: Spark's planning of the SQL (parse, analysis, optimisation, physical plan) and the
jobs that run it, the shared intermediates cached by the first query reading them; with
`--operators`, the timers of Spark's executed plans (its SQL metrics) summed the same way.
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
from typing import Any, ClassVar

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
    intermediates' builds are not in it); on Spark each timer of its executed plan is added
    to `operators[("Operator: timer", code)]`, a cached intermediate's own plan counted
    against the query that made it."""
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
    timers = SparkTimers(operators) if operators is not None and backend == "pyspark" else None
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
                ran = _spark(con, sql, indicator.code, timers)
                timed.append((indicator.code, built - started, compiled - built, *ran))
                continue
            if operators is not None:
                _profiled(con.con, sql, indicator.code, operators)
            else:
                con.con.sql(sql).to_arrow_table()
            ran = time.perf_counter()
            timed.append((indicator.code, built - started, compiled - built, ran - compiled))
    return timed


SPARK_OVERLAP = (
    "Spark's timers overlap and are summed over tasks (up to as many times the wall's as there "
    "are cores): a whole stage's duration runs from its first row asked to its last given, so "
    "it holds the operators generated inside it and whatever consumes its rows in the same "
    "task (a window, another stage); an aggregation's build holds the pipeline feeding it; a "
    "broadcast's time to collect holds the run of the plan beneath it."
)


def _spark(con: Any, sql: str, code: str, timers: SparkTimers | None) -> tuple[float, float]:
    """Spark's planning of `sql` (to its executed plan) and the run of its jobs, seconds."""
    started = time.perf_counter()
    frame = con._session.sql(sql)
    plan = frame._jdf.queryExecution().executedPlan()
    planned = time.perf_counter()
    frame.toPandas()
    ran = time.perf_counter()
    if timers is not None:
        timers.add(plan, code)  # after the timing: walking the plan is py4j calls
    return planned - started, ran - planned


class SparkTimers:
    """Spark's SQL metrics of type timing, read from executed plans into `operators`.

    A plan's nodes are walked through adaptive execution's stages, reused exchanges,
    subqueries and cached relations (whose plan ran in the first query reading them).
    Each metric is an accumulator with an id, so only what it gained since it was last
    read is added: a cache or exchange met again is not counted twice. The timers overlap
    (`SPARK_OVERLAP`), so no shares are printed."""

    TYPES: ClassVar = {"timing": 1e-3, "nsTiming": 1e-9}  # SQLMetric.metricType, to seconds

    def __init__(self, operators: Counter[tuple[str, str]]) -> None:
        self.operators = operators
        self.seen: dict[int, int] = {}

    def add(self, plan: Any, code: str) -> None:
        stack = [plan]
        while stack:
            node = stack.pop()
            kind = node.getClass().getSimpleName().removesuffix("Exec")
            entries = node.metrics().iterator()
            while entries.hasNext():
                metric = entries.next()._2()
                scale = self.TYPES.get(metric.metricType())
                if scale is None:
                    continue
                value, before = metric.value(), self.seen.get(metric.id(), 0)
                self.seen[metric.id()] = value
                if value > before:
                    name = metric.name().get() if metric.name().isDefined() else "time"
                    self.operators[(f"{kind}: {name}", code)] += (value - before) * scale
            stack.extend(self._beneath(node, kind))

    @staticmethod
    def _beneath(node: Any, kind: str) -> list[Any]:
        if kind == "AdaptiveSparkPlan":
            found = [node.executedPlan()]
        elif kind.endswith("QueryStage"):
            found = [node.plan()]
        elif kind == "InMemoryTableScan":
            found = [node.relation().cachedPlan()]
        elif kind == "ReusedExchange":
            found = [node.child()]
        else:
            found = _seq(node.children())
        return found + _seq(node.subqueries())


def _seq(scala: Any) -> list[Any]:
    items, found = scala.iterator(), []
    while items.hasNext():
        found.append(items.next())
    return found


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


def operator_table(operators: Counter[tuple[str, str]], top: int = 25, shares: bool = True) -> str:
    """Operator time by kind of operator, then the `top` (operator, indicator) pairs; without
    `shares` where the times overlap (Spark's timers)."""
    kinds: Counter[str] = Counter()
    for (kind, _), seconds in operators.items():
        kinds[kind] += seconds
    total = sum(kinds.values())
    lines = ["| operator | seconds | share |", "|---|---:|---:|"]
    if not shares:
        lines = ["| operator | seconds |", "|---|---:|"]
    for kind, seconds in kinds.most_common():
        share = f" {seconds / total if total else 0.0:.0%} |" if shares else ""
        lines.append(f"| {kind} | {seconds:.2f} |{share}")
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
        help="also each query's time by operator (DuckDB's profiler, Spark's SQL metrics), "
        "and the largest pairs",
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
        print(operator_table(operators, shares=args.backend == "duckdb"))
        if args.backend == "pyspark":
            print()
            print(SPARK_OVERLAP)
    return 0


if __name__ == "__main__":
    status = main()
    spark = sys.modules.get("pyspark.sql")
    if spark is not None and (session := spark.SparkSession.getActiveSession()) is not None:
        session.stop()  # before the interpreter exits, not under Spark's release of its caches
    raise SystemExit(status)
