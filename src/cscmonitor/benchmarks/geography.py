"""Local authorities as the published tables name them: old and new codes, names, regions.

Everything comes from the EES files' own columns, so reorganised LAs (Northamptonshire split
in 2021, Cumbria in 2023, Dorset, Poole and Bournemouth merged in 2019) appear for exactly the
years they published. A few workforce rows are joint returns of two LAs (`940 / 941`): they
stand for each of the two when an LA's own figure is looked up, and count once among all LAs.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

LA_LEVEL = "Local authority"
REGIONAL = "Regional"
NATIONAL = "National"
JOINT = " / "


def la_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """LA-level rows with `la_code` (a joint return appears once per LA) and `joint`."""
    rows = frame[frame["geographic_level"] == LA_LEVEL]
    code = rows["old_la_code"].astype(str)
    joint = code.str.contains(JOINT, regex=False)
    single = rows[~joint].assign(la_code=code[~joint], joint=False)
    # Joint returns are a handful of rows: split only those.
    shared = rows[joint].assign(la_code=code[joint].str.split(JOINT, regex=False), joint=True)
    shared = shared.explode("la_code")
    shared["la_code"] = shared["la_code"].str.strip()
    return pd.concat([single, shared]) if len(shared) else single


@dataclass(frozen=True)
class LocalAuthority:
    code: str  # the old three-digit DfE code
    new_code: str | None
    name: str
    region_code: str | None
    region_name: str | None
    first_period: str
    last_period: str


def directory(published: pd.DataFrame) -> pd.DataFrame:
    """One row per LA code seen: latest new code, name and region, and the years it appears."""
    places = ["old_la_code", "new_la_code", "la_name", "region_code", "region_name"]
    seen = published.loc[
        published["geographic_level"] == LA_LEVEL, [*places, "period_end", "time_period"]
    ].drop_duplicates()
    rows = la_rows(seen.assign(geographic_level=LA_LEVEL))
    rows = rows[~rows["joint"]].sort_values(["la_code", "period_end", "time_period"])
    last = rows.groupby("la_code").tail(1).set_index("la_code")
    span = rows.groupby("la_code")["time_period"].agg(["min", "max"])
    table = last[["new_la_code", "la_name", "region_code", "region_name"]].join(span)
    return table.rename(columns={"min": "first_period", "max": "last_period"}).reset_index()


class UnknownLA(KeyError):
    """An LA code or name the published tables do not hold."""

    def __str__(self) -> str:
        return str(self.args[0])


def resolve(la: str, table: pd.DataFrame) -> LocalAuthority:
    """An LA by old code (371), new code (E08000017) or exact name (any case)."""
    text = la.strip()
    hit = table[
        (table["la_code"] == text)
        | (table["new_la_code"].str.upper() == text.upper())
        | (table["la_name"].str.lower() == text.lower())
    ]
    if hit.empty:
        raise UnknownLA(
            f"no local authority {la!r} in the published tables: give the DfE code (e.g. 371), "
            "the ONS code (e.g. E08000017) or the name"
        )
    row = hit.iloc[0]
    return LocalAuthority(
        code=str(row["la_code"]),
        new_code=_text(row["new_la_code"]),
        name=str(row["la_name"]),
        region_code=_text(row["region_code"]),
        region_name=_text(row["region_name"]),
        first_period=str(row["first_period"]),
        last_period=str(row["last_period"]),
    )


def regions(published: pd.DataFrame) -> pd.DataFrame:
    """Each LA's latest region (`la_code, region_code, region_name`), for pooled benchmarks."""
    return directory(published)[["la_code", "region_code", "region_name"]]


def _text(value: object) -> str | None:
    return None if value is None or pd.isna(value) else str(value)
