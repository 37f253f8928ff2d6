"""Benchmarks computed from the warehouse when it holds many LAs (a region's or England's returns).

Input is the engine's result table for many LAs and periods; every comparator is computed for
every period at once, so a regional analyst gets England, region and neighbour figures for a
quarter or a contract year, not only for DfE's published years.

- England: all LAs pooled, Σ numerators ÷ Σ denominators (LAs with too small a denominator
  for their own value still count in the pool; LAs with no data do not).
- Region: the same over the LAs of each region (the region from the published tables).
- Statistical neighbours: mean and median of the neighbours' own values, over the neighbours
  the warehouse holds (`sn_count` says how many), with the grouping chosen by period end.
- Quartile bands and rank among the LAs with a value (see `bands`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cscmonitor.assess import funnel
from cscmonitor.benchmarks.bands import quartile_bands
from cscmonitor.benchmarks.neighbours import groupings, groupings_for
from cscmonitor.indicators.engine import (
    INCOMPLETE_DATA,
    LOOKBACK_INCOMPLETE,
    NO_DATA,
    OK,
    RESULT_COLUMNS,
    RETURN_MISSING,
)
from cscmonitor.indicators.registry import Interval
from cscmonitor.terms import IndicatorLookup, lookup_indicator

# Figures that cannot join a pool: nothing held, or only part of the period held.
UNPOOLED = [NO_DATA, INCOMPLETE_DATA, RETURN_MISSING]

PERIOD = ["indicator", "period_start", "period_end"]
POOLED_COLUMNS = [
    *RESULT_COLUMNS,
    "polarity",
    "england",
    "england_numerator",
    "england_denominator",
    "england_las",
    "region_code",
    "region_name",
    "region",
    "region_las",
    "sn_grouping",
    "sn_mean",
    "sn_median",
    "sn_count",
    "band",
    "rank",
    "ranked",
]


def _pool(frame: pd.DataFrame, by: list[str], scale: pd.Series) -> pd.DataFrame:
    sums = frame.groupby(by, dropna=False).agg(
        numerator=("numerator", "sum"),
        denominator=("denominator", "sum"),
        las=("la_code", "nunique"),
    )
    factor = sums.index.get_level_values("indicator").map(scale).to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        sums["value"] = np.where(
            sums["denominator"] > 0, sums["numerator"] / sums["denominator"] * factor, np.nan
        )
    return sums.reset_index()


def pooled_benchmarks(
    results: pd.DataFrame,
    regions: pd.DataFrame,
    *,
    registry: IndicatorLookup | None = None,
    grouping: int | None = None,
) -> pd.DataFrame:
    """Each LA's result with England, region, neighbour and band comparators beside it.

    `regions` maps `la_code` to `region_code` and `region_name` (`geography.regions`).
    `grouping` fixes the statistical neighbour grouping; by default it follows period end.
    """
    missing = [c for c in RESULT_COLUMNS if c not in results.columns]
    if missing:
        raise ValueError(f"results lack the column(s) {', '.join(missing)}")
    frame = results[RESULT_COLUMNS].copy()
    frame["la_code"] = frame["la_code"].astype(str)
    for column in ("period_start", "period_end"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    indicators = {c: lookup_indicator(registry, c) for c in frame["indicator"].unique()}
    scale = pd.Series({c: i.unit.scale for c, i in indicators.items()})
    frame["polarity"] = frame["indicator"].map({c: str(i.polarity) for c, i in indicators.items()})

    counted = frame[~frame["status"].isin(UNPOOLED)]
    england = _pool(counted, PERIOD, scale).rename(
        columns={
            "value": "england",
            "numerator": "england_numerator",
            "denominator": "england_denominator",
            "las": "england_las",
        }
    )
    placed = frame.merge(
        regions[["la_code", "region_code", "region_name"]], on="la_code", how="left"
    )
    in_region = placed[~placed["status"].isin(UNPOOLED) & placed["region_code"].notna()]
    region = _pool(in_region, [*PERIOD, "region_code"], scale)[
        [*PERIOD, "region_code", "value", "las"]
    ].rename(columns={"value": "region", "las": "region_las"})

    usable = frame[frame["status"].isin([OK, LOOKBACK_INCOMPLETE]) & frame["value"].notna()]
    placed["sn_grouping"] = (
        grouping if grouping is not None else groupings_for(pd.Series(placed["period_end"]))
    )
    links = groupings()[["grouping", "la_code", "neighbour_code"]].rename(
        columns={"grouping": "sn_grouping"}
    )
    pairs = placed[[*PERIOD, "la_code", "sn_grouping"]].merge(links, on=["sn_grouping", "la_code"])
    theirs = usable[[*PERIOD, "la_code", "value"]].rename(columns={"la_code": "neighbour_code"})
    sn = pairs.merge(theirs, on=[*PERIOD, "neighbour_code"]).groupby([*PERIOD, "la_code"])["value"]
    sn_stats = pd.DataFrame(
        {"sn_mean": sn.mean(), "sn_median": sn.median(), "sn_count": sn.count()}
    ).reset_index()

    bands = usable.join(quartile_bands(usable, PERIOD))[
        [*PERIOD, "la_code", "band", "rank", "ranked"]
    ]
    out = (
        placed.merge(england, on=PERIOD, how="left")
        .merge(region, on=[*PERIOD, "region_code"], how="left")
        .merge(sn_stats, on=[*PERIOD, "la_code"], how="left")
        .merge(bands, on=[*PERIOD, "la_code"], how="left")
    )
    out["sn_count"] = out["sn_count"].fillna(0).astype(int)
    return out[POOLED_COLUMNS].sort_values([*PERIOD, "la_code"], ignore_index=True)


def neighbour_funnel(
    frame: pd.DataFrame,
    la_code: str,
    neighbours: Sequence[str],
    *,
    interval: Interval = Interval.WILSON,
    scale: float = 100.0,
) -> pd.DataFrame:
    """Funnel limits for an LA and its neighbours around their pooled value.

    `frame` holds one row per LA (`la_code, numerator, denominator`) for one indicator and
    period; the result has the LA first, then the neighbours it holds, with limits and the
    position of each value (see `assess.funnel`).
    """
    group = frame[frame["la_code"].isin([la_code, *neighbours])]
    order = group["la_code"].map({code: i for i, code in enumerate([la_code, *neighbours])})
    group = group.assign(_order=order).sort_values("_order").drop(columns="_order")
    return funnel(group.reset_index(drop=True), interval=interval, scale=scale)
