"""Every comparator's published figures, for every place and financial year, in one table.

A figure belongs to the financial year containing the end of the period it covers (see
`published` and `docs/benchmarks.md`). Values are DfE's where DfE publishes them; a derived
figure (a rate per 10,000) is numerator ÷ denominator × scale. Suppression flags travel with
the value they stand in for.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from enum import StrEnum

import numpy as np
import pandas as pd

from cscmonitor.benchmarks.geography import LA_LEVEL, REGIONAL, directory
from cscmonitor.benchmarks.mapping import COMPARATORS, Comparator, parts_table


class Availability(StrEnum):
    """Whether a benchmark value is there, and if not, why (told apart everywhere)."""

    HELD = "held"
    NO_BENCHMARK = "no published benchmark"  # DfE publishes none, or its table is not bundled
    NOT_HELD = "not held"  # no table holding that year (or place) is bundled or imported
    NOT_PUBLISHED = "not published"  # the table holds the cell, suppressed (c, x, z…)


def availability(value: object, present: bool) -> Availability:
    """HELD with a value; NOT_PUBLISHED when the row is held without one; else NOT_HELD."""
    if not present:
        return Availability.NOT_HELD
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return Availability.NOT_PUBLISHED
    return Availability.HELD


KEYS = ["code", "geographic_level", "area_code", "year"]
DESCRIPTIVE = [
    "old_la_code",
    "new_la_code",
    "la_name",
    "region_code",
    "region_name",
    "time_period",
    "period_start",
    "period_end",
    "period_basis",
    "source_file",
]


def published_values(
    published: pd.DataFrame, comparators: Sequence[Comparator] = COMPARATORS
) -> pd.DataFrame:
    """Every comparator's published value and counts, for every place and financial year.

    One row per (code, geographic_level, area_code, year): `area_code` is the old LA code
    (possibly joint, `940 / 941`), the region code or the country code. `value` is DfE's
    published figure where it publishes one, else numerator ÷ denominator × scale; `flag` is
    the suppression code standing in for a missing value.
    """
    parts = parts_table(tuple(comparators))
    rows = published[published["dataset"].isin(parts["dataset"]) & published["period_end"].notna()]
    matched = rows.merge(parts, on=["dataset", "measure", "filters"])
    matched["value"] = matched["value"] * matched["factor"]  # e.g. months as days
    end = pd.to_datetime(matched["period_end"])
    matched["year"] = end.dt.year - (end.dt.month < 4).astype(int)
    level = matched["geographic_level"]
    matched["area_code"] = np.select(
        [level.eq(LA_LEVEL), level.eq(REGIONAL)],
        [matched["old_la_code"], matched["region_code"]],
        default=matched["country_code"],
    )
    grouped = matched.groupby([*KEYS, "role"], dropna=False)
    agg = grouped.agg(
        total=("value", "sum"),
        present=("value", "count"),
        parts=("parts", "first"),
        flag=("flag", "first"),
    )
    # A sum of several measures (agency + in post) needs every one of them.
    agg["total"] = agg["total"].where(agg["present"] == agg["parts"])
    totals = agg["total"].unstack("role")
    flags = agg["flag"].unstack("role")
    wide = pd.DataFrame(index=totals.index)
    for role in ("value", "numerator", "denominator"):
        wide[role] = totals.get(role, np.nan)
        wide[f"{role}_flag"] = flags.get(role, None)
    wide = wide.reset_index()
    derived = wide["code"].map({c.code: c.value is None for c in comparators}).astype(bool)
    scale = wide["code"].map({c.code: c.scale for c in comparators})
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = wide["numerator"] / wide["denominator"].where(wide["denominator"] > 0) * scale
    wide["value"] = wide["value"].where(~derived, ratio)
    wide["flag"] = wide["value_flag"].where(
        ~derived, wide["numerator_flag"].fillna(wide["denominator_flag"])
    )
    wide["flag"] = wide["flag"].where(wide["value"].isna())
    # Descriptive columns come from the row the value (or, when derived, the numerator) is on.
    primary = matched["role"].eq(
        matched["code"].map(
            {c.code: "numerator" if c.value is None else "value" for c in comparators}
        )
    )
    described = matched[primary].drop_duplicates(KEYS)[[*KEYS, *DESCRIPTIVE]]
    out = wide.merge(described, on=KEYS, how="left")
    meta = pd.DataFrame(
        {
            "code": [c.code for c in comparators],
            "polarity": [str(c.polarity) for c in comparators],
            "unit": [str(c.unit) for c in comparators],
            "interval": [str(c.interval) for c in comparators],
        }
    )
    columns = [*KEYS, "value", "flag", "numerator", "denominator", *DESCRIPTIVE]
    return out[columns].merge(meta, on="code")


class Published:
    """The published rows in force, with every comparator's values and the LA directory.

    Both are derived once (they read the whole table); asking about many LAs and years then
    only filters them.
    """

    def __init__(self, rows: pd.DataFrame) -> None:
        self.rows = rows

    @functools.cached_property
    def values(self) -> pd.DataFrame:
        return published_values(self.rows)

    @functools.cached_property
    def places(self) -> pd.DataFrame:
        return directory(self.rows)


def as_published(published: Published | pd.DataFrame) -> Published:
    return published if isinstance(published, Published) else Published(published)
