"""Synthetic returns for every LA in England: simulate all LAs together, write per LA and year.

Layout, one folder per LA that `cscmonitor ingest OUT/<la> --la <la>` takes as it is:

    OUT/<la>/cin_census/CIN_Census_YYYY.xml
    OUT/<la>/ssda903/YYYY/header.csv, episodes.csv
    OUT/<la>/workforce/workforce_YYYY.csv
    OUT/england.json            the LAs, their child populations and the propensities drawn
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cscmonitor.synth import care
from cscmonitor.synth.children import postcodes
from cscmonitor.synth.dates import day, year_starting
from cscmonitor.synth.england import las as las_module
from cscmonitor.synth.england import params, referrals, workforce, writers
from cscmonitor.synth.england.las import LAs, Propensities
from cscmonitor.synth.scenario import Scenario, Section

FIRST_YEAR, LAST_YEAR = 2000, 2099


@dataclass(frozen=True)
class EnglandSummary:
    """What `generate_england` wrote, with counts over all LAs and files."""

    out: Path
    seed: int
    from_year: int
    to_year: int
    las: int
    files: int
    referrals: int
    cp_plans: int
    children_looked_after: int
    workers: int
    seconds: float

    def describe(self) -> str:
        """A few lines for the command line."""
        return (
            f"England, census years {self.from_year}-{self.to_year}, seed {self.seed}: "
            f"{self.files} files for {self.las} LAs in {self.out} ({self.seconds:.0f} s)\n"
            f"  {self.referrals} referrals, {self.cp_plans} child protection plans, "
            f"{self.children_looked_after} children looked after, {self.workers} workers"
        )


def census_years(from_year: int, to_year: int) -> list[int]:
    """The CIN census and SSDA903 years written (each ends 31 March)."""
    return list(range(from_year, to_year + 1))


def workforce_years(from_year: int, to_year: int) -> list[int]:
    """The workforce years written (as at 30 September): those overlapping the census years."""
    return list(range(from_year - 1, to_year + 1))


def generate_england(
    out: Path,
    from_year: int,
    to_year: int,
    seed: int = 0,
    las: Sequence[str] | None = None,
) -> EnglandSummary:
    """Simulate every English LA (or those in `las`) and write their returns for the census
    years `from_year` to `to_year` (years ending 31 March)."""
    started = time.perf_counter()
    if not (FIRST_YEAR <= from_year <= to_year <= LAST_YEAR):
        raise ValueError(
            f"years {from_year}-{to_year}: give --from-year <= --to-year, both census years "
            f"(ending 31 March) from {FIRST_YEAR} to {LAST_YEAR}"
        )
    if seed < 0:
        raise ValueError(f"seed {seed} is negative; use 0 or more")
    span = referrals.Span.for_years(from_year, to_year)
    years = np.arange(
        year_starting(np.array([span.care_from]), 4, 1)[0],
        year_starting(np.array([span.last]), 4, 1)[0] + 1,
    )
    chosen = las_module.england(years, las)
    streams = np.random.SeedSequence([seed, zlib.crc32(b"england")]).spawn(6)
    rng = [np.random.default_rng(s) for s in streams]
    props = las_module.draw(rng[0], las_module.all_codes(years), years, chosen.code)
    scenario = _scenario(span)

    sim = referrals.simulate(rng[1], chosen, props, span, scenario)
    episodes = _episodes(rng[2], scenario, sim, props, from_year)
    first_census = params.WORKFORCE_BURN_IN
    work_years = workforce_years(from_year, to_year)
    workers = workforce.simulate(rng[3], chosen, props, work_years[0] - first_census, to_year)
    ident = writers.identities(rng[4], chosen, sim.children.la, sim.children.dob, workers)

    out = Path(out)
    # What was written, over all files: marks, not lists (national runs are large).
    shown = np.zeros(len(sim.referrals), dtype=bool)
    looked_after = np.zeros(len(sim.children), dtype=bool)
    listed = np.zeros(len(workers), dtype=bool)
    for year in census_years(from_year, to_year):
        shown[writers.cin_census(out, year, chosen, sim, ident)] = True
        looked_after[writers.ssda903(out, year, chosen, episodes, sim, ident)] = True
    for year in work_years:
        rows = workforce.year_rows(rng[5], workers, year)
        listed[writers.workforce(out, year, chosen, workers, rows, ident)] = True
    _manifest(out, seed, from_year, to_year, chosen, props)
    plans = int((shown & (sim.referrals.plan_start <= day(dt.date(to_year, 3, 31)))).sum())
    n_years = len(census_years(from_year, to_year))
    return EnglandSummary(
        out=out,
        seed=seed,
        from_year=from_year,
        to_year=to_year,
        las=len(chosen),
        files=len(chosen) * (3 * n_years + len(work_years)),
        referrals=int(shown.sum()),
        cp_plans=plans,
        children_looked_after=int(looked_after.sum()),
        workers=int(listed.sum()),
        seconds=time.perf_counter() - started,
    )


def _scenario(span: referrals.Span) -> Scenario:
    """The parts of a scenario `synth.care` reads, with England's care parameters."""
    empty: dict[str, object] = {}
    return Scenario(
        name="england",
        description="every LA in England",
        la_code="000",
        la_name="England",
        year_start=referrals.YEAR_START,
        simulate_from=dt.date(1970, 1, 1) + dt.timedelta(days=span.care_from),
        simulate_to=dt.date(1970, 1, 1) + dt.timedelta(days=span.last),
        cin_census_years=(),
        ssda903_years=(),
        workforce_years=(),
        referrals=Section("england", "referrals", empty),
        children=Section("england", "children", empty),
        outcomes=Section("england", "outcomes", empty),
        care=Section("england", "care", params.CARE),
        workforce=Section("england", "workforce", empty),
    )


def _episodes(
    rng: np.random.Generator,
    scenario: Scenario,
    sim: referrals.Simulated,
    props: Propensities,
    from_year: int,
) -> writers.Episodes:
    """The 903 episodes of the periods of care open in or after the first 903 year.

    Periods and children are renumbered compactly for `synth.care.episodes`; the episodes
    come back with the simulation's child numbers.
    """
    periods = sim.periods
    first = day(dt.date(from_year - 1, 4, 1))
    periods = _take(periods, np.flatnonzero(periods.end >= first))
    children, local = np.unique(periods.child, return_inverse=True)
    need = np.array(writers.NEEDS)[sim.referrals.need[periods.referral]]
    periods = dataclasses.replace(
        periods, referral=np.arange(len(periods)), child=local.astype(np.int64)
    )
    n = len(children)
    home_post = postcodes(rng, ["DN"], range(1, 13), n)
    no_breaks = care.ShortBreaks(*(np.empty(0, dtype=np.int64) for _ in range(5)))
    frame = care.episodes(
        rng,
        scenario,
        periods,
        no_breaks,
        need,
        sim.children.dob[children],
        home_post,
        la=sim.children.la[children].astype(np.int64),
        three_plus=props["three_plus_placements"],
    )
    return writers.Episodes.of(frame, children[frame["child"].to_numpy()])


def _take(periods: care.Periods, rows: np.ndarray) -> care.Periods:
    return care.Periods(
        **{f.name: getattr(periods, f.name)[rows] for f in dataclasses.fields(care.Periods)}
    )


def _manifest(
    out: Path, seed: int, from_year: int, to_year: int, chosen: LAs, props: Propensities
) -> None:
    """england.json: the LAs, their children aged 0-17 and propensities, per year written."""
    years = list(range(from_year - 1, to_year))
    columns = chosen.year_index(years)
    las = [
        {
            "la_code": str(chosen.code[i]),
            "la_name": str(chosen.name[i]),
            "region": str(chosen.region[i]),
            "population": {
                str(y): int(chosen.population[i, c]) for y, c in zip(years, columns, strict=True)
            },
            "propensities": {
                name: {
                    str(y): round(float(table[i, c]), 4)
                    for y, c in zip(years, columns, strict=True)
                }
                for name, table in props.tables.items()
            },
        }
        for i in range(len(chosen))
    ]
    document = {
        "seed": seed,
        "census_years": census_years(from_year, to_year),
        "workforce_years": workforce_years(from_year, to_year),
        "note": "propensities per scenario year starting 1 April of the year named",
        "las": las,
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "england.json").write_text(json.dumps(document, indent=1), encoding="utf-8")
