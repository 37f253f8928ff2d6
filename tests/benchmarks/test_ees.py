"""Reading EES tables: columns by name, suppression codes as flags, time conventions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from cscmonitor.benchmarks.ees import EESFormatError, filters_key, read_ees
from cscmonitor.benchmarks.store import bundled_path
from tests.benchmarks.conftest import write

HEADER = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
    "region_name,old_la_code,new_la_code,la_name"
)
C1 = "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"


def _day(value: object) -> dt.date:
    return pd.Timestamp(value).date()  # type: ignore[arg-type]


def test_bundled_c1_holds_doncaster_2015_16() -> None:
    tidy = read_ees(bundled_path(C1))
    row = tidy[
        (tidy["old_la_code"] == "371")
        & (tidy["time_period"] == "2016")
        & (tidy["measure"] == "rereferral_percent")
    ].iloc[0]
    assert row["dataset"] == "c1"
    assert row["value"] == 23.0
    assert row["flag"] is None or pd.isna(row["flag"])
    assert row["new_la_code"] == "E08000017"
    assert row["region_name"] == "Yorkshire and The Humber"
    assert row["filters"] == filters_key({"category": "Referrals and Re-referrals"})
    # DfE's time_period 2016 for the CIN census is the year to 31 March 2016: 2015-16.
    assert (_day(row["period_start"]), _day(row["period_end"])) == (
        dt.date(2015, 4, 1),
        dt.date(2016, 3, 31),
    )


def test_columns_are_matched_by_name_not_position(tmp_path: Path) -> None:
    standard = write(
        tmp_path / "one.csv",
        f"{HEADER},category,referral_count,rereferral_count,rereferral_percent\n"
        "2016,Reporting year,Local authority,E92000001,England,E12000003,Yorkshire and The Humber,"
        "371,E08000017,Doncaster,Referrals and Re-referrals,4479,1030,23\n",
    )
    # The same row with the columns shuffled, a byte-order mark and other-case names.
    shuffled = write(
        tmp_path / "two.csv",
        "RereFerral_Percent,la_name,Time_Period,category,old_la_code,geographic_level,"
        "referral_count,new_la_code,time_identifier,region_name,region_code,country_code,"
        "rereferral_count,country_name\n"
        "23,Doncaster,2016,Referrals and Re-referrals,371,Local authority,4479,E08000017,"
        "Reporting year,Yorkshire and The Humber,E12000003,E92000001,1030,England\n",
        bom=True,
    )
    first = read_ees(standard).drop(columns="source_file")
    second = read_ees(shuffled).drop(columns="source_file")
    second["measure"] = second["measure"].str.lower()
    key = ["measure"]
    pd.testing.assert_frame_equal(
        first.sort_values(key, ignore_index=True), second.sort_values(key, ignore_index=True)
    )
    assert set(first["measure"]) == {"referral_count", "rereferral_count", "rereferral_percent"}
    assert first["dataset"].iloc[0] == "c1"


def la_rows(period: str, cells: list[str]) -> str:
    """One LA row per cell (LAs 300, 301, …) of a file with one measure column."""
    return "".join(
        f"{period},Reporting year,Local authority,E92000001,England,E12000003,Y,{300 + i},E0{i},"
        f"LA {i},{cell}\n"
        for i, cell in enumerate(cells)
    )


def test_suppression_codes_are_flags_never_numbers(tmp_path: Path) -> None:
    codes = ["c", "x", "z", "k", "u", "low", "", "12.5"]
    body = la_rows("2016", codes)
    tidy = read_ees(write(tmp_path / "made_up_2016.csv", f"{HEADER},some_measure\n{body}"))
    by_la = tidy.set_index("old_la_code")
    for i, code in enumerate(["c", "x", "z", "k", "u", "low"]):
        assert pd.isna(by_la.loc[str(300 + i), "value"]), code
        assert by_la.loc[str(300 + i), "flag"] == code
    # A blank cell is missing, not suppressed; a number is a number with no flag.
    assert pd.isna(by_la.loc["306", "value"]) and pd.isna(by_la.loc["306", "flag"])
    assert by_la.loc["307", "value"] == 12.5 and pd.isna(by_la.loc["307", "flag"])


def test_years_and_months_are_read_as_months(tmp_path: Path) -> None:
    # Adoption timings: 01:04 is a year and four months; a count in the same column stays a
    # count; `k` is a flag, never a duration.
    body = la_rows("2025", ["01:04", "00:09", "180", "k"])
    tidy = read_ees(write(tmp_path / "timings_2025.csv", f"{HEADER},number\n{body}"))
    by_la = tidy.set_index("old_la_code")
    assert by_la.loc["300", "value"] == 16 and by_la.loc["301", "value"] == 9
    assert by_la.loc["302", "value"] == 180
    assert pd.isna(by_la.loc["303", "value"]) and by_la.loc["303", "flag"] == "k"
    assert tidy["measure"].eq("number").all()  # a measure, not a filter


def test_suppression_flags_in_the_bundled_tables() -> None:
    tidy = read_ees(bundled_path("csww_indicators_2017_to_2025.csv"))
    flagged = tidy[tidy["flag"].notna()]
    assert set(flagged["flag"]) == {"c", "x", "z", "u", "low"}
    assert flagged["value"].isna().all()


def test_an_unmapped_standard_file_imports(tmp_path: Path) -> None:
    text = (
        "time_period,time_identifier,geographic_level,country_code,country_name,"
        "school_phase,pupils,percent_absent\n"
        "201516,Financial year,National,E92000001,England,Primary,100,4.5\n"
        "201516,Financial year,National,E92000001,England,Secondary,c,x\n"
    )
    tidy = read_ees(write(tmp_path / "absence_by_phase_2016_to_2024.csv", text))
    # The name without its year range identifies the dataset, so a newer release supersedes.
    assert set(tidy["dataset"]) == {"absence_by_phase"}
    assert set(tidy["measure"]) == {"pupils", "percent_absent"}
    assert set(tidy["filters"]) == {'{"school_phase":"Primary"}', '{"school_phase":"Secondary"}'}
    assert tidy["old_la_code"].isna().all()
    assert tidy["period_basis"].eq("financial year").all()
    assert (_day(tidy["period_start"].iloc[0]), _day(tidy["period_end"].iloc[0])) == (
        dt.date(2015, 4, 1),
        dt.date(2016, 3, 31),
    )


def test_reporting_year_of_an_unknown_dataset_is_assumed_and_says_so(tmp_path: Path) -> None:
    text = f"{HEADER},things\n2016,Reporting year,National,E92000001,England,,,,,,7\n"
    tidy = read_ees(write(tmp_path / "things.csv", text))
    assert tidy["period_basis"].iloc[0] == "assumed: year ending 31 March"
    assert _day(tidy["period_end"].iloc[0]) == dt.date(2016, 3, 31)


def test_workforce_is_at_30_september_and_population_at_mid_year() -> None:
    csww = read_ees(bundled_path("csww_indicators_2017_to_2025.csv"))
    row = csww[csww["time_period"] == "2017"].iloc[0]
    assert (_day(row["period_start"]), _day(row["period_end"])) == (
        dt.date(2016, 10, 1),
        dt.date(2017, 9, 30),
    )
    ons = read_ees(bundled_path("ons_mid-year_population_estimates_2012_to_2024.csv"))
    row = ons[ons["time_period"] == "2015"].iloc[0]
    assert _day(row["period_start"]) == _day(row["period_end"]) == dt.date(2015, 6, 30)


def test_a_meta_file_decides_filters_and_measures(tmp_path: Path) -> None:
    # `age` holds numbers but is a filter; without the meta file it would look like a measure.
    write(
        tmp_path / "ages.meta.csv",
        "col_name,col_type,label\nage,Filter,Age\nchildren,Indicator,Children\n",
    )
    text = (
        "time_period,time_identifier,geographic_level,country_code,country_name,age,children\n"
        "2016,Calendar year,National,E92000001,England,16,10\n"
        "2016,Calendar year,National,E92000001,England,17,12\n"
    )
    tidy = read_ees(write(tmp_path / "ages.csv", text))
    assert list(tidy["measure"].unique()) == ["children"]
    assert sorted(tidy["filters"]) == ['{"age":"16"}', '{"age":"17"}']
    assert _day(tidy["period_end"].iloc[0]) == dt.date(2016, 12, 31)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("la_name,value\nDoncaster,3\n", "no time_period, time_identifier, geographic_level"),
        (
            "time_period,time_identifier,geographic_level,la_name\n"
            "2016,Reporting year,National,x\n",
            "no measure columns",
        ),
        ("", "empty file"),
    ],
)
def test_files_not_in_the_standard_layout_are_refused(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(EESFormatError, match=message):
        read_ees(write(tmp_path / "bad.csv", text))


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        f"{HEADER},n\n2016,Reporting year,National,E1,England,,,,,Bl\xe9,3\n".encode("latin-1")
    )
    with pytest.raises(EESFormatError, match="not UTF-8"):
        read_ees(path)
