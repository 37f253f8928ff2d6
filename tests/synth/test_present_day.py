"""The present-day scenario: each year's returns in that year's format, the in-year extract,
and a postcode lookup that covers every postcode written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from defusedxml.ElementTree import parse

from cscmonitor.synth import generate
from cscmonitor.synth.generate import default_lookup
from cscmonitor.synth.places import Places, places_of
from cscmonitor.synth.scenario import load, scaled

# The DfE's CSV layouts, as the 903 guide and the validators' column lists have them.
SW_EPISODES = ["CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"]
DOLO = ["CHILD", "DOB", "DOLO_START", "DOLO_END"]
# The CIN census's pre-proceedings block (2026-27), in its order.
PRE_PROCEEDINGS = [
    "PPStartDate",
    "LBPSentDate",
    "FGDMMeetingOffer",
    "FGDMMeetingFac",
    "InitialPPMeetingDate",
    "ReviewMeetingsCount",
    "StepDecisionDate",
    "PPOutcome",
    "CourtAppDate",
    "LetterInitCPDate",
]
# The 903 and CIN census ethnicity codes.
ETHNICITY = {
    "WBRI",
    "WIRI",
    "WIRT",
    "WOTH",
    "WROM",
    "MWBC",
    "MWBA",
    "MWAS",
    "MOTH",
    "AIND",
    "APKN",
    "ABAN",
    "AOTH",
    "BCRB",
    "BAFR",
    "BOTH",
    "CHNE",
    "OOTH",
    "REFU",
    "NOBT",
}
YEARS = [2022, 2023, 2024, 2025, 2026]
IN_YEAR = 2027
IN_YEAR_TO = dt.date(2026, 10, 31)


@pytest.fixture(scope="module")
def returns(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("present-day")
    generate(out, scenario="present-day", seed=3, scale=0.2)
    return out


def _episodes(returns: Path, year: int) -> pd.DataFrame:
    return pd.read_csv(returns / "ssda903" / str(year) / "episodes.csv", dtype=str).fillna("")


def test_every_year_and_the_in_year_extract_are_written(returns):
    assert sorted(int(p.name) for p in (returns / "ssda903").iterdir()) == [*YEARS, IN_YEAR]
    assert sorted(p.name for p in (returns / "cin_census").iterdir()) == [
        f"CIN_Census_{y}.xml" for y in [*YEARS, IN_YEAR]
    ]


def test_social_worker_episodes_from_2023_24_and_dolo_in_2026_27(returns):
    for year in [*YEARS, IN_YEAR]:
        folder = returns / "ssda903" / str(year)
        sw, dolo = folder / "sw_episodes.csv", folder / "dolo.csv"
        assert sw.exists() == (year >= 2024), year
        assert dolo.exists() == (year >= 2027), year
        if sw.exists():
            assert list(pd.read_csv(sw, nrows=0).columns) == SW_EPISODES
        if dolo.exists():
            assert list(pd.read_csv(dolo, nrows=0).columns) == DOLO


def test_placement_codes_follow_the_return_year(returns):
    """K3 from 2024-25 (beside H5 and P2 there), only K3 from 2025-26; Z1 to 2024-25 and
    Z11-Z14 from 2025-26."""
    places = {y: set(_episodes(returns, y)["PLACE"]) for y in [*YEARS, IN_YEAR]}
    for year, held in places.items():
        assert ("K3" in held) == (year >= 2025), (year, sorted(held))
        if year >= 2026:
            assert not held & {"H5", "P2", "Z1"}, (year, sorted(held))
        else:
            assert not held & {"Z11", "Z12", "Z13", "Z14"}, (year, sorted(held))
    # Placements made before April 2024 keep H5 or P2 in the 2024-25 return.
    assert places[2025] & {"H5", "P2"}


def test_sex_is_coded_as_each_year_codes_it(returns):
    for year in [*YEARS, IN_YEAR]:
        header = pd.read_csv(returns / "ssda903" / str(year) / "header.csv", dtype=str)
        expected = {"M", "F"} if year >= 2025 else {"1", "2"}
        assert set(header["SEX"]) == expected, year
        children = parse(returns / "cin_census" / f"CIN_Census_{year}.xml").getroot()
        identifiers = children.findall("Children/Child/ChildIdentifiers")
        gender = {i.findtext("GenderCurrent") for i in identifiers}
        sex = {i.findtext("Sex") for i in identifiers}
        if year >= 2025:
            assert gender == {None} and sex == {"M", "F"}, year
        else:
            assert sex == {None} and gender == {"1", "2"}, year


def test_pre_proceedings_only_in_2026_27_inside_cin_details(returns):
    for year in [*YEARS, IN_YEAR]:
        root = parse(returns / "cin_census" / f"CIN_Census_{year}.xml").getroot()
        blocks = root.findall("Children/Child/CINdetails/PreProceedingsandFGDM")
        assert bool(blocks) == (year == IN_YEAR), year
        assert root.findall(".//PreProceedingsandFGDM") == blocks
    details = root.findall("Children/Child/CINdetails")
    for detail in details:
        tags = [child.tag for child in detail]
        if "PreProceedingsandFGDM" not in tags:
            continue
        # After the child protection plan, as the schema orders CINdetails.
        assert tags[-1] == "PreProceedingsandFGDM"
        block = detail.find("PreProceedingsandFGDM")
        fields = [child.tag for child in block]
        assert fields == [f for f in PRE_PROCEEDINGS if f in fields]
        assert fields[0] == "PPStartDate"
        assert block.findtext("FGDMMeetingOffer") in {"0", "1"}
        assert block.findtext("FGDMMeetingFac") in {"0", "1"}
        # A census reports pre-proceedings in the year they began (DfE rule 9005).
        assert dt.date(2026, 4, 1) <= dt.date.fromisoformat(block.findtext("PPStartDate"))
        dates = [dt.date.fromisoformat(c.text) for c in block if c.tag.endswith("Date")]
        assert dates == sorted(dates)


def test_the_in_year_extract_knows_nothing_after_its_date(returns):
    root = parse(returns / "cin_census" / f"CIN_Census_{IN_YEAR}.xml").getroot()
    assert root.findtext("Header/CollectionDetails/ReferenceDate") == "2027-03-31"
    dates = [
        dt.date.fromisoformat(e.text)
        for e in root.iter()
        if e.tag.endswith("Date")
        and e.tag not in ("PersonBirthDate", "InitialCPCtarget")
        and e.text
        and e.tag != "ReferenceDate"
    ]
    assert max(dates) <= IN_YEAR_TO
    for name, columns in [("episodes.csv", ["DECOM", "DEC"]), ("dolo.csv", DOLO[2:])]:
        table = pd.read_csv(returns / "ssda903" / str(IN_YEAR) / name, dtype=str)
        for column in columns:
            days = pd.to_datetime(table[column].dropna(), format="%d/%m/%Y")
            assert days.max().date() <= IN_YEAR_TO, (name, column)


def test_workforce_files_give_each_workers_ethnicity(returns):
    for path in sorted((returns / "workforce").iterdir()):
        table = pd.read_csv(path, dtype=str)
        assert table.columns[-1] == "ETHNICITY"
        assert set(table["ETHNICITY"]) <= ETHNICITY, path.name
    # A worker's ethnicity stays the same from one year's file to the next.
    both = pd.read_csv(returns / "workforce" / "workforce_2024.csv", dtype=str).merge(
        pd.read_csv(returns / "workforce" / "workforce_2025.csv", dtype=str), on="WORKER_ID"
    )
    assert len(both) > 0
    assert (both["ETHNICITY_x"] == both["ETHNICITY_y"]).all()


def test_the_postcode_lookup_covers_every_postcode_written(returns):
    # Beside the returns, not among them, so that ingest of the folder reads only returns.
    assert not list(returns.rglob("*postcode*"))
    lookup = pd.read_csv(default_lookup(returns), dtype={"postcode": str})
    assert list(lookup.columns) == ["postcode", "easting", "northing"]
    assert lookup["postcode"].is_unique
    known = set(lookup["postcode"])
    for year in [*YEARS, IN_YEAR]:
        episodes = _episodes(returns, year)
        written = set(episodes["HOME_POST"]) | set(episodes["PL_POST"])
        assert written - {""} <= known, (year, sorted(written - known)[:5])


def test_some_placements_are_more_than_20_miles_from_home(returns):
    lookup = pd.read_csv(default_lookup(returns)).set_index("postcode")
    episodes = pd.concat(_episodes(returns, y) for y in YEARS)
    home = lookup.reindex(episodes["HOME_POST"]).to_numpy()
    placed = lookup.reindex(episodes["PL_POST"]).to_numpy()
    miles = np.hypot(*(home - placed).T) / 1609.344
    far = np.nanmean(miles > 20)
    assert 0.04 < far < 0.2


def test_lookup_places_an_area_at_its_distance_and_refuses_an_unknown_one():
    """NN is home (centre 487000, 279000, within 11 km); MK is 30 km due south (bearing 180 in
    this hand-made geography), its districts within 9 km of its centre, each postcode within
    1.2 km of its district."""
    section = load("present-day").postcodes
    assert section is not None
    places = places_of(section)
    south = Places(**{**places.__dict__, "away": {"MK": places.away["MK"].__class__(30, 180)}})
    grid = south.lookup(["MK5 1AB", "NN10 2CD"]).set_index("postcode")
    mk, nn = grid.loc["MK5 1AB"], grid.loc["NN10 2CD"]
    assert abs(mk["easting"] - 487000) <= 9000 + 1200
    assert abs(mk["northing"] - (279000 - 30000)) <= 9000 + 1200
    assert np.hypot(nn["easting"] - 487000, nn["northing"] - 279000) <= 11000 + 1200
    # The same postcode always lands on the same spot.
    again = south.lookup(["MK5 1AB"]).set_index("postcode").loc["MK5 1AB"]
    assert (again == mk).all()
    with pytest.raises(ValueError, match="'LS1 1AA'"):
        south.lookup(["LS1 1AA"])


def test_scaled_shrinks_volumes_not_propensities():
    sc = load("present-day")
    small = scaled(sc, 0.1)
    assert small.referrals.by_year("per_year", [2020, 2024]).tolist() == [430.0, 470.0]
    assert small.referrals.values["rereferral"] == sc.referrals.values["rereferral"]
    assert small.workforce.weights("posts")["5"] == 15
    with pytest.raises(ValueError, match="scale 0 "):
        scaled(sc, 0)
