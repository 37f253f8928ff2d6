"""Rolling-origin backtests: fit on the history up to each origin, forecast, compare.

For each origin the model is fitted on the returns as they stand cut at the origin (only
what was in care on dates up to it), projected, and set beside what the returns later show
at each horizon, with the naive no-change forecast (the stock at the origin) beside it.
A horizon that ends after the last return held has no actual and is left out. The returns
held today may correct earlier ones, so this is a pseudo-real-time test: it measures the
model, not the data as it first arrived.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from cscmonitor.forecast.fit import HALF_LIFE_MONTHS, fit
from cscmonitor.forecast.history import History, month_dates, panel
from cscmonitor.forecast.simulate import simulate, summary
from cscmonitor.forecast.states import CATEGORIES

HORIZONS = (3, 6, 12, 24)
COLUMNS = (
    "origin",
    "horizon_months",
    "category",
    "actual",
    "forecast",
    "lower80",
    "upper80",
    "lower95",
    "upper95",
    "naive",
)
NAMES = (*CATEGORIES, "all")


def observed(history: History, dates: np.ndarray) -> np.ndarray:
    """(date, category + all) children in care on each date, from the returns held."""
    seen = panel(history, dates)
    counts = np.zeros((len(dates), len(CATEGORIES)), dtype=np.int64)
    np.add.at(counts, (seen.date, seen.category), 1)
    return np.concatenate([counts, counts.sum(axis=1, keepdims=True)], axis=1)


def backtest(
    history: History,
    origins: Sequence[dt.date],
    horizons: Sequence[int] = HORIZONS,
    *,
    paths: int = 1000,
    seed: int = 0,
    half_life: float | None = HALF_LIFE_MONTHS,
) -> pd.DataFrame:
    """One row per origin, horizon and category (and `all`) with an actual to compare."""
    frames = []
    for origin in origins:  # one fit and one simulation per origin
        offsets = np.asarray(sorted(set(horizons)), dtype=np.int64)
        dates = month_dates(origin, offsets)
        known = dates <= np.datetime64(history.end)
        if not known.any():
            continue
        offsets, dates = offsets[known], dates[known]
        model = fit(history, origin, half_life=half_life)
        projected = summary(simulate(model, int(offsets.max()), paths=paths, seed=seed))
        actual = observed(history, np.concatenate([[np.datetime64(origin)], dates]))
        rows = projected[projected["month"].isin(pd.to_datetime(dates).date)].copy()
        month_index = {m: i for i, m in enumerate(pd.to_datetime(dates).date)}
        at = rows["month"].map(month_index).to_numpy()
        column = rows["category"].map({n: i for i, n in enumerate(NAMES)}).to_numpy()
        rows["actual"] = actual[1 + at, column]
        rows["naive"] = actual[0, column]
        rows["horizon_months"] = offsets[at]
        rows["origin"] = origin
        frames.append(rows)
    if not frames:
        return pd.DataFrame(columns=list(COLUMNS))
    return pd.concat(frames, ignore_index=True)[list(COLUMNS)]


def accuracy(results: pd.DataFrame) -> pd.DataFrame:
    """Per horizon and category: MAPE of the model and of the naive forecast, and coverage."""
    rows = results[results["actual"] > 0].copy()
    rows["ape"] = (rows["forecast"] - rows["actual"]).abs() / rows["actual"]
    rows["naive_ape"] = (rows["naive"] - rows["actual"]).abs() / rows["actual"]
    rows["in80"] = rows["actual"].between(rows["lower80"], rows["upper80"])
    rows["in95"] = rows["actual"].between(rows["lower95"], rows["upper95"])
    table = (
        rows.groupby(["horizon_months", "category"], sort=False)
        .agg(
            origins=("origin", "size"),
            mape=("ape", "mean"),
            naive_mape=("naive_ape", "mean"),
            coverage80=("in80", "mean"),
            coverage95=("in95", "mean"),
        )
        .reset_index()
    )
    table["mape"] *= 100
    table["naive_mape"] *= 100
    table["beats_naive"] = table["mape"] < table["naive_mape"]
    order = {n: i for i, n in enumerate(NAMES)}
    return table.sort_values(
        ["horizon_months", "category"], key=lambda c: c.map(order) if c.name == "category" else c
    ).reset_index(drop=True)
