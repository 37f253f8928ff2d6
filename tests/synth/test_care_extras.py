"""The 903's reviews, missing, OC3, AD1 and PlacedAdoption tables, early help and virtual
school files: they are written, ingest without a problem, keep their structure, and the
indicator engine finds the scenario's rates in them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from pydantic import SecretStr
from tests.synth import files as m

from cscmonitor.indicators.engine import compute
from cscmonitor.indicators.registry import Unit, get
from cscmonitor.ingest import IngestReport, ingest
from cscmonitor.periods import twelve_months_to
from cscmonitor.settings import Settings
from cscmonitor.synth import care, care_records, generate, referrals, scenario
from cscmonitor.synth.dates import birthday, day
from cscmonitor.synth.generate import default_lookup
from cscmonitor.synth.writers import EARLY_HELP_COLUMNS, SSDA903_TABLES, VIRTUAL_SCHOOL_COLUMNS
from cscmonitor.warehouse import Warehouse

YEARS = range(2013, 2017)
VS_TABLES = ("schools", "peps", "attendance", "exclusions")
CONTRACT_YEARS = (("2013-10-01", "2014-09-30"), ("2014-10-01", "2015-09-30"))
CODES = (
    "CLA_MISSING",
    "CLA_AWAY",
    "CLA_REVIEWS_TIMELY",
    "CL_EET",
    "CL_SUITABLE",
    "CL_IN_TOUCH",
    "ADOPT_A1",
    "ADOPT_A2",
    "EH_NEEDS_MET",
    "EH_STEP_UP",
    "EH_REREF",
    "VS_PERSIST_ABS",
    "VS_SUSPENDED",
    "VS_GOOD_SCHOOL",
    "VS_PEP_TIMELY",
    "VS_PEP_QUALITY",
)
NEW_TABLES = (
    "cla_reviews",
    "cla_missing",
    "cla_oc3",
    "cla_ad1",
    "cla_placed_adoption",
    "eh_episodes",
    "vs_schools",
    "vs_peps",
    "vs_attendance",
    "vs_exclusions",
)


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("doncaster")
    generate(folder, "doncaster-2014", seed=0)
    return folder


@pytest.fixture(scope="module")
def ingested(out: Path, tmp_path_factory: pytest.TempPathFactory) -> IngestReport:
    data = tmp_path_factory.mktemp("data")
    # The scenario's postcode lookup, written beside the returns: every distance is known.
    settings = Settings(
        data_dir=data,
        pseudonym_key=SecretStr("test-key-not-secret"),
        postcode_lookup=default_lookup(out),
    )
    return ingest([out], settings, la_code="371")


@pytest.fixture(scope="module")
def figure(ingested: IngestReport):
    """The engine's value (a share for percentages) of an indicator for 12 months `start:end`.

    Every corporate parenting indicator for the 12 months to each month end the returns
    cover, computed in one call (one query per indicator)."""
    tables = Warehouse(ingested.result.snapshot.path.parent.parent).tables()
    ends = pd.date_range("2013-03-31", "2016-08-31", freq="ME").date
    figures = compute(tables, [twelve_months_to(end) for end in ends], codes=list(CODES))
    figures = figures.set_index(
        ["indicator", figures["period_start"].astype(str), figures["period_end"].astype(str)]
    )

    def value(code: str, period: str) -> float:
        row = figures.loc[(code, *period.split(":"))]
        assert row.status == "ok", (code, period, row.status)
        return row.value / 100 if get(code).unit is Unit.PERCENT else row.value

    return value


def small_scenario(folder: Path, *, extras: bool) -> Path:
    """The Doncaster scenario with a short burn-in, with or without the new sections."""
    raw = yaml.safe_load(
        (Path(scenario.__file__).parent / "scenarios" / "doncaster-2014.yaml").read_text()
    )
    raw["name"] = "small"
    raw["simulate"]["from"] = "2009-10-01"
    raw["referrals"]["per_year"] = {2013: 900, 2014: 800}
    raw["workforce"]["simulate_from"] = 2011
    if not extras:
        for key in ("looked_after", "early_help", "virtual_school"):
            del raw[key]
        for key in ("early_help", "virtual_school"):
            del raw["files"][key]
    path = folder / f"small-{extras}.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def test_the_new_files_are_written_with_their_columns(out: Path) -> None:
    for year in YEARS:
        for name, columns in SSDA903_TABLES.items():
            table = m.read(out / "ssda903" / str(year) / name)
            assert list(table.columns) == columns, name
            assert len(table) > 5, (year, name)
        helped = m.read(out / "early_help" / f"early_help_{year}.csv")
        assert list(helped.columns) == EARLY_HELP_COLUMNS
        for name in VS_TABLES:
            table = m.virtual_school(out, name, year)
            assert list(table.columns) == VIRTUAL_SCHOOL_COLUMNS[name]
            assert len(table) > 10, (year, name)


def test_every_file_ingests_without_a_problem(out: Path, ingested: IngestReport) -> None:
    problems = ingested.problems.table.to_pandas()
    # Every file the synth writes, CIN census included, loads without an error or a warning.
    assert problems.empty, problems.groupby("rule").size().to_dict()
    summary = ingested.summary.to_pandas()
    assert (summary.rows_read == summary.rows_loaded).all()
    loaded = summary.groupby("table").rows_loaded.sum()
    for table in NEW_TABLES:
        assert loaded[table] > 0, table
    # Four 903 years, four early help years and four school years.
    kinds = [(p.info.kind, p.info.year) for p in ingested.parsed]
    for kind in ("ssda903", "early_help", "virtual_school"):
        assert sorted(y for k, y in kinds if k == kind) == list(YEARS)


def test_missing_and_away_shares_are_the_scenarios(figure) -> None:
    for start, end in CONTRACT_YEARS:
        assert figure("CLA_MISSING", f"{start}:{end}") == pytest.approx(0.10, abs=0.01)
        assert figure("CLA_AWAY", f"{start}:{end}") == pytest.approx(0.04, abs=0.008)


def test_missing_episodes_and_reviews_lie_within_care(out: Path) -> None:
    for year in YEARS:
        eps = m.read(out / "ssda903" / str(year) / "episodes.csv")
        eps = eps.assign(decom=m.dates(eps.DECOM), dec=m.dates(eps.DEC).fillna(f"{year}-03-31"))
        for name, column in (("missing.csv", "MIS_START"), ("reviews.csv", "REVIEW")):
            table = m.read(out / "ssda903" / str(year) / name).reset_index(names="row")
            table = table.assign(when=m.dates(table[column]))
            joined = table.merge(eps[["CHILD", "decom", "dec", "LS"]], on="CHILD")
            inside = joined[(joined.when >= joined.decom) & (joined.when <= joined.dec)]
            assert set(inside.row) == set(table.row), (year, name)
            assert not inside.LS.isin(["V4"]).any()
        missing = m.read(out / "ssda903" / str(year) / "missing.csv")
        start, end = m.dates(missing.MIS_START), m.dates(missing.MIS_END)
        assert (end.isna() | (end >= start)).all()
        assert (missing.MIS_END == "").sum() < 10


def test_reviews_are_mostly_on_time(figure) -> None:
    sc = scenario.load("doncaster-2014")
    # By construction: of periods of care, the scenario's share have every review on time.
    timely = sc.looked_after.section("reviews").number("timely") if sc.looked_after else 0
    assert timely == 0.9
    for period in ("2013-10-01:2014-09-30", "2014-04-01:2015-03-31", "2014-10-01:2015-09-30"):
        # Long stays' late reviews often came before the first 903 year held.
        assert 0.88 <= figure("CLA_REVIEWS_TIMELY", period) <= 0.98, period


def test_reviews_follow_the_schedule_or_are_late_once() -> None:
    sc = scenario.load("doncaster-2014")
    rng = np.random.default_rng(1)
    sim = referrals.simulate(rng, sc)
    assert sc.looked_after is not None
    breaks = care.ShortBreaks(*(np.empty(0, dtype=np.int64) for _ in range(5)))
    dob = sim.child_dob
    records = care_records.simulate(
        rng, sc, sc.looked_after, sim.periods, breaks, dob, day(sc.simulate_to)
    )
    reviews = records.reviews.sort_values(["child", "date"])
    periods = pd.DataFrame(
        {"child": sim.periods.child, "start": sim.periods.start, "end": sim.periods.end}
    )
    joined = reviews.merge(periods, on="child")
    joined = joined[(joined.date >= joined.start) & (joined.date < joined.end)]
    assert len(joined) == len(reviews)
    joined = joined.sort_values(["child", "start", "date"])
    gap = joined.groupby(["child", "start"]).date.diff()
    rank = joined.groupby(["child", "start"]).cumcount()
    first_gap = joined.date - joined.start
    late = (
        ((rank == 0) & (first_gap > 30)) | ((rank == 1) & (gap > 89)) | ((rank > 1) & (gap > 181))
    )
    late_periods = joined[late].groupby(["child", "start"]).size()
    # One late review at most, in about a tenth of the periods with three reviews or more.
    assert (late_periods == 1).all()
    long_enough = joined.groupby(["child", "start"]).size() >= 3
    share = late_periods.reindex(long_enough[long_enough].index).notna().mean()
    assert share == pytest.approx(0.1, abs=0.02)
    under_4 = joined.date < birthday(dob[joined.child.to_numpy()], 4)
    assert (joined.code[under_4] == "PN0").all() and (joined.code[~under_4] != "PN0").all()


def test_care_leavers_are_19_to_21_and_their_shares_the_scenarios(out: Path, figure) -> None:
    for year in YEARS:
        oc3 = m.read(out / "ssda903" / str(year) / "oc3.csv")
        eps = m.read(out / "ssda903" / str(year) / "episodes.csv")
        born = m.dates(oc3.DOB)
        start, end = pd.Timestamp(year - 1, 4, 1), pd.Timestamp(year, 3, 31)
        ages = [(born + pd.DateOffset(years=a)).between(start, end) for a in care_records.OC3_AGES]
        assert np.logical_or.reduce(ages).all()
        assert not set(oc3.CHILD) & set(eps.CHILD)
        assert len(oc3) > 120
        year_ = f"{year - 1}-04-01:{year}-03-31"
        assert figure("CL_EET", year_) == pytest.approx(0.55, abs=0.03)
        assert figure("CL_SUITABLE", year_) == pytest.approx(0.85, abs=0.03)
        assert figure("CL_IN_TOUCH", year_) == pytest.approx(0.88, abs=0.03)
        known = oc3.IN_TOUCH == "YES"
        assert (oc3.ACTIV[~known] == "0").all() and (oc3.ACCOM[~known] == "0").all()


def test_care_leavers_left_care_at_16_or_17_after_13_weeks() -> None:
    sc = scenario.load("doncaster-2014")
    sim = referrals.simulate(np.random.default_rng(4), sc)
    assert sc.looked_after is not None
    leavers = care_records._leavers(
        np.random.default_rng(5),
        sc.looked_after.section("care_leavers"),
        sim.periods,
        sim.child_dob,
    )
    p = sim.periods
    last = pd.DataFrame({"child": p.child, "start": p.start, "end": p.end}).sort_values("start")
    last = last.drop_duplicates("child", keep="last").set_index("child")
    left = last.loc[leavers.child]
    dob = sim.child_dob[leavers.child.to_numpy()]
    assert (left.end.to_numpy() >= birthday(dob, 16)).all()
    assert (left.end.to_numpy() <= birthday(dob, 18)).all()
    since_14 = left.end.to_numpy() - np.maximum(left.start.to_numpy(), birthday(dob, 14))
    assert (since_14 >= 91).all()
    assert (leavers.birthday.to_numpy() > left.end.to_numpy()).all()


def test_adopted_children_have_the_path_the_adoption_measures_read(out: Path, figure) -> None:
    eps = m.episodes(out).sort_values(["CHILD", "decom"])
    ad1 = m.ssda903(out, "ad1", ["CHILD"])
    placed = m.ssda903(out, "placed_adoption", ["CHILD", "DATE_PLACED"])
    adopted = eps[eps.REC.isin(["E11", "E12"])]
    assert len(adopted) > 40
    assert set(adopted.CHILD) == set(ad1.CHILD)
    ad1 = ad1.set_index("CHILD")
    decision = placed.set_index("CHILD").DATE_PLACED
    for child, row in adopted.set_index("CHILD").iterrows():
        own = eps[eps.CHILD.eq(child) & (eps.decom <= row.decom)]
        adoptive = own[own.PLACE.isin(m.ADOPTIVE)]
        assert not adoptive.empty
        assert own.LS.isin(["E1", "D1"]).any() or own.decom.min() > pd.Timestamp(2012, 4, 1)
        interest = m.dates(pd.Series([ad1.DATE_INT[child]])).iloc[0]
        match = m.dates(pd.Series([ad1.DATE_MATCH[child]])).iloc[0]
        assert interest <= match <= adoptive.decom.min()
        # A child adopted twice (after a breakdown) has a decision for each adoption.
        assert ad1.DATE_INT[child] in set(decision.loc[[child]])
        foster = adoptive.PLACE.iloc[0] in ("A3", "A5")
        assert ad1.FOSTER_CARE[child] == ("1" if foster else "0")
    # Set by the placement order and adoptive placement timings of `synth.care`.
    assert 250 < figure("ADOPT_A1", "2015-04-01:2016-03-31") < 450
    assert 30 < figure("ADOPT_A2", "2015-04-01:2016-03-31") < 200


def test_early_help_closures_and_rereferrals_are_the_scenarios(figure) -> None:
    for start, end in CONTRACT_YEARS:
        assert figure("EH_NEEDS_MET", f"{start}:{end}") == pytest.approx(0.60, abs=0.01)
        assert figure("EH_STEP_UP", f"{start}:{end}") == pytest.approx(0.15, abs=0.01)
    assert figure("EH_REREF", "2015-04-01:2016-03-31") == pytest.approx(0.12, abs=0.02)


def test_early_help_joins_to_social_care(out: Path) -> None:
    helped = m.early_help(out)
    referrals_ = m.cin_referrals(out)
    steps = helped[helped.CLOSURE_REASON == "STEP_UP"]
    joined = steps.merge(
        referrals_, left_on=["CHILD_ID", "closure"], right_on=["child", "date"], how="left"
    )
    # Every step-up closes on the day of a referral of the child.
    assert joined.child.notna().all()
    # Children early help alone knows have ids no social care child has.
    alone = helped[helped.CHILD_ID.str.len() == 8]
    assert len(alone) > 0.5 * len(helped)
    assert not set(alone.CHILD_ID) & set(referrals_.child)
    # One episode of a child at a time.
    ordered = helped.sort_values(["CHILD_ID", "request"])
    previous = ordered.groupby("CHILD_ID").closure.shift(1)
    assert not (ordered.request < previous).any()


def test_virtual_school_shares_are_the_scenarios(figure) -> None:
    # School years to August 2014 and 2015 (the 903 held runs to March 2016).
    for year in YEARS[1:-1]:
        school_year = f"{year - 1}-09-01:{year}-08-31"
        assert figure("VS_PERSIST_ABS", school_year) == pytest.approx(0.15, abs=0.02)
        assert figure("VS_SUSPENDED", school_year) == pytest.approx(0.11, abs=0.02)
    for end in ("2014-03-31", "2014-09-30", "2015-03-31", "2015-09-30"):
        year_ = f"{int(end[:4]) - 1}{end[4:]}"
        period = f"{(pd.Timestamp(year_) + pd.Timedelta(days=1)).date()}:{end}"
        assert figure("VS_GOOD_SCHOOL", period) == pytest.approx(0.74, abs=0.04)
        assert 0.85 <= figure("VS_PEP_TIMELY", period) <= 0.98
        assert figure("VS_PEP_QUALITY", period) == pytest.approx(0.72, abs=0.04)


def test_virtual_school_records_are_of_school_age_children_in_care(out: Path) -> None:
    header = m.ssda903(out, "header", ["CHILD"]).set_index("CHILD")
    eps = m.episodes(out)
    # The last school year runs to August 2016, past the last 903 year (to March 2016).
    for year in YEARS[:-1]:
        attendance = m.virtual_school(out, "attendance", year)
        assert (
            attendance.ATTENDED_SESSIONS.astype(int) <= attendance.POSSIBLE_SESSIONS.astype(int)
        ).all()
        born = m.dates(header.DOB.loc[attendance.CHILD_ID.unique()])
        august = pd.Timestamp(year - 1, 8, 31)
        age = august.year - born.dt.year - ((born.dt.month * 100 + born.dt.day) > 831)
        assert age.between(5, 15).all()
        start = m.dates(attendance.START_DATE)
        joined = attendance.assign(when=start).merge(
            eps[["CHILD", "decom", "dec"]], left_on="CHILD_ID", right_on="CHILD"
        )
        inside = joined[
            (joined.when >= joined.decom) & (joined.dec.isna() | (joined.when <= joined.dec))
        ]
        assert set(inside.CHILD_ID) == set(attendance.CHILD_ID)
        schools = m.virtual_school(out, "schools", year)
        schools = schools.assign(start=m.dates(schools.START_DATE), end=m.dates(schools.END_DATE))
        previous_end = schools.groupby("CHILD_ID").end.shift(1)
        assert not (schools.start < previous_end).any()
        assert schools.OFSTED_GRADE.isin(["1", "2", "3", "4", ""]).all()


def test_the_new_streams_leave_the_other_files_as_they_were(tmp_path: Path) -> None:
    with_extras = generate(tmp_path / "a", str(small_scenario(tmp_path, extras=True)), seed=2)
    without = generate(tmp_path / "b", str(small_scenario(tmp_path, extras=False)), seed=2)
    assert len(with_extras.files) > len(without.files)
    for path in without.files:
        # Each file's twin: under a/ for b/, a-postcode-lookup.csv for b's lookup beside b/.
        relative = str(path.relative_to(tmp_path))
        if path.name == "header.csv":
            continue  # care leavers join the header
        twin = tmp_path / ("a" + relative.removeprefix("b"))
        assert path.read_bytes() == twin.read_bytes(), relative
    assert without.children_looked_after == with_extras.children_looked_after
