"""Where a basket's time goes: each indicator of one `compute` timed in turn.

    python bench/basket_profile.py                         # England, as bench/basket.py left it
    python bench/basket_profile.py --warehouse DIR CLA_3PLUS CIN_RATE

The queries of one basket (`engine.Basket`, so shared intermediates are made once, by the
first indicator reading them, and counted against it), in code order, each split into the
build of its expression, Ibis's compile and DuckDB's run, on the 40 rolling quarters of
bench/basket.py. Prints a markdown table, slowest first, then the sums by family. Nothing
here is a test; the sums are of one process, so run it on an idle machine and read shares.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

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


def profile(warehouse: Path, codes: list[str], first: dt.date, last: dt.date) -> list[tuple]:
    """`(code, build, compile, run)` seconds for each indicator, in code order."""
    import ibis

    from cscmonitor.backends import Backend, SnapshotTables
    from cscmonitor.indicators.engine import Basket, periods_table
    from cscmonitor.indicators.measures import totals
    from cscmonitor.indicators.registry import all_indicators
    from cscmonitor.periods import Series, series
    from cscmonitor.warehouse import Warehouse

    periods = periods_table(sorted(set(series(Series.QUARTERLY, first, last, rolling=True))))
    tables = SnapshotTables(Warehouse(warehouse).require_current(), Backend.DUCKDB)
    chosen = [i for i in all_indicators() if not codes or i.code in codes]
    timed = []
    with Basket(tables, None) as basket:
        for indicator in chosen:
            started = time.perf_counter()
            expr = totals(indicator, basket, periods)
            built = time.perf_counter()
            con = ibis.get_backend(expr)
            con._register_in_memory_tables(expr)
            sql = con.compile(expr)
            compiled = time.perf_counter()
            con.con.sql(sql).to_arrow_table()
            ran = time.perf_counter()
            timed.append((indicator.code, built - started, compiled - built, ran - compiled))
    return timed


def family(code: str) -> str:
    return next((name for name, starts in FAMILIES if code.startswith(starts)), "other")


def table(timed: list[tuple]) -> str:
    lines = ["| indicator | build | compile | run | total |", "|---|---:|---:|---:|---:|"]
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
    args = parser.parse_args(argv)
    first, last = dt.date(args.from_year - 1, 4, 1), dt.date(args.to_year, 3, 31)
    print(table(profile(args.warehouse, args.codes, first, last)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
