"""The forecast's backtest on the demo, and the choice of its recency half life.

    python bench/forecast_backtest.py                     # the demo's backtest table
    python bench/forecast_backtest.py --half-life 0       # ... with every month weighing alike
    python bench/forecast_backtest.py --tune              # the half life's choice, then the table
    python bench/forecast_backtest.py --seeds 12          # 12 further draws first, at 12 months
    python bench/forecast_backtest.py --diagnose          # supported accommodation's flows

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

`--seeds N` backtests the demo's origins at 12 months on N further draws of the demo
(`cscmonitor synth` seeds 1 to N: the same scenario, other children and placements), to
tell what the model does on this kind of council from what one draw happened to do.

`--diagnose` prints what lies behind the demo's supported-accommodation figures: the
category's flows in each collection year, for the demo and for the ten-year history (the
same scenario and children, the placements drawn afresh), and the 12-month forecasts from
the demo's children at each origin with rates fitted instead on the ten-year history's
six years before the demo's first return (an independent draw of the same process).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

import forecast as forecast_bench
from cscmonitor.forecast.backtest import NAMES, accuracy, backtest, observed
from cscmonitor.forecast.fit import HALF_LIFE_MONTHS, entrant_rows, fit, transition_counts
from cscmonitor.forecast.history import History, month_dates, panel, read_history
from cscmonitor.forecast.simulate import simulate, summary
from cscmonitor.forecast.states import (
    AGE_BANDS,
    CATEGORIES,
    EXIT,
    OUTCOMES,
    age_band,
    move_to,
)
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


def history(data: Path, quick: bool, seed: int = 0, steady: bool = False) -> History:
    where = forecast_bench.warehouse(data, quick, seed, steady)
    return read_history(Warehouse(where).tables(), "371")


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


LABELS = {
    "horizon_months": "horizon",
    "mape": "MAPE %",
    "naive_mape": "naive MAPE %",
    "coverage80": "in 80% (%)",
    "coverage95": "in 95% (%)",
    "beats_naive": "beats naive",
}


def readable(table: pd.DataFrame) -> pd.DataFrame:
    """Accuracy columns as the docs print them: coverage in percent, columns named."""
    return table.assign(
        coverage80=table["coverage80"] * 100, coverage95=table["coverage95"] * 100
    ).rename(columns=LABELS)


def accuracy_table(
    held: History, origins: list[dt.date], paths: int, half_life: float | None
) -> str:
    table = readable(accuracy(backtest(held, origins, paths=paths, half_life=half_life)))
    table["beats naive"] = table["beats naive"].map({True: "yes", False: "no"})
    return markdown(table)


def realisations(data: Path, seeds: int, paths: int, half_life: float | None) -> str:
    """The demo's 12-month backtest on synth seeds 1..`seeds`: per seed, the model's and the
    naive MAPE per category; then over all seeds and origins, the mean MAPEs, the coverage
    and in how many seeds the model beat naive."""
    tables = []
    for seed in range(1, seeds + 1):
        held = history(data, quick=True, seed=seed)
        table = accuracy(backtest(held, DEMO_ORIGINS, [12], paths=paths, half_life=half_life))
        tables.append(table.assign(seed=seed))
    every = pd.concat(tables, ignore_index=True)
    every["model / naive"] = [
        f"{m:.1f} / {n:.1f}" for m, n in zip(every["mape"], every["naive_mape"], strict=True)
    ]
    per_seed = every.pivot(index="seed", columns="category", values="model / naive")
    per_seed = per_seed[list(NAMES)].reset_index()
    pooled = (
        every.groupby("category", sort=False)
        .agg(
            seeds=("seed", "size"),
            mape=("mape", "mean"),
            naive_mape=("naive_mape", "mean"),
            coverage80=("coverage80", "mean"),
            coverage95=("coverage95", "mean"),
            beaten=("beats_naive", "sum"),
        )
        .reindex(list(NAMES))
        .reset_index()
    )
    pooled = readable(pooled).rename(columns={"beaten": "seeds where the model beats naive"})
    return (
        "12-month MAPE %, model / naive, per seed\n\n"
        + markdown(per_seed)
        + "\n\nMeans over all seeds and origins\n\n"
        + markdown(pooled)
    )


def steady_state(data: Path, seeds: int, paths: int, half_life: float | None) -> str:
    """The total's 12-month error at the demo's origins on synth seeds 1..`seeds`, four ways:
    the demo's scenario (referrals fall from October 2014) or the same held at its baseline
    year (no break), each with the demo's four years of 903 returns or ten (the same children
    in care on every date, so the same actuals): mean signed errors say whether the model is
    biased, and which of the break and the short history costs it against naive."""
    rows = []
    for steady in (False, True):
        for quick in (True, False):
            tables = []
            for seed in range(1, seeds + 1):
                held = history(data, quick, seed, steady)
                table = backtest(held, DEMO_ORIGINS, [12], paths=paths, half_life=half_life)
                tables.append(table[table["category"] == "all"].assign(seed=seed))
            every = pd.concat(tables, ignore_index=True)
            model = every["forecast"] - every["actual"]
            naive = every["naive"] - every["actual"]
            per_seed = (
                every.assign(m=model.abs() / every["actual"], n=naive.abs() / every["actual"])
                .groupby("seed")[["m", "n"]]
                .mean()
            )
            rows.append(
                {
                    "scenario": "held at baseline" if steady else "the demo's (break)",
                    "903 history": "four years" if quick else "ten years",
                    "forecasts": len(every),
                    "model: mean error": model.mean(),
                    "naive: mean error": naive.mean(),
                    "model MAPE %": (model.abs() / every["actual"]).mean() * 100,
                    "naive MAPE %": (naive.abs() / every["actual"]).mean() * 100,
                    "seeds where the model beats naive": int((per_seed.m < per_seed.n).sum()),
                }
            )
    return (
        f"The total 12 months on, at the demo's origins, synth seeds 1 to {seeds}, "
        f"{paths:,} paths (error: forecast less actual, children)\n\n"
        + markdown(pd.DataFrame(rows))
    )


def supported_flows(held: History, years: range) -> pd.DataFrame:
    """Per collection year (April to March): young people in supported accommodation at its
    start and end, entrants aged 16 or 17 and those of them placed there, moves into it from
    each other category, and its leavers before 18 and moves out. Turning 18 is the rest."""
    supported = CATEGORIES.index("supported")
    rows = []
    for year in years:
        dates = month_dates(dt.date(year - 1, 4, 1), np.arange(13))
        seen = panel(held, dates)
        by = transition_counts(seen).reshape(len(AGE_BANDS), len(CATEGORIES), -1, len(OUTCOMES))
        by = by.sum(axis=(0, 2))  # (category, outcome)
        entrants, _ = entrant_rows(seen)
        older = age_band(entrants.age) == len(AGE_BANDS) - 1
        stock = observed(held, dates[[0, -1]])[:, supported]
        moved_out = by[supported, move_to(0) :].sum() - by[supported, move_to(supported)]
        rows.append(
            {
                "year": f"{year - 1}-{year % 100:02d}",
                "at start": int(stock[0]),
                "entrants 16-17": int(older.sum()),
                "placed in supported": int((older & (entrants.category == supported)).sum()),
                **{
                    f"moves in from {c}": int(by[k, move_to(supported)])
                    for k, c in enumerate(CATEGORIES)
                    if k != supported
                },
                "left care before 18": int(by[supported, EXIT]),
                "moved out": int(moved_out),
                "at end": int(stock[1]),
            }
        )
    return pd.DataFrame(rows)


def diagnose(data: Path, paths: int, half_life: float | None) -> str:
    """The supported category's flows, and forecasts from rates fitted on another draw."""
    demo, ten = history(data, quick=True), history(data, quick=False)
    parts = [
        "Supported accommodation, flows per collection year: the demo\n",
        markdown(supported_flows(demo, range(2013, 2017))),
        "\nThe same years in the ten-year history (the placements drawn afresh)\n",
        markdown(supported_flows(ten, range(2013, 2017))),
    ]
    # Rates from the ten-year history's six years before the demo's first return.
    reference = fit(ten, dt.date(2012, 3, 31), window_months=72, half_life=None)
    rows = []
    for origin in DEMO_ORIGINS[:9]:
        own = fit(demo, origin, half_life=half_life)
        other = dataclasses.replace(reference, origin=origin, stock=own.stock)
        target = month_dates(origin, np.array([0, 12]))
        actual = observed(demo, target)
        row: dict[str, object] = {"origin": str(origin)}
        for label_, model in (("own fit", own), ("other draw's rates", other)):
            table = summary(simulate(model, 12, paths=paths, seed=0))
            at = table[table["month"] == pd.Timestamp(target[1]).date()].set_index("category")
            for name in ("supported", "all"):
                k = NAMES.index(name)
                row[f"{name}: {label_}"] = (
                    f"{at.loc[name, 'forecast']} ({at.loc[name, 'lower80']}-"
                    f"{at.loc[name, 'upper80']})"
                )
                row[f"{name}: actual"] = int(actual[1, k])
                row[f"{name}: naive"] = int(actual[0, k])
        rows.append(row)
    frame = pd.DataFrame(rows)
    columns = ["origin"] + [
        f"{n}: {c}"
        for n in ("supported", "all")
        for c in ("actual", "naive", "own fit", "other draw's rates")
    ]
    parts += [
        "\n12 months on from each demo origin: the forecast (80% interval) from the demo's own "
        "fit, and from the demo's children with the rates of the ten-year history's April 2006 "
        "to March 2012\n",
        markdown(frame[columns]),
    ]
    return "\n".join(parts)


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
    parser.add_argument(
        "--seeds", type=int, default=0, help="also backtest synth seeds 1..N of the demo"
    )
    parser.add_argument(
        "--diagnose", action="store_true", help="the supported category's flows, then stop"
    )
    parser.add_argument(
        "--steady",
        type=int,
        default=0,
        help="the total's bias on seeds 1..N, with and without the break, four and ten years",
    )
    args = parser.parse_args(argv)
    half_life = args.half_life or None
    if args.diagnose:
        print(diagnose(args.data, args.paths, half_life))
        return 0
    if args.steady:
        print(steady_state(args.data, args.steady, args.paths, half_life))
        return 0
    if args.tune:
        half_life = tune(args.data, args.paths)
    if args.seeds:
        print(realisations(args.data, args.seeds, args.paths, half_life), end="\n\n")
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
