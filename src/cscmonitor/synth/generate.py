"""Generate a scenario's synthetic statutory returns: simulate, then write real-format files.

The simulation is vectorised with numpy; the only Python loops run over a handful of
chain-building rounds and scenario years. Random draws that decide indicator outcomes use
stratified uniforms (see `sampling.stratified_uniform`): within each group (a scenario year
and a stratum such as "child had a plan here before") an event of propensity p happens to
p*n of the group give or take one, so a different seed moves an indicator by a fraction of
a percentage point instead of the 1.5-2 points plain Bernoulli draws would at these volumes.
Nothing writes an indicator value: every value is computed from the records.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from cscmonitor.synth import (
    care,
    care_records,
    children,
    early_help,
    education,
    recent_records,
    referrals,
    workforce,
)
from cscmonitor.synth.dates import Days, day, on
from cscmonitor.synth.places import places_of, write_lookup
from cscmonitor.synth.sampling import codes
from cscmonitor.synth.scenario import Scenario, load, scaled
from cscmonitor.synth.writers import (
    DOLO,
    DOLO_FROM,
    SSDA903_TABLES,
    SW_EPISODES,
    SW_EPISODES_FROM,
    write_cin_census,
    write_early_help,
    write_ssda903,
    write_virtual_school,
    write_workforce,
)

# The workforce role whose workers hold children's cases (CSWW role 5).
CASE_HOLDER = 5
# The postcode lookup is not a return: by default it goes beside OUT, not in it, so that
# `cscmonitor ingest OUT` reads only returns (ingest is told of the lookup by its settings).
POSTCODE_LOOKUP_SUFFIX = "-postcode-lookup.csv"
# Early help episodes are drawn from this long before the first file, so its open ones have
# their history.
EARLY_HELP_LOOKBACK = 3 * 365


@dataclass(frozen=True)
class SynthSummary:
    """What `generate` wrote: the files and counts over all of them."""

    scenario: str
    seed: int
    la_code: str
    files: tuple[Path, ...]
    children_referred: int
    referrals: int
    cp_plans: int
    children_looked_after: int
    workers: int

    def describe(self) -> str:
        """A few lines for the command line."""
        folders = sorted({str(p.parent) for p in self.files})
        return (
            f"scenario {self.scenario}, seed {self.seed}, LA {self.la_code}: "
            f"{len(self.files)} files in {', '.join(folders)}\n"
            f"  {self.referrals} referrals of {self.children_referred} children, "
            f"{self.cp_plans} child protection plans, "
            f"{self.children_looked_after} children looked after, {self.workers} workers"
        )


def generate(
    out: Path,
    scenario: str = "doncaster-2014",
    seed: int = 0,
    la_code: str | None = None,
    *,
    scale: float = 1.0,
    postcode_lookup: Path | None = None,
) -> SynthSummary:
    """Simulate `scenario` with `seed` and write its CIN census, SSDA903, workforce, early help
    and virtual school files, each year's in its format; with the scenario's `in_year` date,
    an in-year extract of the next collection year; with its `postcodes`, the postcode lookup
    (at `postcode_lookup`, by default `default_lookup(out)`). `scale` (at most 1) shrinks the
    scenario's volumes for a quick run."""
    sc = scaled(load(scenario), scale)
    la = sc.la_code if la_code is None else la_code
    if not (la.isdigit() and len(la) == 3):
        raise ValueError(f"LA code {la!r} is not a 3-digit DfE LA code (e.g. 371)")
    if seed < 0:
        raise ValueError(f"seed {seed} is negative; use 0 or more")
    # The LA is part of the seed so that LAs generated from one scenario differ.
    # Streams 6-8 (the 903's other tables, early help, the virtual school) and 9 (the newer
    # formats' records) came later: streams of their own, so the draws of the first ones, and
    # the files they make, stay the same.
    streams = np.random.SeedSequence([seed, int(la), zlib.crc32(sc.name.encode())]).spawn(10)
    rng = [np.random.default_rng(s) for s in streams]

    sim = referrals.simulate(rng[0], sc)
    r = sim.referrals
    places = places_of(sc.postcodes)
    kids = children.describe(rng[1], sim.child_dob, la, sc.children, places)
    with_breaks = np.flatnonzero(r.short_breaks > 0)
    breaks = care.ShortBreaks(
        with_breaks,
        r.child[with_breaks],
        r.short_breaks[with_breaks],
        r.short_breaks_start[with_breaks],
        r.short_breaks_end[with_breaks],
    )
    episodes = care.episodes(
        rng[2], sc, sim.periods, breaks, r.need, kids.dob, kids.home_post, places=places
    )
    workers = workforce.simulate(rng[3], sc)
    last_day = day(sc.simulate_to)
    records = None
    if sc.looked_after is not None:
        records = care_records.simulate(
            rng[6], sc, sc.looked_after, sim.periods, breaks, kids.dob, last_day
        )

    out = Path(out)
    files: list[Path] = []
    referred: set[str] = set()
    in_care: set[str] = set()
    worker_ids: set[str] = set()
    referral_keys: set[int] = set()
    plan_keys: set[int] = set()
    case_holders = workers.worker_id[(workers.role == CASE_HOLDER) & workers.registered]
    recent = _recent(rng[9], sc, sim, episodes, kids.dob, last_day, case_holders)
    # Each census year's return, and an in-year extract of the next (its year's file name).
    extracts = [(y, None) for y in sc.cin_census_years] + _in_year(sc)
    for year, reference in extracts:
        path = out / "cin_census" / f"CIN_Census_{year}.xml"
        rows = write_cin_census(
            path, year, la, r, sim.reviews, kids, reference=reference, pre=recent.pre
        )
        referred.update(kids.child_id[r.child[rows]])
        referral_keys.update(rows.tolist())
        known = on([year], 3, 31)[0] if reference is None else reference
        plan_keys.update(rows[r.plan_start[rows] <= known].tolist())
        files.append(path)
    for year, reference in [(y, None) for y in sc.ssda903_years] + _in_year(sc):
        folder = out / "ssda903" / str(year)
        shown = write_ssda903(
            folder,
            year,
            episodes,
            kids,
            records,
            reference=reference,
            social_workers=recent.social_workers,
            dolo=recent.dolo,
        )
        in_care.update(kids.child_id[shown])
        files += [folder / "header.csv", folder / "episodes.csv"]
        if records is not None:
            files += [folder / name for name in SSDA903_TABLES]
        if recent.social_workers is not None and year >= SW_EPISODES_FROM:
            files.append(folder / SW_EPISODES[0])
        if recent.dolo is not None and year >= DOLO_FROM:
            files.append(folder / DOLO[0])
    ethnicity = _worker_ethnicity(rng[9], sc, workers.worker_id)
    for year in sc.workforce_years:
        path = out / "workforce" / f"workforce_{year}.csv"
        table = workforce.year_file(rng[4], workers, year, sc)
        if ethnicity is not None:
            table["ethnicity"] = table["worker_id"].map(ethnicity)
        write_workforce(path, table)
        worker_ids.update(table["worker_id"])
        files.append(path)
    if sc.early_help is not None and sc.early_help_years:
        first = int(on([min(sc.early_help_years) - 1], 4, 1)[0]) - EARLY_HELP_LOOKBACK
        helped = early_help.simulate(rng[7], sc, sc.early_help, r, kids, first, last_day)
        for year in sc.early_help_years:
            path = out / "early_help" / f"early_help_{year}.csv"
            write_early_help(path, year, helped)
            files.append(path)
    if sc.virtual_school is not None and sc.virtual_school_years:
        school = education.simulate(
            rng[8], sc.virtual_school, sim.periods, kids.dob, sc.virtual_school_years
        )
        for year in sc.virtual_school_years:
            files += write_virtual_school(out / "virtual_school", year, school, kids)
    if sc.postcodes is not None:
        path = default_lookup(out) if postcode_lookup is None else Path(postcode_lookup)
        posts = np.concatenate([episodes["home_post"].to_numpy(), episodes["pl_post"].to_numpy()])
        write_lookup(path, places.lookup(posts))
        files.append(path)
    return SynthSummary(
        scenario=sc.name,
        seed=seed,
        la_code=la,
        files=tuple(files),
        children_referred=len(referred),
        referrals=len(referral_keys),
        cp_plans=len(plan_keys),
        children_looked_after=len(in_care),
        workers=len(worker_ids),
    )


def default_lookup(out: Path) -> Path:
    """Where a scenario's postcode lookup goes by default: beside the folder of returns."""
    out = Path(out).absolute()
    return out.parent / f"{out.name}{POSTCODE_LOOKUP_SUFFIX}"


@dataclass(frozen=True)
class _Recent:
    """The newer formats' records, where the scenario has them."""

    social_workers: pd.DataFrame | None
    pre: pd.DataFrame | None
    dolo: pd.DataFrame | None


def _recent(
    rng: np.random.Generator,
    sc: Scenario,
    sim: referrals.Simulated,
    episodes: pd.DataFrame,
    dob: Days,
    last_day: int,
    case_holders: npt.NDArray[np.str_],
) -> _Recent:
    return _Recent(
        social_workers=None
        if sc.social_workers is None
        else recent_records.social_worker_episodes(
            rng, sc.social_workers, sim.periods, last_day, case_holders
        ),
        pre=None
        if sc.pre_proceedings is None
        else recent_records.pre_proceedings(rng, sc.pre_proceedings, sim.referrals),
        dolo=None
        if sc.deprivation_of_liberty is None
        else recent_records.deprivation_of_liberty(rng, sc.deprivation_of_liberty, episodes, dob),
    )


def _in_year(sc: Scenario) -> list[tuple[int, int | None]]:
    """The in-year extract: the collection year holding the scenario's in-year date, and
    that date (none when the scenario has no in-year date)."""
    if sc.in_year_to is None:
        return []
    date = sc.in_year_to
    return [(date.year + 1 if date.month >= 4 else date.year, day(date))]


def _worker_ethnicity(
    rng: np.random.Generator, sc: Scenario, worker_id: npt.NDArray[np.str_]
) -> dict[str, str] | None:
    """Each worker's ethnicity, where the scenario's workforce has a mix."""
    if "ethnicity" not in sc.workforce.values:
        return None
    drawn = codes(rng, sc.workforce.weights("ethnicity"), len(worker_id))
    return dict(zip(worker_id.tolist(), drawn.tolist(), strict=True))
