"""An outside check of shape: our figures beside DfE's published tables, structure not values.

Synthetic returns cannot reproduce DfE's values, but they can show that what cscmonitor
computes has the published tables' structure: one figure per LA and financial year, keyed by
the same LA codes, for the same years, on the same scale, varying between LAs as the
published figures do. A definition that drifted (a rate in the wrong unit, a year labelled
by its end rather than its start, LAs keyed by new codes) shows up here.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from cscmonitor.benchmarks.geography import LA_LEVEL
from cscmonitor.benchmarks.mapping import BY_CODE, FACTOR_CODES

# The figures DfE publishes for every LA each year that cscmonitor computes the same way.
CIN_CHECK = ("REREF_12M", "CPP_REPEAT", "CPP_OPEN_2Y")
FRAMEWORK_CHECK = (
    "CLA_START_RATE",
    "CLA_SCHOOL_MOVE",
    "CLA_SDQ",
    "CL_EET_17_18",
    "CL_SUITABLE_17_18",
    *FACTOR_CODES,
)
OUTSIDE_CHECK = (*CIN_CHECK, *FRAMEWORK_CHECK)
COLUMNS = [
    "code",
    "years",
    "published_las",
    "computed_las",
    "las_in_both",
    "only_published",
    "only_computed",
    "published_suppressed",
    "duplicate_figures",
    "published_min",
    "published_max",
    "computed_min",
    "computed_max",
    "published_iqr",
    "computed_iqr",
    "in_range",
]


def financial_years(computed: pd.DataFrame) -> pd.DataFrame:
    """The figures whose period is one financial year (1 April to 31 March), with `year`."""
    start = pd.to_datetime(computed["period_start"])
    end = pd.to_datetime(computed["period_end"])
    whole = (
        (start.dt.month == 4)
        & (start.dt.day == 1)
        & (end == start + pd.DateOffset(years=1, days=-1))
    )
    out = computed[whole & computed["value"].notna()].copy()
    out["year"] = start[out.index].dt.year
    return out


def compare(
    computed: pd.DataFrame, published: pd.DataFrame, codes: Sequence[str] = OUTSIDE_CHECK
) -> pd.DataFrame:
    """One row per indicator: how the computed figures line up with the published ones.

    `computed` is the engine's output (indicator, la_code, period_start, period_end, value);
    `published` is `published_values` (code, geographic_level, area_code, year, value, flag). Only
    the years both hold are compared (none: `years` is empty and the counts are of nothing).
    `in_range`: every figure on both sides lies within the bounds a figure can take (0–100
    for a percentage, 0–10,000 per 10,000, 0–40 for the SDQ score).
    """
    ours = financial_years(computed[computed["indicator"].isin(codes)])
    # A suppressed figure (`c`) is still a figure DfE publishes for the LA and year.
    theirs = published[
        published["code"].isin(codes)
        & published["geographic_level"].eq(LA_LEVEL)
        & (published["value"].notna() | published["flag"].notna())
        # Joint LAs (`940 / 941`) publish one figure for two councils; ours are per council.
        & ~published["area_code"].astype(str).str.contains("/")
    ]
    rows = []
    for code in codes:  # a handful of indicators: the frames are already computed
        mine = ours[ours["indicator"] == code]
        dfe = theirs[theirs["code"] == code]
        years = sorted(set(mine["year"]) & set(dfe["year"]))
        mine = mine[mine["year"].isin(years)]
        dfe = dfe[dfe["year"].isin(years)]
        keys_mine = set(zip(mine["la_code"].astype(str), mine["year"], strict=True))
        keys_dfe = set(zip(dfe["area_code"].astype(str), dfe["year"], strict=True))
        low, high = BY_CODE[code].range
        values = pd.concat([mine["value"], dfe["value"].dropna()])
        rows.append(
            {
                "code": code,
                "years": ", ".join(f"{y}-{(y + 1) % 100:02d}" for y in years),
                "published_las": dfe["area_code"].nunique(),
                "computed_las": mine["la_code"].nunique(),
                "las_in_both": len({la for la, _ in keys_mine & keys_dfe}),
                "only_published": len({la for la, _ in keys_dfe - keys_mine}),
                "only_computed": len({la for la, _ in keys_mine - keys_dfe}),
                "published_suppressed": int(dfe["value"].isna().sum()),
                "duplicate_figures": int(
                    mine.duplicated(["la_code", "year"]).sum()
                    + dfe.duplicated(["area_code", "year"]).sum()
                ),
                "published_min": dfe["value"].min(),
                "published_max": dfe["value"].max(),
                "computed_min": mine["value"].min(),
                "computed_max": mine["value"].max(),
                "published_iqr": _iqr(dfe["value"]),
                "computed_iqr": _iqr(mine["value"]),
                "in_range": bool(values.between(low, high).all()) if len(values) else False,
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def _iqr(values: pd.Series) -> float:
    return float(values.quantile(0.75) - values.quantile(0.25)) if len(values) else float("nan")
