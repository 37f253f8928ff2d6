"""The forecast's backtest on the demo, and the choice of its recency half life.

    python bench/forecast_backtest.py                     # the demo's backtest table
    python bench/forecast_backtest.py --half-life 0       # ... with every month weighing alike
    python bench/forecast_backtest.py --tune              # the half life's choice, then the table

The demo is Doncaster's scenario (`cscmonitor synth`, seed 0) with its four 903 returns
(April 2012 to March 2016), ingested once into DATA/forecast-quick (bench/forecast.py's
warehouse). The backtest takes an origin at every quarter end from 31 March 2013 to 31
December 2015, 1,000 paths, seed 0, horizons 3, 6, 12 and 24 months (those ending by 31 March
2016), and prints per horizon and category the model's and the naive forecast's MAPE and the
share of actuals inside the 80% and 95% intervals: the table in docs/forecast.md.

`--tune` chooses the half life with no look at the demo's origins. The same council's ten
years of returns (2006-2016, DATA/forecast, as bench/forecast.py writes them) give origins at
every quarter end from 31 March 2007 to 31 March 2011, whose 12-month actuals all fall before
the demo's first return begins (1 April 2012). Each candidate half life is backtested there
at 12 months, and the one with the lowest mean MAPE over the four categories and the total is
chosen; the demo's table is then its evaluation.

`--ten-year` prints the same table for the ten-year history, at every quarter end from 31
March 2012 (after the tuning's last actual) to 31 December 2015: the demo's years, each fit
with its full 36-month window behind it instead of the demo's 12 to 33 months.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import pandas as pd

import forecast as forecast_bench
from cscmonitor.forecast.backtest import accuracy, backtest
from cscmonitor.forecast.fit import HALF_LIFE_MONTHS
from cscmonitor.forecast.history import History, read_history
from cscmonitor.warehouse import Warehouse

DEMO_ORIGINS = [
    dt.date(y, m, d) for y in (2013, 2014, 2015) for m, d in ((3, 31), (6, 30), (9, 30), (12, 31))
]
TEN_YEAR_ORIGINS = [
    dt.date(y, m, d) for y in range(2012, 2016) for m, d in ((3, 31), (6, 30), (9, 30), (12, 31))
]
TUNING_ORIGINS = [
    dt.date(y, m, d)
    for y in range(2007, 2012)
    for m, d in ((3, 31), (6, 30), (9, 30), (12, 31))
    if dt.date(y, m, d) <= dt.date(2011, 3, 31)
]
CANDIDATES: tuple[float | None, ...] = (None, 48.0, 24.0, 12.0, 6.0)
TUNING_HORIZON = 12


def markdown(frame: pd.DataFrame, digits: int = 1) -> str:
    """A markdown table: numbers right-aligned, floats to `digits` places."""

    def cell(value: object) -> str:
        return f"{value:.{digits}f}" if isinstance(value, float) else str(value)

    numeric = [pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns]
    lines = [
        "| " + " | ".join(str(c) for c in frame.columns) + " |",
        "|" + "|".join("---:" if n else "---" for n in numeric) + "|",
    ]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(False)]
    return "\n".join(lines)


def history(data: Path, quick: bool) -> History:
    return read_history(Warehouse(forecast_bench.warehouse(data, quick)).tables(), "371")


def label(half_life: float | None) -> str:
    return "none" if half_life is None else f"{half_life:g} months"


def tune(data: Path, paths: int) -> float | None:
    """The candidate half life with the lowest mean 12-month MAPE on the tuning origins."""
    held = history(data, quick=False)
    rows = []
    for half_life in CANDIDATES:
        table = accuracy(
            backtest(held, TUNING_ORIGINS, [TUNING_HORIZON], paths=paths, half_life=half_life)
        )
        mape = table.set_index("category")["mape"]
        rows.append({"half life": label(half_life), **mape.to_dict(), "mean": mape.mean()})
    scores = pd.DataFrame(rows)
    print(
        f"Choosing the half life: ten-year history, {len(TUNING_ORIGINS)} origins "
        f"{TUNING_ORIGINS[0]} to {TUNING_ORIGINS[-1]}, MAPE % at {TUNING_HORIZON} months\n"
    )
    print(markdown(scores))
    best = CANDIDATES[int(scores["mean"].to_numpy().argmin())]
    print(f"\nchosen: {label(best)}\n")
    return best


def accuracy_table(
    held: History, origins: list[dt.date], paths: int, half_life: float | None
) -> str:
    table = accuracy(backtest(held, origins, paths=paths, half_life=half_life))
    table["coverage80"] *= 100
    table["coverage95"] *= 100
    table = table.rename(
        columns={
            "horizon_months": "horizon",
            "mape": "MAPE %",
            "naive_mape": "naive MAPE %",
            "coverage80": "in 80% (%)",
            "coverage95": "in 95% (%)",
            "beats_naive": "beats naive",
        }
    )
    table["beats naive"] = table["beats naive"].map({True: "yes", False: "no"})
    return markdown(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=forecast_bench.DEFAULT_DATA)
    parser.add_argument("--paths", type=int, default=1000)
    parser.add_argument(
        "--half-life",
        type=float,
        default=HALF_LIFE_MONTHS,
        help="months (0: every month alike); default the model's (48 months)",
    )
    parser.add_argument("--tune", action="store_true", help="choose the half life first")
    parser.add_argument(
        "--ten-year", action="store_true", help="the ten-year history's origins from 2012"
    )
    args = parser.parse_args(argv)
    half_life = args.half_life or None
    if args.tune:
        half_life = tune(args.data, args.paths)
    quick = not args.ten_year
    origins = TEN_YEAR_ORIGINS if args.ten_year else DEMO_ORIGINS
    print(
        f"Backtest on the {'ten-year history' if args.ten_year else 'demo'}: {len(origins)} "
        f"origins {origins[0]} to {origins[-1]}, {args.paths:,} paths, seed 0, "
        f"half life {label(half_life)}\n"
    )
    print(accuracy_table(history(args.data, quick), origins, args.paths, half_life))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
