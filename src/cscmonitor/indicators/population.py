"""Children aged 0–17 by LA and year (ONS mid-year estimates, as DfE publishes them).

Bundled with the package (data/ees), so rates work offline. The estimate used for a
period is the one for the calendar year in which the period starts.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import ibis
import ibis.expr.types as ir
import pandas as pd

FILE = "ons_mid-year_population_estimates_2012_to_2024.csv"


@cache
def population_frame() -> pd.DataFrame:
    """`la_code` (old three-digit code), `year`, `population`, for every LA and year held."""
    raw = pd.read_csv(
        files("cscmonitor").joinpath("data", "ees", FILE).open("rb"),
        usecols=["time_period", "geographic_level", "old_la_code", "population_estimate"],
        dtype=str,
        encoding="utf-8-sig",
    )
    las = raw[raw["geographic_level"] == "Local authority"]
    return pd.DataFrame(
        {
            "la_code": las["old_la_code"].str.strip(),
            "year": pd.to_numeric(las["time_period"]).astype("int64"),
            "population": pd.to_numeric(las["population_estimate"], errors="coerce"),
        }
    ).dropna()


@cache
def population_table() -> ir.Table:
    """The estimates as one in-memory table, registered once per connection."""
    return ibis.memtable(
        population_frame(), schema={"la_code": "string", "year": "int64", "population": "float64"}
    )
