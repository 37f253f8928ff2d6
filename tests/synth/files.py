"""Reading the files the synth writes back with pandas, for checks of their structure (the
rates in them are checked by the indicator engine itself)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

ADOPTIVE = {"A3", "A4", "A5", "A6"}


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values.replace("", None), format="%d/%m/%Y")


def ssda903(out: Path, name: str, key: list[str]) -> pd.DataFrame:
    """One 903 table over every year written, each record as its latest file shows it."""
    frames = [
        read(path).assign(year=int(path.parent.name))
        for path in sorted((out / "ssda903").glob(f"*/{name}.csv"))
    ]
    table = pd.concat(frames, ignore_index=True).sort_values("year")
    return table.drop_duplicates(key, keep="last").reset_index(drop=True)


def episodes(out: Path) -> pd.DataFrame:
    table = ssda903(out, "episodes", ["CHILD", "DECOM"])
    return table.assign(decom=dates(table.DECOM), dec=dates(table.DEC))


def early_help(out: Path) -> pd.DataFrame:
    frames = [read(p) for p in sorted((out / "early_help").glob("early_help_*.csv"))]
    table = pd.concat(frames, ignore_index=True).drop_duplicates(
        ["CHILD_ID", "REQUEST_DATE"], keep="last"
    )
    return table.assign(closure=dates(table.CLOSURE_DATE), request=dates(table.REQUEST_DATE))


def cin_referrals(out: Path) -> pd.DataFrame:
    from defusedxml.ElementTree import parse

    rows = []
    for path in sorted((out / "cin_census").glob("*.xml")):
        for child in parse(path).getroot().iter("Child"):
            child_id = child.findtext("ChildIdentifiers/LAchildID")
            for details in child.findall("CINdetails"):
                rows.append((child_id, details.findtext("CINreferralDate")))
    table = pd.DataFrame(rows, columns=["child", "date"]).drop_duplicates()
    return table.assign(date=pd.to_datetime(table.date))


def virtual_school(out: Path, name: str, year: int) -> pd.DataFrame:
    return read(out / "virtual_school" / f"{name}_{year}.csv")
