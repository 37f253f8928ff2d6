"""The placement-category map: an editable table keyed by PLACE code and collection year.

The bundled table (`data/forecast/placement_categories.csv`) follows data-to-insight's
demand model (fostering U1–U6; residential K2, R1, P3, S1; supported H5, K3, P2; the rest
other). A code that changes meaning in some year gets a row per span of years
(`from_year`, `to_year`, both inclusive, blank for open), so new codes land in data, not code.
Overrides (from a council's own file) replace the bundled rows for the codes they name.
A PLACE code the table does not know is counted as other.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import numpy as np
import numpy.typing as npt
import pandas as pd

from cscmonitor.forecast.states import CATEGORIES
from cscmonitor.returns.issues import ReturnError

FILE = "placement_categories.csv"
COLUMNS = ("place", "category", "from_year", "to_year")
OTHER = CATEGORIES.index("other")


@cache
def bundled() -> pd.DataFrame:
    with files("cscmonitor").joinpath("data", "forecast", FILE).open("rb") as handle:
        return read_map(handle, FILE)


def read_map(source: object, name: str) -> pd.DataFrame:
    """A category map from CSV, checked: known categories, whole years, no overlapping spans."""
    raw = pd.read_csv(source, dtype=str, keep_default_na=False)
    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        raise ReturnError(f"{name}: no column {', '.join(missing)}")
    table = pd.DataFrame({"place": raw["place"].str.strip().str.upper()})
    table["category"] = raw["category"].str.strip().str.lower()
    for row, category in table["category"].items():
        if category not in CATEGORIES:
            raise ReturnError(
                f"{name} row {int(row) + 2} field category: {category!r} is not one of "
                f"{', '.join(CATEGORIES)}"
            )
    for column, open_end in (("from_year", 0), ("to_year", 9999)):
        years = pd.to_numeric(raw[column].str.strip().replace("", str(open_end)), errors="coerce")
        bad = years.isna()
        if bad.any():
            row = int(bad.idxmax()) + 2
            raise ReturnError(f"{name} row {row} field {column}: not a year")
        table[column] = years.astype("int64")
    _refuse_overlaps(table, name)
    return table


def _refuse_overlaps(table: pd.DataFrame, name: str) -> None:
    ordered = table.sort_values(["place", "from_year"])
    previous_to = ordered.groupby("place")["to_year"].shift()
    clash = ordered[ordered["from_year"] <= previous_to]
    if not clash.empty:
        place = clash["place"].iloc[0]
        raise ReturnError(f"{name}: PLACE {place} has overlapping year spans")


def category_map(overrides: pd.DataFrame | None = None) -> pd.DataFrame:
    """The bundled map with `overrides` replacing every row of the codes they name."""
    table = bundled()
    if overrides is None or overrides.empty:
        return table
    kept = table[~table["place"].isin(overrides["place"])]
    return pd.concat([kept, overrides[list(COLUMNS)]], ignore_index=True)


def categorise(
    place: npt.NDArray[np.str_] | pd.Series,
    year: npt.NDArray[np.integer] | pd.Series,
    table: pd.DataFrame | None = None,
) -> npt.NDArray[np.int64]:
    """The category index of each (PLACE, collection year); other where the map has no row."""
    table = category_map() if table is None else table
    rows = pd.DataFrame({"place": np.asarray(place, dtype=object), "year": np.asarray(year)})
    rows["row"] = np.arange(len(rows))
    matched = rows.merge(table, on="place")
    matched = matched[
        (matched["from_year"] <= matched["year"]) & (matched["year"] <= matched["to_year"])
    ]
    codes = np.full(len(rows), OTHER, dtype=np.int64)
    codes[matched["row"].to_numpy()] = pd.Categorical(matched["category"], CATEGORIES).codes
    return codes
