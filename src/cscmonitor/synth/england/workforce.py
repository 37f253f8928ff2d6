"""The social work workforce of every LA at once: posts filled by employed or agency workers.

As `synth.workforce` does for one LA, with the LA as a column: each year a share of each
LA's registered posts is on agency cover at the year end (preferring posts already on
cover: ranks are taken within the LA), employed workers leave with their LA's propensity
and are replaced after a vacancy, agency assignments end and are renewed. The loop runs
over census years, never over LAs or posts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from cscmonitor.synth.dates import NEVER, Days, on
from cscmonitor.synth.england import params
from cscmonitor.synth.england.las import LAs, Propensities
from cscmonitor.synth.sampling import group_key, stratified_uniform
from cscmonitor.synth.workforce import AGENCY_REASONS, CENSUS_DAY, CENSUS_MONTH, EMPLOYED_REASONS

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float64]
REASONS = sorted(set(EMPLOYED_REASONS) | set(AGENCY_REASONS))


@dataclass(frozen=True)
class Workers:
    """One row per worker (an employment or an agency assignment), with their LA."""

    la: Ints
    worker: Ints  # a national serial number, made into an id when written
    agency: Bools
    role: Ints
    registered: Bools
    fte: Floats
    start: Days
    left: Days
    reason: Ints  # index into REASONS; -1 while in post

    def __len__(self) -> int:
        return len(self.start)


def _posts(las: LAs, props: Propensities, year: int) -> Ints:
    """The LA of each post: FTE per 10,000 children over the mean FTE of a post, by role."""
    column = las.year_index([year])[0]
    fte = props["fte_per_10k"][:, column] * las.population[:, column] / 10_000
    posts = np.maximum(np.rint(fte / (1 - params.PART_TIME * 0.3)), 3).astype(np.int64)
    return np.repeat(np.arange(len(las)), posts)


def simulate(
    rng: np.random.Generator, las: LAs, props: Propensities, first: int, last: int
) -> Workers:
    """Every worker in post at any time from the census of `first` - 1 to that of `last`."""
    la = _posts(las, props, last)
    n = len(la)
    shares = np.array(list(params.ROLE_SHARES.values()), dtype=float)
    role = np.array(list(params.ROLE_SHARES))[
        rng.choice(len(shares), size=n, p=shares / shares.sum())
    ]
    registered = rng.random(n) >= params.UNREGISTERED_SHARE
    role = np.where(registered, role, rng.integers(1, 3, n))
    part_time = stratified_uniform(rng, la) < params.PART_TIME
    fte = np.where(part_time, rng.choice([0.5, 0.6, 0.8, 0.9], n), 1.0)
    n_registered = np.bincount(la, weights=registered, minlength=len(las))

    census = on(np.arange(first - 1, last + 1), CENSUS_MONTH, CENSUS_DAY)
    columns = las.year_index(np.arange(first - 1, last + 1))
    agency_share = props["agency_share"]
    leaving = props["employed_leaving"]
    agency = registered & (stratified_uniform(rng, la) < agency_share[la, columns[0]])
    tenure = np.where(agency, rng.exponential(220, n), rng.exponential(2200, n))
    start = census[0] - np.maximum(tenure.astype(np.int64), 30)
    occupant = np.arange(n)
    records = {
        "la": [la],
        "agency": [agency.copy()],
        "start": [start.copy()],
        "post": [np.arange(n)],
    }
    count = n
    ended: list[tuple[Ints, Days, Ints]] = []
    low, high = params.VACANCY_DAYS
    for i in range(1, len(census)):
        year_start, year_end = census[i - 1] + 1, census[i]
        column = columns[i]
        # Agency cover at the year end, preferring posts on cover now; ranked within the LA.
        key = stratified_uniform(rng, group_key(la, agency, part_time, registered))
        key -= params.AGENCY_PERSISTENCE * agency
        key[~registered] = np.inf
        order = np.lexsort((key, la))
        first_of_la = np.searchsorted(la[order], la[order], side="left")
        rank = np.empty(n)
        rank[order] = np.arange(n) - first_of_la
        u = (rank + rng.random(n)) / np.maximum(n_registered[la], 1)
        end_agency = registered & (u < agency_share[la, column])
        stay_employed = ~agency & ~end_agency
        leave_u = stratified_uniform(rng, group_key(la, stay_employed, part_time, registered))
        leaves = np.where(
            stay_employed,
            leave_u < leaving[la, column],
            np.where(
                agency & end_agency, rng.random(n) < params.AGENCY_CHURN, agency != end_agency
            ),
        )
        earliest = np.maximum(year_start, start + 30)
        leaves &= earliest <= year_end
        leaves |= _one_each(la, len(las), leave_u, ~leaves & (earliest <= year_end), leaves)
        which = np.flatnonzero(leaves)
        spread = stratified_uniform(rng, la[which])
        day = earliest[which] + np.floor(spread * (year_end - earliest[which] + 1)).astype(np.int64)
        vacant = ~end_agency[which] & ~agency[which]
        v = stratified_uniform(rng, group_key(la[which], vacant))
        gap = np.where(vacant, low + np.floor(v * (high - low + 1)), np.floor(v * 31))
        employed_reason = _reasons(rng, EMPLOYED_REASONS, len(which))
        agency_reason = _reasons(rng, AGENCY_REASONS, len(which))
        ended.append(
            (occupant[which], day, np.where(agency[which], agency_reason, employed_reason))
        )
        new_agency = end_agency[which]
        new_start = day + gap.astype(np.int64)
        occupant[which] = count + np.arange(len(which))
        count += len(which)
        records["la"].append(la[which])
        records["agency"].append(new_agency)
        records["start"].append(new_start)
        records["post"].append(which)
        agency[which] = new_agency
        start[which] = new_start
    post = np.concatenate(records["post"])
    left = np.full(count, NEVER, dtype=np.int64)
    reason = np.full(count, -1, dtype=np.int64)
    gone = np.concatenate([e[0] for e in ended])
    left[gone] = np.concatenate([e[1] for e in ended])
    reason[gone] = np.concatenate([e[2] for e in ended])
    return Workers(
        la=np.concatenate(records["la"]),
        worker=np.arange(count),
        agency=np.concatenate(records["agency"]),
        role=role[post],
        registered=registered[post],
        fte=fte[post],
        start=np.concatenate(records["start"]),
        left=left,
        reason=reason,
    )


def _one_each(la: Ints, n_las: int, key: Floats, eligible: Bools, leaves: Bools) -> Bools:
    """In each LA where nobody leaves in the year, one eligible worker (lowest key) who does.

    Ingest dates a workforce file by its latest date, so each year's file must hold a date
    of its year: only the smallest LAs (a handful of posts) would otherwise go a year
    without a leaver.
    """
    quiet = np.bincount(la[leaves], minlength=n_las) == 0
    ranked = np.where(eligible & quiet[la], key, np.inf)
    order = np.lexsort((ranked, la))
    first = order[
        np.searchsorted(la[order], np.arange(n_las))[np.bincount(la, minlength=n_las) > 0]
    ]
    chosen = np.zeros(len(la), dtype=bool)
    chosen[first[np.isfinite(ranked[first])]] = True
    return chosen


def _reasons(rng: np.random.Generator, weights: dict[str, int], n: int) -> Ints:
    p = np.array(list(weights.values()), dtype=float)
    codes = np.array([REASONS.index(k) for k in weights])
    return codes[rng.choice(len(p), size=n, p=p / p.sum())]


def year_rows(rng: np.random.Generator, workers: Workers, year: int) -> dict[str, npt.NDArray]:
    """The workforce file as at 30 September `year`: everyone in post during the 12 months."""
    census = int(on([year], CENSUS_MONTH, CENSUS_DAY)[0])
    previous = int(on([year - 1], CENSUS_MONTH, CENSUS_DAY)[0])
    idx = np.flatnonzero((workers.start <= census) & (workers.left > previous))
    in_post = workers.left[idx] > census
    mean = np.zeros(len(idx))
    for role, per_fte in params.CASELOAD.items():
        mean = np.where(workers.role[idx] == role, per_fte * workers.fte[idx], mean)
    return {
        "index": idx,
        "in_post": in_post,
        "cases": np.where(in_post, rng.poisson(mean), -1),
    }
