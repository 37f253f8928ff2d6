"""Early help episodes (docs/early_help.md), some joined to children's social care referrals.

Episodes are drawn by the year they close in. Those stepped up to social care end on the day
of a real referral of the child in the CIN census; a share of those closed with needs met
belong to a child referred within the next 12 months (the `EH_REREF` numerator). The others
are children early help alone knew, with ids of their own. An episode never overlaps the
child's open social care case or another episode of theirs.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from cscmonitor.synth.children import Children
from cscmonitor.synth.dates import on, year_starting
from cscmonitor.synth.referrals import Referrals
from cscmonitor.synth.sampling import codes, lognormal_days, uniform_days
from cscmonitor.synth.scenario import Scenario, Section

Ints = npt.NDArray[np.int64]
NEEDS_MET, STEP_UP = "NEEDS_MET", "STEP_UP"
# Episodes closing this long after the simulated span are drawn, so the last return holds
# the long ones still open at its year end.
TAIL_DAYS = 730


def simulate(
    rng: np.random.Generator,
    scenario: Scenario,
    spec: Section,
    r: Referrals,
    children: Children,
    first_day: int,
    last_day: int,
) -> pd.DataFrame:
    """Episodes closing from `first_day` on, one row each, with the child's id and birth date.

    Dates are day numbers; `closure` may lie beyond `last_day` (open in every return).
    """
    month, day_of_month = scenario.year_start
    years = np.arange(
        year_starting(np.array([first_day]), month, day_of_month)[0],
        year_starting(np.array([last_day + TAIL_DAYS]), month, day_of_month)[0] + 1,
    )
    lo = np.maximum(on(years, month, day_of_month), first_day)
    hi = np.minimum(on(years + 1, month, day_of_month) - 1, last_day + TAIL_DAYS)
    # Closures per year, in proportion to the part of the year inside the span.
    closed = spec.by_year("closed_per_year", years) * (hi - lo + 1) / 365.25
    reasons = spec.weights("closure_reasons")
    total = sum(reasons.values())
    share = {k: v / total for k, v in reasons.items()}
    linked_share = share[NEEDS_MET] * spec.number("referred_after_needs_met")

    known = _referral_windows(r, children)
    in_span = (r.date >= first_day) & (r.date <= last_day)
    step_up = _linked(
        rng,
        spec,
        known,
        in_span,
        years,
        np.rint(closed * share[STEP_UP]),
        (0, 0),
        (month, day_of_month),
    )
    unused = in_span.copy()
    unused[step_up["referral"].to_numpy()] = False
    needs_met = _linked(
        rng,
        spec,
        known,
        unused,
        years,
        np.rint(closed * linked_share),
        (14, 350),
        (month, day_of_month),
    )
    linked = pd.concat(
        [step_up.assign(reason=STEP_UP), needs_met.assign(reason=NEEDS_MET)], ignore_index=True
    )
    linked_child = r.child[linked["referral"].to_numpy()]
    linked = linked.assign(
        child_id=children.child_id[linked_child], dob=children.dob[linked_child]
    ).drop(columns="referral")

    # Everything else: children known only to early help.
    year_of = year_starting(linked["closure"].to_numpy(), month, day_of_month)
    linked_needs_met = np.bincount(
        np.searchsorted(years, year_of[linked["reason"].to_numpy() == NEEDS_MET]),
        minlength=len(years),
    )
    counts = {
        k: np.rint(closed * share[k]) - (linked_needs_met if k == NEEDS_MET else 0)
        for k in reasons
        if k != STEP_UP
    }
    per_year = np.array([np.maximum(c, 0) for c in counts.values()], dtype=np.int64)
    reason = np.repeat(np.repeat(np.array(list(counts)), len(years)), per_year.ravel())
    year_index = np.repeat(np.tile(np.arange(len(years)), len(counts)), per_year.ravel())
    n = len(reason)
    closure = uniform_days(rng, lo[year_index], hi[year_index])
    request = closure - _episode_days(rng, spec, n)
    age = codes(rng, _ages(spec), n).astype(np.int64)
    dob = request - np.floor(age * 365.25).astype(np.int64) - rng.integers(0, 365, n)
    # Ids of eight digits: never a CIN child's (seven digits).
    child_id = (rng.choice(90_000_000, size=n, replace=False) + 10_000_000).astype(str)
    alone = pd.DataFrame(
        {"request": request, "closure": closure, "reason": reason, "child_id": child_id, "dob": dob}
    )

    episodes = pd.concat([linked, alone], ignore_index=True)
    return _assess(rng, spec, episodes)


def _ages(spec: Section) -> dict[str, float]:
    return {str(age): w for age, w in enumerate(spec.numbers("age_at_request"))}


def _episode_days(rng: np.random.Generator, spec: Section, n: int) -> Ints:
    return lognormal_days(
        rng, spec.number("episode_days"), spec.number("episode_sigma"), n, 28, 1000
    )


def _referral_windows(r: Referrals, children: Children) -> pd.DataFrame:
    """Per referral: the earliest day an episode before it may start (after the child's
    previous case closed, and not before birth), and its year."""
    order = np.lexsort((r.date, r.child))
    same = np.r_[False, r.child[order][1:] == r.child[order][:-1]]
    previous_closure = np.full(len(r), np.iinfo(np.int64).min)
    previous_closure[order[same]] = r.closure[order[np.flatnonzero(same) - 1]]
    earliest = np.maximum(previous_closure + 1, children.dob[r.child])
    return pd.DataFrame({"date": r.date, "earliest": earliest})


def _linked(
    rng: np.random.Generator,
    spec: Section,
    known: pd.DataFrame,
    allowed: npt.NDArray[np.bool_],
    years: Ints,
    wanted: npt.NDArray[np.float64],
    gap: tuple[int, int],
    year_start: tuple[int, int],
) -> pd.DataFrame:
    """Episodes closing `gap` days before a referral: `wanted` per year of closure, drawn
    among the referrals with room for the episode before them."""
    n = len(known)
    date = known["date"].to_numpy()
    closure = date - uniform_days(rng, np.full(n, gap[0]), gap[1])
    request = closure - _episode_days(rng, spec, n)
    year_of = year_starting(closure, *year_start)
    year = np.clip(np.searchsorted(years, year_of), 0, len(years) - 1)
    ok = allowed & (request >= known["earliest"].to_numpy()) & (years[year] == year_of)
    candidates = np.flatnonzero(ok)
    order = np.lexsort((rng.random(len(candidates)), year[candidates]))
    candidates = candidates[order]
    group = year[candidates]
    first = np.searchsorted(group, group)
    rank = np.arange(len(candidates)) - first
    chosen = candidates[rank < wanted[group]]
    return pd.DataFrame(
        {"referral": chosen, "request": request[chosen], "closure": closure[chosen]}
    )


def _assess(rng: np.random.Generator, spec: Section, episodes: pd.DataFrame) -> pd.DataFrame:
    """Early help assessments (started after the request, completed by the closure) and the
    lead agency."""
    n = len(episodes)
    request = episodes["request"].to_numpy()
    closure = episodes["closure"].to_numpy()
    delay = spec.section("assessment_start_days")
    start = request + uniform_days(
        rng, np.full(n, int(delay.number("low"))), int(delay.number("high"))
    )
    done = start + lognormal_days(
        rng, spec.number("assessment_days"), spec.number("assessment_sigma"), n, 1, 200
    )
    assessed = (rng.random(n) < spec.number("assessed")) & (start <= closure)
    return episodes.assign(
        assessment_start=np.where(assessed, start, -1),
        assessment_done=np.where(assessed, np.minimum(done, closure), -1),
        agency=codes(rng, spec.weights("lead_agency"), n),
    )[
        [
            "child_id",
            "dob",
            "request",
            "assessment_start",
            "assessment_done",
            "agency",
            "closure",
            "reason",
        ]
    ]
