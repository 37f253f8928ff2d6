"""The social work workforce: posts filled by employed or agency workers, year by year.

Each post is filled by an employed or an agency worker. Every scenario year a share of posts
is covered by agency workers at the year end (chosen with a preference for posts already on
agency cover); employed workers on posts that stay employed leave with the year's propensity
and are replaced after a vacancy; agency assignments end and are renewed. Leavers and joiners
are dated within the year, so turnover and the agency rate at 30 September come out of the
records.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from cscmonitor.synth.dates import NEVER, Days, on
from cscmonitor.synth.sampling import codes, group_key, stratified_uniform
from cscmonitor.synth.scenario import Scenario

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
CENSUS_MONTH, CENSUS_DAY = 9, 30
EMPLOYED_REASONS = {"RES": 70, "RET": 10, "DIS": 3, "EOC": 7, "OTH": 10}
AGENCY_REASONS = {"EOC": 90, "RES": 10}


@dataclass(frozen=True)
class Workers:
    """One row per worker (an employment or an agency assignment)."""

    worker_id: npt.NDArray[np.str_]
    agency: Bools
    role: Ints
    registered: Bools
    fte: npt.NDArray[np.float64]
    start: Days
    left: Days
    reason: npt.NDArray[np.str_]

    def __len__(self) -> int:
        return len(self.start)


@dataclass
class _Posts:
    role: Ints
    registered: Bools
    fte: npt.NDArray[np.float64]
    agency: Bools  # the current (or awaited) occupant
    start: Days
    worker: Ints


class _Records:
    def __init__(self) -> None:
        self.parts: list[dict[str, npt.NDArray]] = []
        self.count = 0

    def open(self, posts: _Posts, which: Ints, agency: Bools, start: Days) -> Ints:
        ids = self.count + np.arange(len(which))
        self.count += len(which)
        # Copies: the posts' own arrays change as occupants come and go.
        self.parts.append(
            {
                "agency": agency.copy(),
                "start": start.copy(),
                "role": posts.role[which],
                "registered": posts.registered[which],
                "fte": posts.fte[which],
            }
        )
        return ids


def simulate(rng: np.random.Generator, scenario: Scenario) -> Workers:
    """Every worker in post at any time from the first simulated census to the last file's."""
    w = scenario.workforce
    roles = w.weights("posts")
    role = np.repeat(np.array([int(r) for r in roles]), [int(v) for v in roles.values()])
    unregistered = int(w.number("unregistered_posts"))
    role = np.concatenate([role, np.where(np.arange(unregistered) < 2, 1, 2)])
    n = len(role)
    registered = np.arange(n) < n - unregistered
    n_registered = n - unregistered
    part_time = stratified_uniform(rng, np.zeros(n)) < w.number("part_time")
    fte = np.where(part_time, rng.choice([0.5, 0.6, 0.8, 0.9], n), 1.0)

    first = int(w.number("simulate_from"))
    last = max(scenario.workforce_years)
    census = on(np.arange(first, last + 1), CENSUS_MONTH, CENSUS_DAY)
    first_share = w.by_year("agency_share", [first - 1])[0]
    agency = registered & (stratified_uniform(rng, registered) < first_share)
    tenure = np.where(agency, rng.exponential(220, n), rng.exponential(2200, n))
    start = census[0] - np.maximum(tenure.astype(np.int64), 30)
    posts = _Posts(role, registered, fte, agency, start, np.full(n, -1, dtype=np.int64))
    records = _Records()
    posts.worker = records.open(posts, np.arange(n), agency, start)
    ended_ids: list[Ints] = []
    ended_days: list[Days] = []
    ended_reasons: list[npt.NDArray[np.str_]] = []

    vacancy = w.section("vacancy_days")
    for i in range(1, len(census)):
        year_start, year_end = census[i - 1] + 1, census[i]
        scenario_year = first + i - 1
        # Which posts agency workers cover at the year end, preferring those they cover now.
        # Stratified within current cover, so how many posts switch is steady across seeds.
        key = stratified_uniform(rng, group_key(posts.agency, part_time, registered))
        key -= w.number("agency_persistence") * posts.agency
        # Unregistered posts are never covered by agency social workers: rank the others.
        key[~registered] = np.inf
        u = np.ones(n)
        u[np.argsort(key)[:n_registered]] = np.arange(n_registered) + rng.random(n_registered)
        u /= n_registered
        end_agency = registered & (u < w.by_year("agency_share", [scenario_year])[0])
        stay_employed = ~posts.agency & ~end_agency
        leave_u = stratified_uniform(rng, group_key(stay_employed, part_time, registered))
        leaves = np.where(
            stay_employed,
            leave_u < w.by_year("employed_leaving", [scenario_year])[0],
            np.where(
                posts.agency & end_agency,
                rng.random(n) < w.number("agency_churn"),
                posts.agency != end_agency,
            ),
        )
        earliest = np.maximum(year_start, posts.start + 30)
        leaves &= earliest <= year_end
        which = np.flatnonzero(leaves)
        # Leaving days spread evenly through the year (stratified), so how many posts are
        # vacant at the census is steady across seeds.
        spread = stratified_uniform(rng, np.zeros(len(which)))
        day = earliest[which] + np.floor(spread * (year_end - earliest[which] + 1)).astype(np.int64)
        # Agency cover and switches start within a month; an employed post stays vacant for a
        # while. Stratified too, as vacancies at the census weigh on the turnover denominator.
        vacant = ~end_agency[which] & ~posts.agency[which]
        v = stratified_uniform(rng, vacant)
        low, high = int(vacancy.number("low")), int(vacancy.number("high"))
        gap = np.where(vacant, low + np.floor(v * (high - low + 1)), np.floor(v * 31))
        gap = gap.astype(np.int64)
        ended_ids.append(posts.worker[which])
        ended_days.append(day)
        ended_reasons.append(
            np.where(
                posts.agency[which],
                codes(rng, AGENCY_REASONS, len(which)),
                codes(rng, EMPLOYED_REASONS, len(which)),
            )
        )
        new_agency = end_agency[which]
        new_start = day + gap
        posts.worker[which] = records.open(posts, which, new_agency, new_start)
        posts.agency[which] = new_agency
        posts.start[which] = new_start
    # Parts were opened in id order, so concatenating them lines rows up with ids.
    field = {
        k: np.concatenate([p[k] for p in records.parts])
        for k in ("agency", "start", "role", "registered", "fte")
    }
    total = records.count
    left = np.full(total, NEVER, dtype=np.int64)
    reason = np.full(total, "", dtype="U3")
    gone = np.concatenate(ended_ids)
    left[gone] = np.concatenate(ended_days)
    reason[gone] = np.concatenate(ended_reasons)
    worker_id = _worker_ids(rng, field["registered"])
    return Workers(
        worker_id,
        field["agency"],
        field["role"],
        field["registered"],
        field["fte"],
        field["start"],
        left,
        reason,
    )


def _worker_ids(rng: np.random.Generator, registered: Bools) -> npt.NDArray[np.str_]:
    """Registration numbers for registered social workers, local ids for the others."""
    n = len(registered)
    number = rng.choice(900_000, size=n, replace=False) + 100_000
    return np.where(
        registered, np.char.add("SW", number.astype(str)), np.char.add("LA", number.astype(str))
    )


def year_file(
    rng: np.random.Generator, workers: Workers, year: int, scenario: Scenario
) -> pd.DataFrame:
    """The workforce file as at 30 September `year`: everyone in post during the 12 months."""
    census = int(on([year], CENSUS_MONTH, CENSUS_DAY)[0])
    previous = int(on([year - 1], CENSUS_MONTH, CENSUS_DAY)[0])
    present = (workers.start <= census) & (workers.left > previous)
    idx = np.flatnonzero(present)
    in_post = workers.left[idx] > census
    caseload = scenario.workforce.weights("caseload")
    mean = np.zeros(len(idx))
    for role, per_fte in caseload.items():
        mean = np.where(workers.role[idx] == int(role), per_fte * workers.fte[idx], mean)
    cases = rng.poisson(mean)
    return pd.DataFrame(
        {
            "worker_id": workers.worker_id[idx],
            "agency": workers.agency[idx].astype(int),
            "role": workers.role[idx],
            "registered": workers.registered[idx].astype(int),
            "fte": workers.fte[idx],
            "start": workers.start[idx],
            "left": np.where(in_post, NEVER, workers.left[idx]),
            "reason": np.where(in_post, "", workers.reason[idx]),
            "cases": np.where(in_post, cases, -1),
        }
    )
