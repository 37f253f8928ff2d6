"""DfE statistical neighbour groupings: read by name, chosen by year, reorganisations kept."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from cscmonitor.benchmarks.neighbours import (
    grouping_for,
    groupings_for,
    neighbours_of,
    read_grouping,
)
from tests.benchmarks.conftest import write


def test_doncaster_2021_neighbours_start_rotherham_barnsley_ne_lincolnshire() -> None:
    sn = neighbours_of("371", 2021)
    assert sn["neighbour_code"].tolist() == [
        "372",  # Rotherham
        "370",  # Barnsley
        "812",  # North East Lincolnshire
        "359",
        "384",
        "357",
        "813",
        "807",
        "332",
        "894",
    ]
    assert sn["rank"].tolist() == list(range(1, 11))
    assert sn["closeness"].iloc[0] == "Extremely Close"


def test_doncaster_2025_neighbours() -> None:
    sn = neighbours_of("371", 2025)
    assert sn["neighbour_code"].tolist()[:3] == ["372", "370", "384"]
    assert len(sn) == 10


def test_pre_reorganisation_las_keep_their_neighbours() -> None:
    northamptonshire = neighbours_of("928", 2021)
    assert len(northamptonshire) == 10
    assert set(northamptonshire["section"]) == {"before reorganisation"}
    assert set(neighbours_of("940", 2021)["section"]) == {"current"}
    # Cumbria was abolished in 2023: the 2025 grouping has no row for it (and no error).
    assert neighbours_of("909", 2025).empty
    assert len(neighbours_of("942", 2025)) == 10


@pytest.mark.parametrize(
    ("period_end", "grouping"),
    [
        (dt.date(2016, 3, 31), 2021),  # before any grouping held: the earliest
        (dt.date(2021, 3, 31), 2021),
        (dt.date(2024, 3, 31), 2021),
        (dt.date(2024, 9, 30), 2021),
        (dt.date(2025, 3, 31), 2025),
        (dt.date(2030, 3, 31), 2025),
    ],
)
def test_grouping_is_chosen_by_period_end(period_end: dt.date, grouping: int) -> None:
    assert grouping_for(period_end) == grouping
    assert groupings_for(pd.Series([period_end])).tolist() == [grouping]


def test_groupings_are_read_by_column_name(tmp_path: Path) -> None:
    # The 2025 layout with its columns in another order and one neighbour left blank.
    names = [f"SN_{k}" for k in range(1, 11)]
    closeness = [f"{n}P" for n in names]
    header = ",".join(["la_name", "old_la_code", *closeness, *names, "region_name"])
    row = ",".join(
        ["Somewhere", "999", *["Close"] * 10, *[str(800 + k) for k in range(1, 10)], "", "R"]
    )
    long = read_grouping(write(tmp_path / "sn.csv", f"{header}\n{row}\n"), 2099)
    assert long["neighbour_code"].tolist() == [str(800 + k) for k in range(1, 10)]
    assert set(long["grouping"]) == {2099}


def test_a_file_that_is_not_a_grouping_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a statistical neighbour groupings file"):
        read_grouping(write(tmp_path / "x.csv", "a,b\n1,2\n"), 2021)
