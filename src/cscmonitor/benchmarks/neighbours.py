"""DfE statistical neighbour groupings (2021 and 2025): each LA's ten closest LAs, in order.

The groupings are keyed by the old three-digit LA code. The 2021 file also lists, under
"Old SNs", the LAs that existed before local government reorganisation (Dorset, Poole and
Bournemouth before 2019, Northamptonshire before 2021), so older years have neighbours too.

Which grouping a year uses: grouping G applies to figures for periods ending on or after
31 March G (DfE's data year G onwards); periods before the earliest grouping held use the
earliest (the grouping in use at the time is not bundled).
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import pandas as pd

from cscmonitor.benchmarks.store import bundled_path

GROUPING_FILES = {
    2021: "New_Statistical_Neighbour_Groupings_April_2021.csv",
    2025: "sn_model_2025_wide.csv",
}
NEIGHBOURS = 10
COLUMNS = ["grouping", "la_code", "la_name", "rank", "neighbour_code", "closeness", "section"]


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig").rename(
        columns=lambda c: c.replace("\ufeff", "").strip()
    )


def _closeness_after(columns: list[str], name: str) -> str:
    """The closeness column that follows `SNk` (the 2021 file names them all `SNP`)."""
    return columns[columns.index(name) + 1]


def read_grouping(path: Path, grouping: int) -> pd.DataFrame:
    """A groupings file as long rows: la_code, rank 1–10, neighbour_code, closeness."""
    wide = _read(path)
    columns = list(wide.columns)
    if "old_la_code" in columns:  # the 2025 layout: SN_1 … SN_10 with SN_1P … SN_10P
        code, name = wide["old_la_code"], wide["la_name"]
        pairs = [(f"SN_{k}", f"SN_{k}P") for k in range(1, NEIGHBOURS + 1)]
    elif "LA num" in columns:  # the 2021 layout: SN1, SNP, SN2, SNP, …
        code, name = wide["LA num"], wide["LA Name"]
        pairs = [(f"SN{k}", _closeness_after(columns, f"SN{k}")) for k in range(1, NEIGHBOURS + 1)]
    else:
        raise ValueError(f"{path.name}: not a statistical neighbour groupings file")
    code = code.str.strip()
    listed = code.str.fullmatch(r"\d{3}")
    # Rows below the "Old SNs:" marker are the LAs that existed before a reorganisation.
    marker = wide.iloc[:, 1].str.strip().str.lower().str.startswith("old sn")
    section = marker.cumsum().gt(0).map({True: "before reorganisation", False: "current"})
    frames = [
        pd.DataFrame(
            {
                "la_code": code,
                "la_name": name.str.strip(),
                "rank": k,
                "neighbour_code": wide[sn].str.strip(),
                "closeness": wide[close].str.strip(),
                "section": section,
            }
        )[listed]
        for k, (sn, close) in enumerate(pairs, start=1)
    ]
    long = pd.concat(frames, ignore_index=True)
    long = long[long["neighbour_code"].str.fullmatch(r"\d{3}")]
    long.insert(0, "grouping", grouping)
    return long.sort_values(["la_code", "rank"], ignore_index=True)[COLUMNS]


@functools.cache
def groupings() -> pd.DataFrame:
    """Every bundled grouping, long."""
    return pd.concat(
        [read_grouping(bundled_path(f), g) for g, f in GROUPING_FILES.items()], ignore_index=True
    )


def grouping_for(period_end: dt.date, available: tuple[int, ...] | None = None) -> int:
    """The grouping that applies to a period ending on `period_end` (see the module note)."""
    years = sorted(available or GROUPING_FILES)
    applicable = [g for g in years if dt.date(g, 3, 31) <= period_end]
    return applicable[-1] if applicable else years[0]


def groupings_for(period_ends: pd.Series) -> pd.Series:
    """`grouping_for` over a column of period ends (vectorised over the groupings held)."""
    ends = pd.to_datetime(period_ends)
    years = sorted(GROUPING_FILES)
    chosen = pd.Series(years[0], index=period_ends.index, dtype="int64")
    for g in years:  # two groupings: one pass each, vectorised over the rows
        chosen = chosen.mask(ends >= pd.Timestamp(g, 3, 31), g)
    return chosen


def neighbours_of(la_code: str, grouping: int) -> pd.DataFrame:
    """The LA's neighbours in a grouping, closest first (empty if the grouping lacks the LA)."""
    table = groupings()
    return table[(table["grouping"] == grouping) & (table["la_code"] == la_code)].reset_index(
        drop=True
    )
