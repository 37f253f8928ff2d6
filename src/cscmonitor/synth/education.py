"""The virtual school's records (docs/virtual_school.md) of school-age children looked after.

Per school year (1 September - 31 August, three terms) and child looked after in it at
school age: the schools the child was on roll at (each school with its URN and an Ofsted
grade), a personal education plan most terms (some quality-audited), attendance per term in
care, and suspensions and permanent exclusions. Shares an indicator measures are drawn with
stratified uniforms per school year (or term), so they land on the scenario's values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from cscmonitor.synth.care import Periods
from cscmonitor.synth.dates import Days, day, on
from cscmonitor.synth.sampling import (
    codes,
    group_key,
    ordered_days_within,
    ranked_uniform,
    stratified_uniform,
)
from cscmonitor.synth.scenario import Section

Ints = npt.NDArray[np.int64]
Text = npt.NDArray[np.str_]
# Terms of a school year starting in September: (start month, day, end month, day).
TERMS = ((9, 3, 12, 19), (1, 5, 3, 27), (4, 13, 7, 21))
# Schools in and around the LA, by phase.
SCHOOLS = {"PRIMARY": 95, "SECONDARY": 22, "SPECIAL": 6, "AP": 2}
NAMES = {
    "PRIMARY": ["Primary School", "Church of England Primary School", "Catholic Primary School",
                "Primary Academy", "Infant and Junior School"],
    "SECONDARY": ["Academy", "School", "Community College", "Catholic High School"],
    "SPECIAL": ["Special School", "School for Learning Support"],
    "AP": ["Pupil Referral Unit", "Alternative Provision Academy"],
}  # fmt: skip
PLACES = [
    "Adwick", "Armthorpe", "Askern", "Auckley", "Balby", "Barnby Dun", "Bentley", "Bessacarr",
    "Cantley", "Carcroft", "Conisbrough", "Denaby", "Edenthorpe", "Edlington", "Finningley",
    "Hatfield", "Hexthorpe", "Hyde Park", "Intake", "Kirk Sandall", "Mexborough", "Moorends",
    "Rossington", "Scawthorpe", "Sprotbrough", "Stainforth", "Thorne", "Tickhill", "Toll Bar",
    "Warmsworth", "Wheatley", "Woodlands",
]  # fmt: skip
# How far a child's attendance or behaviour one school year is from the year before: the
# spread of the yearly noise on a latent rank uniform over children.
YEAR_TO_YEAR = 0.05
INSPECTION_CYCLE = 1095  # days between a school's graded inspections
FIRST_INSPECTIONS = dt.date(2000, 1, 1)


@dataclass(frozen=True)
class SchoolRecords:
    """Day-numbered frames; `child` indexes the children, `school` the rows of `schools`."""

    schools: pd.DataFrame  # urn, name, phase, grade (0: not inspected), inspected (a day)
    spells: pd.DataFrame  # child, school, start, end (last day on roll)
    returned: pd.DataFrame  # spell, year: the school years whose schools file holds a spell
    peps: pd.DataFrame  # child, year, date, rating, audit (-1: not audited)
    attendance: pd.DataFrame  # child, year, start, end, possible, attended
    exclusions: pd.DataFrame  # child, year, date, kind, sessions (0: permanent)


def simulate(
    rng: np.random.Generator, spec: Section, periods: Periods, dob: Days, years: tuple[int, ...]
) -> SchoolRecords:
    """The records of the school years `years` (named by the year they end)."""
    care = _terms_in_care(spec, periods, dob, np.array(years, dtype=np.int64))
    schools = _schools(rng)
    spells = _spells(rng, spec, schools, np.unique(care["child"].to_numpy()), dob)
    return SchoolRecords(
        schools=schools,
        spells=spells,
        returned=_returned(spells, care),
        peps=_peps(rng, spec, care),
        attendance=(attendance := _attendance(rng, spec, care)),
        exclusions=_exclusions(rng, spec, attendance),
    )


def ofsted_date(schools: pd.DataFrame, as_at: int) -> Days:
    """Each school's latest graded inspection on or before `as_at` (a day number)."""
    first = schools["inspected"].to_numpy()
    return first + (as_at - first) // INSPECTION_CYCLE * INSPECTION_CYCLE


def _terms_in_care(spec: Section, periods: Periods, dob: Days, years: Ints) -> pd.DataFrame:
    """One row per term and period of care overlapping it, for children of school age."""
    n_terms = len(TERMS)
    year = np.repeat(years, n_terms)
    term = np.tile(np.arange(n_terms), len(years))
    calendar = year - 1 + (term > 0)
    term_start = np.zeros(len(year), dtype=np.int64)
    term_end = np.zeros(len(year), dtype=np.int64)
    for k, (m0, d0, m1, d1) in enumerate(TERMS):
        rows = term == k
        term_start[rows] = on(calendar[rows], m0, d0)
        term_end[rows] = on(calendar[rows], m1, d1)
    # Periods x terms, kept where they overlap (care ends the day before `end`).
    p, t = np.nonzero(
        (periods.start[:, None] <= term_end[None, :]) & (periods.end[:, None] > term_start[None, :])
    )
    child = periods.child[p]
    age = _age_on_31_august(dob[child], year[t] - 1)
    ages = spec.section("school_age")
    school_age = (age >= ages.number("low")) & (age <= ages.number("high"))
    p, t, child = p[school_age], t[school_age], child[school_age]
    return pd.DataFrame(
        {
            "child": child,
            "year": year[t],
            "term": term[t],
            "start": np.maximum(term_start[t], periods.start[p]),
            "end": np.minimum(term_end[t], periods.end[p] - 1),
            "care_start": periods.start[p],
        }
    ).sort_values(["child", "start"], kind="stable", ignore_index=True)


def _age_on_31_august(dob: Days, calendar_year: Ints) -> Ints:
    d = dob.astype("datetime64[D]")
    born = d.astype("datetime64[Y]").astype(np.int64) + 1970
    after_august = (d.astype("datetime64[M]").astype(np.int64) % 12) >= 8
    return calendar_year - born - after_august


def _schools(rng: np.random.Generator) -> pd.DataFrame:
    """The schools children attend, each with a fixed grade and inspection cycle."""
    phase = np.repeat(np.array(list(SCHOOLS)), list(SCHOOLS.values()))
    n = len(phase)
    urn = (rng.choice(50_000, size=n, replace=False) + 100_000).astype(str)
    suffix = np.array(
        [NAMES[p][i % len(NAMES[p])] for p, i in zip(phase, rng.integers(0, 100, n), strict=True)]
    )
    name = np.char.add(np.char.add(np.array(PLACES)[rng.integers(0, len(PLACES), n)], " "), suffix)
    # About two schools in three are good or outstanding; some are new and not yet inspected.
    good = rng.random(n) < 0.68
    grade = np.where(
        good,
        np.where(rng.random(n) < 0.25, 1, 2),
        np.where(rng.random(n) < 0.8, 3, 4),
    )
    grade = np.where(~good & (rng.random(n) < 0.05), 0, grade)
    # Every phase has schools of both kinds.
    for p in SCHOOLS:
        rows = np.flatnonzero(phase == p)
        grade[rows[0]], grade[rows[-1]] = 2, 3
    return pd.DataFrame(
        {
            "urn": urn,
            "name": name,
            "phase": phase,
            "grade": grade,
            # Inspections every cycle, the first spread over the cycle from 2000.
            "inspected": day(FIRST_INSPECTIONS) + rng.integers(0, INSPECTION_CYCLE, n),
        }
    )


def _spells(
    rng: np.random.Generator, spec: Section, schools: pd.DataFrame, kids: Ints, dob: Days
) -> pd.DataFrame:
    """Each child's time on roll from reception to year 11: a primary then a secondary school
    (or a special school throughout), with moves of school between."""
    n = len(kids)
    d = dob[kids].astype("datetime64[D]")
    reception = (
        d.astype("datetime64[Y]").astype(np.int64)
        + 1970
        + 4
        + ((d.astype("datetime64[M]").astype(np.int64) % 12) >= 8)
    )
    special = rng.random(n) < spec.number("special_school")
    primary = on(reception, 9, 3)
    secondary = on(reception + 7, 9, 3)
    leaving = on(reception + 12, 7, 21)
    phase_start = np.concatenate([primary, secondary[~special]])
    phase_end = np.concatenate([np.where(special, leaving, on(reception + 7, 7, 21)),
                                leaving[~special]])  # fmt: skip
    phase_kind = np.concatenate(
        [np.where(special, "SPECIAL", "PRIMARY"), np.full(int((~special).sum()), "SECONDARY")]
    )
    owner = np.concatenate([np.arange(n), np.flatnonzero(~special)])
    years_long = (phase_end - phase_start) / 365.25
    moves = rng.poisson(spec.number("school_moves_per_year") * years_long)
    phase_of_move, move_day = ordered_days_within(
        rng, np.arange(len(owner)), moves, phase_start + 30, phase_end - 30
    )
    index = np.concatenate([np.arange(len(owner)), phase_of_move])
    start = np.concatenate([phase_start, move_day])
    order = np.lexsort((start, owner[index]))
    index, start = index[order], start[order]
    following = np.r_[index[1:] == index[:-1], False]
    end = np.where(following, np.r_[start[1:], 0] - 1, phase_end[index])
    phase = phase_kind[index]
    # A few moves in secondary school are to alternative provision.
    moved = np.r_[False, index[1:] == index[:-1]]
    phase = np.where(moved & (phase == "SECONDARY") & (rng.random(len(phase)) < 0.1), "AP", phase)

    u = stratified_uniform(rng, phase)
    good = u < spec.number("good_school")
    school_phase = schools["phase"].to_numpy()
    school_good = np.isin(schools["grade"].to_numpy(), (1, 2))
    pool_key = np.char.add(school_phase, np.where(school_good, "+", "-"))
    by_key = np.argsort(pool_key, kind="stable")
    keys, first, size = np.unique(pool_key[by_key], return_index=True, return_counts=True)
    wanted = np.searchsorted(keys, np.char.add(phase, np.where(good, "+", "-")))
    school = by_key[first[wanted] + np.floor(rng.random(len(phase)) * size[wanted]).astype(int)]
    return pd.DataFrame({"child": kids[owner[index]], "school": school, "start": start, "end": end})


def _returned(spells: pd.DataFrame, care: pd.DataFrame) -> pd.DataFrame:
    """The school years in which a spell overlaps the child's time in care at school age."""
    pairs = spells.reset_index(names="spell").merge(
        care[["child", "year", "start", "end"]], on="child", suffixes=("", "_care")
    )
    overlap = (pairs["start"] <= pairs["end_care"]) & (pairs["end"] >= pairs["start_care"])
    return pairs.loc[overlap, ["spell", "year"]].drop_duplicates(ignore_index=True)


def _peps(rng: np.random.Generator, spec: Section, care: pd.DataFrame) -> pd.DataFrame:
    """A PEP in most terms in care (the first within a few weeks of care starting), some
    quality-audited."""
    n = len(care)
    year = care["year"].to_numpy()
    held = stratified_uniform(rng, group_key(year - year.min(initial=0), care["term"].to_numpy()))
    low = np.maximum(care["start"].to_numpy(), care["care_start"].to_numpy() + 10)
    high = care["end"].to_numpy()
    ok = (held < spec.number("pep_held")) & (low <= high)
    # The first PEP of a period of care is held soon after the child comes into care.
    initial = ~care.duplicated(["child", "care_start"]).to_numpy()
    spread = np.where(initial, np.minimum(high - low, 14), high - low)
    date = low + np.floor(rng.random(n) * (spread + 1)).astype(np.int64)
    date = _school_day(date, high)
    audited = rng.random(n) < spec.number("pep_audited")
    frame = pd.DataFrame(
        {
            "child": care["child"],
            "year": care["year"],
            "date": date,
            "rating": np.where(audited, codes(rng, spec.weights("pep_ratings"), n), ""),
            "audit": np.where(audited, date + rng.integers(5, 36, n), -1),
        }
    )
    return frame[ok].drop_duplicates(["child", "date"], ignore_index=True)


def _school_day(date: Days, latest: Days) -> Days:
    """The first weekday on or after `date`, or the last on or before `latest` past it."""
    forward = np.busday_offset(date.astype("datetime64[D]"), 0, roll="forward").astype(np.int64)
    back = np.busday_offset(latest.astype("datetime64[D]"), 0, roll="backward").astype(np.int64)
    return np.where(forward <= latest, forward, np.maximum(back, date))


def _attendance(rng: np.random.Generator, spec: Section, care: pd.DataFrame) -> pd.DataFrame:
    """Sessions possible and attended per term in care; a stratified share of children each
    school year attend below 90% in every term."""
    start, end = care["start"].to_numpy(), care["end"].to_numpy()
    possible = 2 * np.busday_count(
        start.astype("datetime64[D]"), (end + 1).astype("datetime64[D]")
    ).astype(np.int64)
    frame = care.assign(possible=possible)
    frame = frame[frame["possible"] > 0].reset_index(drop=True)
    years = frame["year"].to_numpy()
    pair = group_key(frame["child"].to_numpy(), years - years.min(initial=0))
    keys, first, inverse = np.unique(pair, return_index=True, return_inverse=True)
    year = frame["year"].to_numpy()[first]
    absent = _persistent(rng, frame["child"].to_numpy()[first], year) < spec.number(
        "persistent_absence"
    )
    m = len(keys)
    rate = np.where(absent, rng.uniform(0.55, 0.885, m), rng.uniform(0.915, 0.995, m))
    row_rate = np.clip(rate[inverse] + rng.uniform(-0.01, 0.01, len(frame)), 0.0, 1.0)
    row_rate = np.where(absent[inverse], np.minimum(row_rate, 0.895), np.maximum(row_rate, 0.905))
    sessions = frame["possible"].to_numpy() * row_rate
    attended = np.where(absent[inverse], np.floor(sessions), np.ceil(sessions)).astype(np.int64)
    return frame.assign(attended=np.minimum(attended, frame["possible"]), pair=inverse)[
        ["child", "year", "start", "end", "possible", "attended", "pair"]
    ]


def _persistent(rng: np.random.Generator, child: Ints, year: Ints) -> npt.NDArray[np.float64]:
    """Uniforms stratified per school year that stay low for the same children year on year,
    so a share over any 12 months, not only a school year, is near the propensity."""
    latent = rng.random(int(child.max(initial=-1)) + 1)[child]
    return ranked_uniform(rng, year, latent + YEAR_TO_YEAR * rng.standard_normal(len(child)))


def _exclusions(rng: np.random.Generator, spec: Section, attendance: pd.DataFrame) -> pd.DataFrame:
    """Suspensions for a stratified share of children each school year, a few permanent
    exclusions; each on a school day of a term the child was in care."""
    pair = attendance["pair"].to_numpy()
    m = int(pair.max(initial=-1)) + 1
    order = np.argsort(pair, kind="stable")
    rows_of = np.bincount(pair, minlength=m)
    first = np.r_[0, np.cumsum(rows_of)[:-1]]
    year = attendance["year"].to_numpy()[order][first]
    child = attendance["child"].to_numpy()[order][first]
    suspended = np.flatnonzero(_persistent(rng, child, year) < spec.number("suspended"))
    count = rng.geometric(1 / spec.number("suspensions_per_child"), len(suspended))
    permanent = np.flatnonzero(rng.random(m) < spec.number("permanent_exclusion"))
    who = np.concatenate([np.repeat(suspended, count), permanent])
    kind = np.r_[np.full(int(count.sum()), "SUSPENSION"), np.full(len(permanent), "PERMANENT")]
    row = order[first[who] + np.floor(rng.random(len(who)) * rows_of[who]).astype(np.int64)]
    start = attendance["start"].to_numpy()[row]
    end = attendance["end"].to_numpy()[row]
    date = _school_day(start + np.floor(rng.random(len(who)) * (end - start + 1)).astype(int), end)
    sessions = codes(rng, spec.weights("suspension_sessions"), len(who)).astype(np.int64)
    frame = pd.DataFrame(
        {
            "child": attendance["child"].to_numpy()[row],
            "year": year[who],
            "date": date,
            "kind": kind,
            "sessions": np.where(kind == "PERMANENT", 0, sessions),
        }
    )
    return frame.drop_duplicates(["child", "date"], ignore_index=True)
