"""Synthetic returns for every LA in England: layout, formats, LA spread, reproducibility."""

from __future__ import annotations

import json
import re
import zlib
from pathlib import Path
from xml.etree.ElementTree import Element

import numpy as np
import pandas as pd
import pytest
import typer
from defusedxml.ElementTree import parse
from typer.testing import CliRunner

from cscmonitor.commands.synth import synth
from cscmonitor.ingest import ingest
from cscmonitor.settings import Settings
from cscmonitor.synth.dates import add_months, year_starting
from cscmonitor.synth.england import EnglandSummary, fast, generate_england, las, params, referrals
from cscmonitor.synth.england.generate import _scenario
from cscmonitor.synth.sampling import stratified_uniform
from cscmonitor.synth.writers import EPISODE_COLUMNS, HEADER_COLUMNS, WORKFORCE_COLUMNS

# Hartlepool and Middlesbrough (small neighbours) and the City of London (tiny).
LAS = ["805", "806", "201"]
DETAILS_ORDER = [
    "CINreferralDate",
    "ReferralSource",
    "PrimaryNeedCode",
    "CINclosureDate",
    "ReasonForClosure",
    "DateOfInitialCPC",
    "Assessments",
    "CINPlanDates",
    "Section47",
    "ReferralNFA",
    "ChildProtectionPlans",
]


@pytest.fixture(scope="module")
def england(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, EnglandSummary]:
    out = tmp_path_factory.mktemp("england")
    return out, generate_england(out, 2023, 2024, seed=1, las=LAS)


def cin(out: Path, la: str, year: int) -> Element:
    return parse(out / la / "cin_census" / f"CIN_Census_{year}.xml").getroot()


def csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_writes_a_folder_per_la_in_the_single_la_layout(
    england: tuple[Path, EnglandSummary],
) -> None:
    out, summary = england
    for la in LAS:
        folder = out / la
        expected = (
            [folder / "cin_census" / f"CIN_Census_{y}.xml" for y in (2023, 2024)]
            + [
                folder / "ssda903" / str(y) / f
                for y in (2023, 2024)
                for f in ("header.csv", "episodes.csv")
            ]
            + [folder / "workforce" / f"workforce_{y}.csv" for y in (2022, 2023, 2024)]
        )
        assert all(p.is_file() for p in expected), la
        assert sorted(p for p in folder.rglob("*") if p.is_file()) == sorted(expected)
    assert summary.las == 3 and summary.files == 3 * 9
    assert summary.referrals > 0 and summary.cp_plans > 0 and summary.workers > 0
    manifest = json.loads((out / "england.json").read_text())
    assert [la["la_code"] for la in manifest["las"]] == sorted(LAS)
    hartlepool = next(la for la in manifest["las"] if la["la_code"] == "805")
    assert hartlepool["la_name"] == "Hartlepool" and hartlepool["region"] == "North East"
    assert set(hartlepool["propensities"]) == set(params.PROPENSITIES)
    assert "England, census years 2023-2024" in summary.describe()


def test_returns_ingest_without_errors(
    england: tuple[Path, EnglandSummary], tmp_path: Path
) -> None:
    out, _ = england
    for la in ("805", "201"):
        report = ingest([out / la], Settings(data_dir=tmp_path / la), la_code=la)
        kinds = {(p.info.la_code, p.info.kind, p.info.year) for p in report.parsed}
        assert {(la, "cin", 2024), (la, "ssda903", 2024), (la, "workforce", 2024)} <= kinds
        assert report.problems.errors == 0, report.problems.table.to_pandas().head()


def test_cin_census_is_the_councils_and_follows_the_schema(
    england: tuple[Path, EnglandSummary],
) -> None:
    out, _ = england
    for la in LAS:
        for year in (2023, 2024):
            root = cin(out, la, year)
            assert root.findtext("Header/Source/LEA") == la
            assert root.findtext("Header/CollectionDetails/ReferenceDate") == f"{year}-03-31"
            ids = [c.findtext("ChildIdentifiers/LAchildID") for c in root.iter("Child")]
            assert len(ids) == len(set(ids)) and all(re.fullmatch(r"\d{10}", i or "") for i in ids)
            for details in root.iter("CINdetails"):
                tags = [e.tag for e in details]
                assert tags == sorted(tags, key=DETAILS_ORDER.index)
                for element in details.iter():
                    text = element.text or ""
                    if (
                        re.fullmatch(r"\d{4}-\d{2}-\d{2}", text)
                        and element.tag != "InitialCPCtarget"
                    ):
                        assert text <= f"{year}-03-31", (element.tag, text)
    tags = {e.tag for e in cin(out, "805", 2024).iter()}
    assert {"Reviews", "CPPreviewDate", "FactorsIdentifiedAtAssessment", "GenderCurrent"} <= tags


def test_csv_returns_have_the_real_columns(england: tuple[Path, EnglandSummary]) -> None:
    out, _ = england
    for la in LAS:
        for year in (2023, 2024):
            folder = out / la / "ssda903" / str(year)
            header, episodes = csv(folder / "header.csv"), csv(folder / "episodes.csv")
            assert list(header.columns) == HEADER_COLUMNS
            assert list(episodes.columns) == EPISODE_COLUMNS
            assert set(episodes.CHILD) == set(header.CHILD)
        workers = csv(out / la / "workforce" / "workforce_2024.csv")
        assert list(workers.columns) == WORKFORCE_COLUMNS
        assert workers.WORKER_ID.is_unique
    episodes = csv(out / "805" / "ssda903" / "2024" / "episodes.csv")
    assert len(episodes) > 50 and {"S", "P"} <= set(episodes.RNE)


def test_the_2025_census_records_sex_instead_of_gender(tmp_path: Path) -> None:
    generate_england(tmp_path, 2025, 2025, seed=0, las=["201"])
    tags = {e.tag for e in cin(tmp_path, "201", 2025).iter()}
    assert "Sex" in tags and "GenderCurrent" not in tags


def test_same_seed_same_files_and_an_la_alone_keeps_its_propensities(tmp_path: Path) -> None:
    first = generate_england(tmp_path / "a", 2024, 2024, seed=3, las=["201", "805"])
    again = generate_england(tmp_path / "b", 2024, 2024, seed=3, las=["201", "805"])
    alone = generate_england(tmp_path / "c", 2024, 2024, seed=3, las=["805"])
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.*"))
    assert len(files) == 2 * 5 + 1  # a census, a 903 header and episodes, two workforce years
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert first.referrals == again.referrals
    both = json.loads((tmp_path / "a" / "england.json").read_text())["las"]
    one = json.loads((tmp_path / "c" / "england.json").read_text())["las"]
    assert one[0] == next(la for la in both if la["la_code"] == "805")
    assert alone.las == 1


def test_generation_checks_its_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="from-year"):
        generate_england(tmp_path, 2024, 2020)
    with pytest.raises(ValueError, match="negative"):
        generate_england(tmp_path, 2024, 2024, seed=-1)
    with pytest.raises(ValueError, match="no population estimate for LA 999"):
        generate_england(tmp_path, 2024, 2024, las=["999"])


def test_the_las_are_the_latest_years_with_their_children() -> None:
    years = np.arange(2014, 2024)
    england = las.england(years)
    assert len(england) == 153
    assert {"942", "943", "940", "941", "838", "839"} <= set(england.code)
    assert not {"909", "928", "835"} & set(england.code)
    cumberland = int(np.flatnonzero(england.code == "942")[0])
    # Before Cumberland existed, its children are its first estimate's.
    first = england.population[cumberland, years == 2023][0]
    assert np.all(england.population[cumberland, years < 2023] == first)
    assert 11e6 < england.population[:, -1].sum() < 12.5e6
    older = las.england(np.arange(2010, 2019))
    assert {"909", "928"} <= set(older.code) and "942" not in set(older.code)


def test_propensities_vary_between_las_around_england_means() -> None:
    years = np.arange(2010, 2025)
    codes = las.all_codes(years)
    props = las.draw(np.random.default_rng(0), codes, years, codes)
    middle = len(years) // 2
    rate = props["referral_rate"][:, middle]
    assert 450 < np.median(rate) < 600 and 0.2 < np.log(rate).std() < 0.45
    rereferral = props["rereferral"][:, middle]
    assert 0.19 < rereferral.mean() < 0.24 and 0.025 < rereferral.std() < 0.07
    agency = props["agency_share"][:, middle]
    assert agency.min() < 0.07 and agency.max() > 0.3
    # Each LA's propensities move year by year, not all alike.
    change = props["three_plus_placements"][:, -1] - props["three_plus_placements"][:, 0]
    assert (change > 0.01).any() and (change < -0.01).any()
    # Statistical neighbours are more alike than LAs at random.
    from cscmonitor.benchmarks.neighbours import groupings

    table = groupings()
    table = table[(table.grouping == table.grouping.max()) & table.neighbour_code.isin(codes)]
    table = table[table.la_code.isin(codes)]
    la = np.searchsorted(codes, table.la_code.to_numpy().astype(str))
    neighbour = np.searchsorted(codes, table.neighbour_code.to_numpy().astype(str))
    latent = props.latent[:, 0]
    shuffled = np.random.default_rng(1).permutation(neighbour)
    assert (
        np.abs(latent[la] - latent[neighbour]).mean() < np.abs(latent[la] - latent[shuffled]).mean()
    )


def test_each_las_rates_follow_its_propensities() -> None:
    """Referrals per 10,000 and the share of re-referrals land on each LA's propensities."""
    span = referrals.Span.for_years(2023, 2024)
    years = np.arange(
        year_starting(np.array([span.care_from]), 4, 1)[0],
        year_starting(np.array([span.last]), 4, 1)[0] + 1,
    )
    chosen = las.england(years, ["805", "806", "807", "808", "370", "371", "372", "373"])
    rng = np.random.default_rng(zlib.crc32(b"test"))
    props = las.draw(rng, las.all_codes(years), years, chosen.code)
    sim = referrals.simulate(rng, chosen, props, span, _scenario(span))
    r = sim.referrals
    year = 2023  # the year starting 1 April 2023
    inside = year_starting(r.date.astype(np.int64), 4, 1) == year
    column = chosen.year_index([year])[0]
    count = np.bincount(r.la[inside], minlength=len(chosen))
    rate = count / chosen.population[:, column] * 10_000
    target = props["referral_rate"][:, column]
    assert np.all(np.abs(rate / target - 1) < 0.15), (rate, target)
    # Re-referrals as the indicator counts them: the child's previous referral within 12 months.
    order = np.lexsort((r.date, r.child))
    child, date = r.child[order], r.date[order].astype(np.int64)
    same = np.r_[False, child[1:] == child[:-1]]
    within = same & (add_months(np.r_[0, date[:-1]], 12) >= date)
    rereferral = np.zeros(len(r), dtype=bool)
    rereferral[order] = within
    share = np.bincount(r.la[inside], weights=rereferral[inside], minlength=len(chosen)) / count
    assert np.all(np.abs(share - props["rereferral"][:, column]) < 0.035), share
    # Every referral after the first of a child comes after the previous one closed.
    previous_closure = np.r_[0, r.closure[order][:-1]]
    assert np.all(date[same] > previous_closure[same])


def test_fast_helpers_match_the_synth_ones() -> None:
    rng = np.random.default_rng(0)
    keys = rng.integers(0, 40, 20_000)
    u = fast.stratified(rng, keys)
    for k in (0, 7, 39):
        group = np.sort(u[keys == k])
        n = len(group)
        assert np.all(np.floor(group * n) == np.arange(n))
    reference = stratified_uniform(np.random.default_rng(1), keys)
    assert abs(np.mean(u < 0.3) - np.mean(reference < 0.3)) < 0.01
    days = np.arange(10_000, 20_000, 37, dtype=np.int64)
    assert np.array_equal(fast.months_later(days, 12), add_months(days, 12))
    assert np.array_equal(fast.april_year(days), year_starting(days, 4, 1))


def test_cli_writes_england_or_one_la(tmp_path: Path) -> None:
    app = typer.Typer()
    app.command()(synth)
    app.command("other")(lambda: None)
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["synth", "--out", str(tmp_path / "e"), "--scale", "england", "--la", "201",
         "--from-year", "2024", "--to-year", "2024"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (tmp_path / "e" / "201" / "cin_census" / "CIN_Census_2024.xml").is_file()
    for wrong in (
        ["--from-year", "2020"],
        ["--la", "371", "--la", "372"],
        ["--scale", "england", "--la", "999"],
    ):
        result = runner.invoke(app, ["synth", "--out", str(tmp_path / "x"), *wrong])
        assert result.exit_code == 2, wrong


def test_each_workforce_file_is_dated_in_its_own_year(tmp_path: Path) -> None:
    """Ingest takes a workforce file's year from its latest date, even for the smallest LAs."""
    from cscmonitor.ingest import parse_all
    from cscmonitor.privacy import Pseudonymiser

    generate_england(tmp_path, 2016, 2024, seed=2, las=["420"])  # the Isles of Scilly
    parsed, problems = parse_all(
        [tmp_path / "420" / "workforce"], ids=Pseudonymiser(b"k" * 32), la_code="420", year=None
    )
    assert len(problems) == 0
    assert sorted(p.info.year for p in parsed) == list(range(2015, 2025))
