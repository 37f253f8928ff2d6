"""Shared fixtures: the published tables bundled with the package, parsed once per session."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cscmonitor.benchmarks.store import BenchmarkStore
from cscmonitor.benchmarks.values import Published

HEADER = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
    "region_name,old_la_code,new_la_code,la_name,category,referral_count,rereferral_count,"
    "rereferral_percent"
)
PLACE = "Local authority,E92000001,England,E12000003,Yorkshire and The Humber,371,E08000017"
# A revised release: 2016 restated (23.0 -> 24.0) and a year the bundled table lacks.
NEWER = (
    f"{HEADER}\n"
    f"2026,Reporting year,{PLACE},Doncaster,Referrals and Re-referrals,5000,1000,20\n"
    f"2016,Reporting year,{PLACE},Doncaster,Referrals and Re-referrals,4479,1075,24\n"
)


@pytest.fixture(scope="session")
def published() -> pd.DataFrame:
    """The bundled tables in force (no imports)."""
    return BenchmarkStore().published()


@pytest.fixture(scope="session")
def held(published: pd.DataFrame) -> Published:
    """The bundled tables with comparator values and LA directory derived once."""
    return Published(published)


def write(path: Path, text: str, *, bom: bool = False) -> Path:
    """Write a hand-made CSV (optionally with a UTF-8 byte-order mark, as EES downloads have)."""
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode())
    return path
