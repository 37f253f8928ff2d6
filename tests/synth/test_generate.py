"""The generated returns: layout, formats, and the journeys they record."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from xml.etree.ElementTree import Element

import numpy as np
import pandas as pd
import pytest
import yaml
from defusedxml.ElementTree import parse

from cscmonitor.periods import add_months
from cscmonitor.synth import SynthSummary, generate, referrals, scenario
from cscmonitor.synth.dates import NEVER
from cscmonitor.synth.generate import default_lookup
from cscmonitor.synth.writers import SSDA903_TABLES

DMY = re.compile(r"^\d{2}/\d{2}/\d{4}$")
HEADER = ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"]
EPISODES = [
    "CHILD",
    "DECOM",
    "RNE",
    "LS",
    "CIN",
    "PLACE",
    "PLACE_PROVIDER",
    "DEC",
    "REC",
    "REASON_PLACE_CHANGE",
    "HOME_POST",
    "PL_POST",
    "URN",
]
WORKFORCE = [
    "WORKER_ID",
    "AGENCY",
    "ROLE",
    "REGISTERED",
    "FTE",
    "START_DATE",
    "LEFT_DATE",
    "REASON_LEFT",
    "CASES",
]
TEMPORARY = ("T0", "T1", "T2", "T3", "T4")


@pytest.fixture(scope="module")
def doncaster(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SynthSummary]:
    out = tmp_path_factory.mktemp("doncaster")
    return out, generate(out, "doncaster-2014", seed=0)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Doncaster scenario with a short burn-in and a small LA, as a scenario file.

    Its returns are a fifth of Doncaster's size, so the structural tests read them quickly.
    """
    text = (Path(scenario.__file__).parent / "scenarios" / "doncaster-2014.yaml").read_text()
    raw = yaml.safe_load(text)
    raw["name"] = "small"
    raw["simulate"]["from"] = "2009-10-01"
    raw["referrals"]["per_year"] = {2013: 900, 2014: 800}
    raw["workforce"]["simulate_from"] = 2011
    raw["workforce"]["posts"] = {"1": 1, "2": 3, "3": 5, "4": 6, "5": 30, "6": 2}
    # Enough short breaks to see both kinds in a small LA.
    raw["outcomes"]["short_breaks"] = 0.8
    path = tmp_path_factory.mktemp("scenario") / "small.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


@pytest.fixture(scope="module")
def generated(small: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SynthSummary]:
    out = tmp_path_factory.mktemp("small")
    return out, generate(out, str(small), seed=0)


@pytest.fixture(scope="module")
def cin_roots(generated: tuple[Path, SynthSummary]) -> dict[int, Element]:
    return {year: cin_file(generated[0], year) for year in range(2013, 2017)}


@pytest.fixture(scope="module")
def cin_table(cin_roots: dict[int, Element]) -> pd.DataFrame:
    return cin_details(cin_roots)


def cin_file(out: Path, year: int) -> Element:
    return parse(out / "cin_census" / f"CIN_Census_{year}.xml").getroot()


def cin_details(roots: dict[int, Element]) -> pd.DataFrame:
    """One row per CINdetails per census file, with the dates it shows."""
    rows = []
    for year, root in roots.items():
        for child in root.iter("Child"):
            child_id = child.findtext("ChildIdentifiers/LAchildID")
            for details in child.findall("CINdetails"):
                rows.append(
                    {
                        "year": year,
                        "child": child_id,
                        "dob": child.findtext("ChildIdentifiers/PersonBirthDate"),
                        "referral": details.findtext("CINreferralDate"),
                        "closure": details.findtext("CINclosureDate"),
                        "source": details.findtext("ReferralSource"),
                        "plan_start": details.findtext("ChildProtectionPlans/CPPstartDate"),
                        "plan_end": details.findtext("ChildProtectionPlans/CPPendDate"),
                        "previous": details.findtext("ChildProtectionPlans/NumberOfPreviousCPP"),
                    }
                )
    return pd.DataFrame(rows)


def episodes(out: Path, year: int) -> pd.DataFrame:
    return pd.read_csv(
        out / "ssda903" / str(year) / "episodes.csv", dtype=str, keep_default_na=False
    )


def as_dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values.replace("", None), format="%d/%m/%Y")


def test_writes_every_return_of_the_scenario(doncaster: tuple[Path, SynthSummary]) -> None:
    out, summary = doncaster
    expected = (
        [out / "cin_census" / f"CIN_Census_{y}.xml" for y in range(2013, 2017)]
        + [
            out / "ssda903" / str(y) / name
            for y in range(2013, 2017)
            for name in ("header.csv", "episodes.csv", *SSDA903_TABLES)
        ]
        + [out / "workforce" / f"workforce_{y}.csv" for y in range(2013, 2016)]
        + [out / "early_help" / f"early_help_{y}.csv" for y in range(2013, 2017)]
        + [
            out / "virtual_school" / f"{name}_{y}.csv"
            for y in range(2013, 2017)
            for name in ("schools", "peps", "attendance", "exclusions")
        ]
        # The postcode lookup (not a return): beside OUT, not in it.
        + [default_lookup(out)]
    )
    assert list(summary.files) == expected
    assert all(p.is_file() for p in expected)
    # About 16 years of referrals are simulated, four census years are written.
    assert 4 * 4000 < summary.referrals < 4 * 6500
    assert 1000 < summary.cp_plans < 3000
    assert 600 < summary.children_looked_after < 2500
    assert 250 < summary.workers < 800
    assert "referrals" in summary.describe()
    for year in range(2013, 2016):
        table = pd.read_csv(
            out / "workforce" / f"workforce_{year}.csv", dtype=str, keep_default_na=False
        )
        in_post = (table.LEFT_DATE == "") & (table.REGISTERED == "1")
        assert 220 < table.FTE[in_post].astype(float).sum() < 280
    for year in range(2013, 2017):
        eps = episodes(out, year)
        # A few children on short breaks, not a crowd.
        short_breaks = eps[eps.LS.isin(["V3", "V4"])].CHILD.nunique()
        assert 0 < short_breaks < 0.05 * eps.CHILD.nunique()


def test_cin_census_header_is_the_councils(cin_roots: dict[int, Element]) -> None:
    for year, root in cin_roots.items():
        assert root.findtext("Header/CollectionDetails/Collection") == "CIN"
        assert root.findtext("Header/CollectionDetails/Year") == str(year)
        assert root.findtext("Header/CollectionDetails/ReferenceDate") == f"{year}-03-31"
        assert root.findtext("Header/Source/LEA") == "371"
        assert root.findtext("Header/Source/DateTime", "").startswith(f"{year}-")
        genders = {g.text for g in root.iter("GenderCurrent")}
        assert genders == {"1", "2"}


def test_cin_details_follow_the_schema_order(cin_roots: dict[int, Element]) -> None:
    order = [
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
    seen: set[str] = set()
    for details in cin_roots[2015].iter("CINdetails"):
        tags = [e.tag for e in details]
        seen.update(tags)
        assert tags == sorted(tags, key=order.index)
        assert tags[:3] == order[:3]
    assert seen == set(order)


def test_census_files_show_only_what_was_known_by_31_march(
    cin_roots: dict[int, Element],
) -> None:
    for year, root in cin_roots.items():
        reference = f"{year}-03-31"
        start = f"{year - 1}-04-01"
        for element in root.iter():
            # A conference target is set when the enquiry starts; birth dates are not events.
            if element.tag in ("InitialCPCtarget", "PersonBirthDate", "ReferenceDate"):
                continue
            if element.text and re.fullmatch(r"\d{4}-\d{2}-\d{2}", element.text):
                assert element.text <= reference, (year, element.tag, element.text)
        for details in root.iter("CINdetails"):
            # Open at some time in the census year.
            closure = details.findtext("CINclosureDate")
            assert closure is None or closure >= start
            assert (closure is None) == (details.findtext("ReasonForClosure") is None)


def test_a_referral_open_at_31_march_reappears_next_year(cin_table: pd.DataFrame) -> None:
    table = cin_table
    earlier, later = table[table.year == 2014], table[table.year == 2015]
    still_open = earlier[earlier.closure.isna()]
    joined = still_open.merge(later, on=["child", "referral"], suffixes=("", "_next"))
    assert len(joined) == len(still_open) > 100
    assert (joined.source == joined.source_next).all()
    assert (joined.closure_next.isna() | (joined.closure_next >= "2014-04-01")).all()
    # A plan's end date appears once it has happened, never before.
    ended_later = joined[joined.plan_start.notna() & joined.plan_end.isna()]
    assert ended_later.plan_end_next.notna().any()
    assert (ended_later.plan_end_next.dropna() > "2014-03-31").all()


def test_a_child_keeps_one_id_and_identity_across_returns(
    generated: tuple[Path, SynthSummary], cin_table: pd.DataFrame
) -> None:
    out, _ = generated
    table = cin_table
    assert (table.groupby("child").dob.nunique() == 1).all()
    # Children are never referred twice on one day.
    assert not table.drop_duplicates(["child", "referral"]).duplicated(["child", "referral"]).any()
    header = pd.concat(
        pd.read_csv(out / "ssda903" / str(y) / "header.csv", dtype=str, keep_default_na=False)
        for y in range(2013, 2017)
    )
    # Care leavers (OC3 only) left care, and their CIN cases closed, before the first census.
    header = header[header.CHILD.isin(pd.concat(episodes(out, y) for y in range(2013, 2017)).CHILD)]
    dob = pd.to_datetime(header.DOB, format="%d/%m/%Y").dt.strftime("%Y-%m-%d")
    known = table.drop_duplicates("child").set_index("child").dob
    assert set(header.CHILD) <= set(known.index)
    assert (known.loc[header.CHILD].to_numpy() == dob.to_numpy()).all()


def test_children_come_into_care_during_an_open_referral(
    generated: tuple[Path, SynthSummary], cin_table: pd.DataFrame
) -> None:
    out, _ = generated
    table = cin_table.sort_values("year")
    cases = table.drop_duplicates(["child", "referral"], keep="last")
    eps = episodes(out, 2015)
    starts = eps[(eps.RNE == "S") & (as_dates(eps.DECOM) >= "2014-04-01")]
    starts = starts.assign(decom=as_dates(starts.DECOM).dt.strftime("%Y-%m-%d"))
    joined = starts.merge(cases, left_on="CHILD", right_on="child")
    open_then = joined[
        (joined.referral <= joined.decom)
        & (joined.closure.isna() | (joined.closure >= joined.decom))
    ]
    assert len(starts) > 15
    assert set(open_then.CHILD) == set(starts.CHILD)


def test_ssda903_files_have_the_real_columns_and_dates(
    generated: tuple[Path, SynthSummary],
) -> None:
    out, _ = generated
    for year in range(2013, 2017):
        folder = out / "ssda903" / str(year)
        header = pd.read_csv(folder / "header.csv", dtype=str, keep_default_na=False)
        eps = episodes(out, year)
        assert list(header.columns) == HEADER
        assert list(eps.columns) == EPISODES
        assert header.DOB.str.match(DMY).all() and eps.DECOM.str.match(DMY).all()
        assert eps.DEC[eps.DEC != ""].str.match(DMY).all()
        # The header holds the children with episodes and the care leavers with OC3 records.
        oc3 = pd.read_csv(folder / "oc3.csv", dtype=str, keep_default_na=False)
        assert set(eps.CHILD) | set(oc3.CHILD) == set(header.CHILD)
        assert not set(eps.CHILD) & set(oc3.CHILD)
        assert header.CHILD.is_unique
        assert header.UPN.str.match(r"^([A-HJ-NP-RT-Z]\d{12}|UN1)$").all()
        decom, dec = as_dates(eps.DECOM), as_dates(eps.DEC)
        # Every episode open at some time in the year, known as at 31 March.
        assert (decom <= f"{year}-03-31").all()
        assert (dec.isna() | ((dec >= f"{year - 1}-04-01") & (dec <= f"{year}-03-31"))).all()
        assert ((eps.DEC == "") == (eps.REC == "")).all()
        assert (dec.isna() | (dec > decom)).all()


def test_episodes_chain_within_a_period_of_care(generated: tuple[Path, SynthSummary]) -> None:
    out, _ = generated
    for year in range(2013, 2017):
        eps = episodes(out, year)
        eps = eps.assign(decom=as_dates(eps.DECOM), dec=as_dates(eps.DEC))
        eps = eps.sort_values(["CHILD", "decom"]).reset_index(drop=True)
        following = eps.groupby("CHILD").shift(-1)
        has_next = following.DECOM.notna()
        x1 = has_next & (eps.REC == "X1")
        assert (following.DECOM[x1] == eps.DEC[x1]).all()
        assert (following.RNE[x1] != "S").all()
        left = has_next & eps.REC.str.startswith("E")
        assert (following.RNE[left] == "S").all()
        assert (following.decom[left] > eps.dec[left]).all()
        # Only a child's last episode may be open.
        assert (eps.DEC[has_next] != "").all()
        assert set(eps.RNE) <= {"S", "P", "L", "T", "U", "B"}


def test_temporary_moves_return_to_the_same_placement(
    generated: tuple[Path, SynthSummary],
) -> None:
    out, _ = generated
    eps = episodes(out, 2015)
    eps = eps.assign(decom=as_dates(eps.DECOM)).sort_values(["CHILD", "decom"])
    before = eps.groupby("CHILD").shift(1)
    after = eps.groupby("CHILD").shift(-1)
    away = eps.PLACE.isin(TEMPORARY) & (eps.REC == "X1")
    assert away.sum() > 3
    for column in ("PLACE", "URN", "PL_POST"):
        assert (after[column][away] == before[column][away]).all()
    assert (after.RNE[away] == "P").all()
    assert (eps.RNE[away] == "P").all()


def test_episodes_include_the_codes_the_indicators_care_about(
    generated: tuple[Path, SynthSummary],
) -> None:
    out, _ = generated
    eps = pd.concat(episodes(out, y) for y in range(2013, 2017))
    assert {"V3", "V4", "C1", "C2", "V2", "E1"} <= set(eps.LS)
    assert {"E11", "E12", "E4A", "E41", "X1"} <= set(eps.REC)
    assert set(eps.PLACE) & set(TEMPORARY)
    assert {"S", "P", "L", "B"} <= set(eps.RNE)
    adopted = eps[eps.REC.isin(["E11", "E12"])]
    assert adopted.PLACE.isin(["A3", "A4", "A5", "A6"]).all()


def test_previous_plans_count_the_childs_earlier_plans(cin_table: pd.DataFrame) -> None:
    table = cin_table.sort_values("year")
    plans = table[table.plan_start.notna()].drop_duplicates(["child", "plan_start"], keep="last")
    plans = plans.sort_values(["child", "plan_start"])
    earlier = plans.groupby("child").cumcount()
    assert (plans.previous.astype(int) >= earlier).all()
    assert (plans.plan_end.isna() | (plans.plan_end >= plans.plan_start)).all()
    closed = plans[plans.closure.notna() & plans.plan_end.notna()]
    assert (closed.plan_end <= closed.closure).all()


def test_rereferrals_have_an_earlier_referral_within_12_months() -> None:
    sc = scenario.load("doncaster-2014")
    sim = referrals.simulate(np.random.default_rng(5), sc)
    r = sim.referrals
    frame = pd.DataFrame(
        {
            "child": r.child,
            "date": r.date,
            "kind": r.kind,
            "closure": r.closure,
            "predecessor": r.predecessor,
        }
    )
    frame = frame.sort_values(["child", "date"])
    previous = frame.groupby("child").shift(1)
    to_date = [dt.date(1970, 1, 1) + dt.timedelta(days=int(d)) for d in frame.date]
    earliest = np.array([(add_months(d, -12) - dt.date(1970, 1, 1)).days for d in to_date])
    within = previous.date.notna() & (previous.date >= earliest)
    # Re-referrals: the child's latest earlier referral is within 12 months and was closed.
    rereferral = frame.kind == referrals.REREFERRAL
    assert rereferral.sum() > 20_000
    assert within[rereferral].all()
    assert (previous.closure[rereferral] < frame.date[rereferral]).all()
    assert (frame.predecessor[rereferral] >= 0).all()
    # Everything else: no referral of the child in the 12 months before.
    assert not within[~rereferral].any()
    assert not frame.duplicated(["child", "date"]).any()
    # The baseline year's re-referral propensity holds exactly, by stratification.
    in_baseline = r.year == 2013
    share = (r.kind[in_baseline] == referrals.REREFERRAL).mean()
    assert share == pytest.approx(0.38, abs=0.002)


def test_plans_and_care_are_dated_in_order() -> None:
    sc = scenario.load("doncaster-2014")
    sim = referrals.simulate(np.random.default_rng(2), sc)
    r = sim.referrals
    plan = r.plan_start < NEVER
    assert (r.plan_start[plan] >= r.date[plan]).all()
    assert (r.plan_end[plan] > r.plan_start[plan]).all()
    assert (r.plan_end[plan] <= r.closure[plan]).all()
    periods = sim.periods
    assert (periods.start >= r.date[periods.referral]).all()
    assert (periods.end <= r.closure[periods.referral]).all()
    assert (periods.end > periods.start).all()
    review_plan = r.plan_start[sim.reviews.referral]
    assert (sim.reviews.date > review_plan).all()
    assert (sim.reviews.date < r.plan_end[sim.reviews.referral]).all()


def test_workforce_files_follow_the_documented_schema(
    generated: tuple[Path, SynthSummary],
) -> None:
    out, _ = generated
    for year in range(2013, 2016):
        table = pd.read_csv(
            out / "workforce" / f"workforce_{year}.csv", dtype=str, keep_default_na=False
        )
        assert list(table.columns) == WORKFORCE
        assert table.WORKER_ID.is_unique
        assert set(table.AGENCY) == {"0", "1"} and set(table.REGISTERED) == {"0", "1"}
        assert set(table.ROLE) <= {"1", "2", "3", "4", "5", "6"}
        fte = table.FTE.astype(float)
        assert ((fte >= 0.01) & (fte <= 1.0)).all()
        start, left = as_dates(table.START_DATE), as_dates(table.LEFT_DATE)
        census = pd.Timestamp(year, 9, 30)
        assert (start <= census).all()
        assert (left.isna() | ((left > census - pd.DateOffset(years=1)) & (left <= census))).all()
        in_post = table.LEFT_DATE == ""
        assert ((table.REASON_LEFT == "") == in_post).all()
        assert ((table.CASES != "") == in_post).all()
        assert set(table.REASON_LEFT[~in_post]) <= {"RES", "RET", "DIS", "EOC", "OTH"}


def test_same_seed_same_files_other_seed_other_files(small: Path, tmp_path: Path) -> None:
    first = generate(tmp_path / "a", str(small), seed=3)
    again = generate(tmp_path / "b", str(small), seed=3)
    other = generate(tmp_path / "c", str(small), seed=4)
    for a, b, c in zip(first.files, again.files, other.files, strict=True):
        assert a.read_bytes() == b.read_bytes()
        # The same name under OUT (or beside it, as OUT-postcode-lookup.csv).
        assert str(a.relative_to(tmp_path))[1:] == str(c.relative_to(tmp_path))[1:]
    assert first == SynthSummary(**{**first.__dict__, "files": first.files})
    # Every file with rows differs (a small LA may adopt nobody in a year, under either seed).
    differs = [
        a.read_bytes() != c.read_bytes()
        for a, c in zip(first.files, other.files, strict=True)
        if len(a.read_bytes().splitlines()) > 1
    ]
    assert len(differs) > 40 and all(differs)


def test_la_code_is_written_and_checked(small: Path, tmp_path: Path) -> None:
    summary = generate(tmp_path, str(small), seed=0, la_code="999")
    assert summary.la_code == "999"
    assert cin_file(tmp_path, 2014).findtext("Header/Source/LEA") == "999"
    with pytest.raises(ValueError, match="3-digit"):
        generate(tmp_path, str(small), la_code="E08000017")
    with pytest.raises(ValueError, match="negative"):
        generate(tmp_path, str(small), seed=-1)
