"""Records the newer return formats add: the 903's social worker episodes (from 2023-24) and
deprivation of liberty orders (2026-27), and the CIN census's pre-proceedings (2026-27).

Each is drawn from what the simulation already holds (periods of care, placements, child
protection plans), so the new tables agree with the old ones: a social worker episode lies
within a period of care, an order within a children's home placement, pre-proceedings
within a child protection plan.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from cscmonitor.synth.care import Periods
from cscmonitor.synth.dates import NEVER, Days, birthday
from cscmonitor.synth.referrals import Referrals
from cscmonitor.synth.sampling import codes, stratified_uniform, uniform_days
from cscmonitor.synth.scenario import Section

Ints = npt.NDArray[np.int64]


def social_worker_episodes(
    rng: np.random.Generator,
    section: Section,
    periods: Periods,
    last_day: int,
    social_workers: npt.NDArray[np.str_],
) -> pd.DataFrame:
    """One row per allocated social worker of a period of care: child, sw_id (one of
    `social_workers`, the workforce's case holders), start, end, reason (why the worker
    changed; blank for the last)."""
    start = periods.start
    end = np.minimum(periods.end, last_day + 1)
    years = np.maximum(end - start, 1) / 365.25
    changes = rng.poisson(section.number("changes_per_year") * years)
    owner = np.repeat(np.arange(len(start)), changes + 1)
    first = np.r_[0, np.cumsum(changes + 1)[:-1]]
    # Change days spread uniformly through the period, sorted within it.
    u = rng.random(len(owner))
    u[first] = 0.0
    order = np.lexsort((u, owner))
    u = u[order]
    day = start[owner] + np.floor(u * (end[owner] - start[owner])).astype(np.int64)
    last = np.r_[owner[1:] != owner[:-1], True]
    until = np.where(last, periods.end[owner], np.r_[day[1:], 0])
    keep = until > day  # two changes on one day: the first never held the case
    reason = codes(rng, section.weights("reasons"), len(owner))
    frame = pd.DataFrame(
        {
            "child": periods.child[owner],
            "sw_id": social_workers[rng.integers(0, len(social_workers), len(owner))],
            "start": day,
            "end": until,
            "reason": np.where(last, "", reason),
        }
    )
    return frame[keep].reset_index(drop=True)


def pre_proceedings(rng: np.random.Generator, section: Section, r: Referrals) -> pd.DataFrame:
    """Pre-proceedings of child protection plans: one row per referral that has them, with
    every date (NEVER where it has not happened) and the outcome (A: care proceedings issued,
    B: stepped down)."""
    plans = np.flatnonzero(r.plan_start < NEVER)
    u = stratified_uniform(rng, np.zeros(len(plans)))
    chosen = plans[u < section.number("of_plans")]
    n = len(chosen)
    plan_days = np.maximum(r.plan_end[chosen] - r.plan_start[chosen], 30)
    # Some way into the plan: within its first half.
    start = r.plan_start[chosen] + (rng.random(n) * plan_days // 2).astype(np.int64)

    def later(base: Days, key: str) -> Days:
        span = section.section(key)
        return base + uniform_days(rng, np.full(n, int(span.number("low"))), span.number("high"))

    letter = later(start, "letter_days")
    meeting = later(letter, "meeting_days")
    offered = rng.random(n) < section.number("fgdm_offered")
    held = offered & (rng.random(n) < section.number("fgdm_held"))
    decision = later(start, "decision_days")
    decision = np.maximum(decision, meeting + 1)
    reviews = np.maximum((decision - meeting) // int(section.number("review_every_days")), 0)
    issued = rng.random(n) < section.number("issued")
    court = np.where(issued, later(decision, "court_days"), NEVER)
    letter_court = np.where(issued, later(court, "letter_after_court_days"), NEVER)
    return pd.DataFrame(
        {
            "referral": chosen,
            "start": start,
            "letter": letter,
            "offered": offered.astype(int),
            "facilitated": held.astype(int),
            "meeting": meeting,
            "reviews": reviews,
            "decision": decision,
            "outcome": np.where(issued, "A", "B"),
            "court": court,
            "court_letter": letter_court,
        }
    )


def deprivation_of_liberty(
    rng: np.random.Generator, section: Section, episodes: pd.DataFrame, dob: Days
) -> pd.DataFrame:
    """Deprivation of liberty orders: child, start, end, within children's home placements
    of children aged 10 or more."""
    home = episodes[episodes["place"].to_numpy() == "K2"]
    child = home["child"].to_numpy()
    decom = home["decom"].to_numpy()
    dec = home["dec"].to_numpy()
    old_enough = birthday(dob[child], 10) <= decom
    long_enough = dec - decom > 60
    u = stratified_uniform(rng, np.zeros(len(home)))
    chosen = old_enough & long_enough & (u < section.number("of_children"))
    child, decom, dec = child[chosen], decom[chosen], dec[chosen]
    n = len(child)
    start = decom + (rng.random(n) * np.minimum(dec - decom - 30, 120)).astype(np.int64)
    span = section.section("order_days")
    length = uniform_days(rng, np.full(n, int(span.number("low"))), span.number("high"))
    return pd.DataFrame({"child": child, "start": start, "end": np.minimum(start + length, dec)})
