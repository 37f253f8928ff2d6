"""The SSDA903's other tables, drawn from the periods of care: looked-after reviews, missing
episodes, care leavers' OC3 records, adoption (AD1) and decisions to place for adoption.

Shares that an indicator measures are drawn with stratified uniforms within the group the
indicator counts (a scenario year, a 903 year), so they land on the scenario's value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from cscmonitor.synth.care import Periods, ShortBreaks
from cscmonitor.synth.dates import Days, birthday, on, working_days_after, year_starting
from cscmonitor.synth.sampling import codes, group_key, ordered_days_within, stratified_uniform
from cscmonitor.synth.scenario import Scenario, Section

Ints = npt.NDArray[np.int64]
# OC3 records are kept for care leavers at these birthdays (the 19-21 cohort of CL_EET).
OC3_AGES = (19, 20, 21)
# Relevant children: looked after for 13 weeks after their 14th birthday, leaving at 16 or 17.
RELEVANT_DAYS = 91


@dataclass(frozen=True)
class CareRecords:
    """The tables as day-numbered frames, one row per record (`child` indexes the children)."""

    reviews: pd.DataFrame  # child, date, code
    missing: pd.DataFrame  # child, kind (M or A), start, end
    leavers: pd.DataFrame  # child, birthday, in_touch, activity, accommodation
    adoption: pd.DataFrame  # child, adopted, decision, match, foster_care, adopters, sex, status
    decisions: pd.DataFrame  # child, decision, end (the period of care's end)


def simulate(
    rng: np.random.Generator,
    scenario: Scenario,
    section: Section,
    periods: Periods,
    breaks: ShortBreaks,
    dob: Days,
    last_day: int,
) -> CareRecords:
    """Every record of the five tables over the simulated span (to `last_day`)."""
    adoption, decisions = _adoption(rng, section.section("adoption"), periods)
    return CareRecords(
        reviews=_reviews(rng, scenario, section.section("reviews"), periods, breaks, dob, last_day),
        missing=_missing(rng, scenario, section, periods, dob, last_day),
        leavers=_leavers(rng, section.section("care_leavers"), periods, dob),
        adoption=adoption,
        decisions=decisions,
    )


def _rank_within(count: Ints) -> tuple[Ints, Ints, Ints]:
    """Rows repeated `count` times: (owner, rank within owner, first row of each owner)."""
    first = np.r_[0, np.cumsum(count)[:-1]].astype(np.int64)
    owner = np.repeat(np.arange(len(count)), count)
    return owner, np.arange(len(owner)) - first[owner], first


def _between(rng: np.random.Generator, low: int, high: int, n: int) -> Ints:
    return rng.integers(low, high + 1, n).astype(np.int64)


def _reviews(
    rng: np.random.Generator,
    scenario: Scenario,
    spec: Section,
    periods: Periods,
    breaks: ShortBreaks,
    dob: Days,
    last_day: int,
) -> pd.DataFrame:
    """Reviews of every period of care and agreed series of short breaks (V3).

    The first within 20 working days of the start, the second within 3 months, later ones
    within 6 months; in periods drawn as late (per scenario year of the start), one of the
    first three comes late. V4 breaks (an episode per break) have no reviews in the return.
    """
    v3 = breaks.kind == 3
    child = np.r_[periods.child, breaks.child[v3]]
    start = np.r_[periods.start, breaks.start[v3]]
    end = np.minimum(np.r_[periods.end, breaks.end[v3]], last_day + 1)
    n = len(start)
    year = year_starting(start, *scenario.year_start)
    late = stratified_uniform(rng, year) >= spec.by_year("timely", year)
    late_at = rng.integers(0, 3, n)
    first = working_days_after(
        start, np.where(late & (late_at == 0), _between(rng, 22, 40, n), _between(rng, 8, 20, n))
    )
    # Enough rows for reviews every 120 days; those after the period's end are dropped.
    owner, rank, first_row = _rank_within(2 + np.maximum(end - start, 0) // 120)
    k = len(owner)
    delayed = late[owner] & (late_at[owner] == rank)
    # 89 days is within 3 calendar months from any date, 181 within 6.
    gap = np.where(
        rank == 1,
        np.where(delayed, _between(rng, 95, 130, k), _between(rng, 60, 89, k)),
        np.where(delayed, _between(rng, 190, 230, k), _between(rng, 120, 181, k)),
    )
    gap[rank == 0] = 0
    total = np.cumsum(gap)
    date = first[owner] + total - total[first_row][owner]
    keep = date < end[owner]
    owner, date = owner[keep], date[keep]
    who = child[owner]
    under_4 = date < birthday(dob[who], 4)
    code = np.where(under_4, "PN0", codes(rng, spec.weights("participation"), len(date)))
    return pd.DataFrame({"child": who, "date": date, "code": code})


def _missing(
    rng: np.random.Generator,
    scenario: Scenario,
    section: Section,
    periods: Periods,
    dob: Days,
    last_day: int,
) -> pd.DataFrame:
    """Missing (M) and away without authorisation (A) episodes, inside periods of care."""
    parts = [
        _missing_kind(rng, scenario, section.section(key), kind, periods, dob, last_day)
        for key, kind in (("missing", "M"), ("away", "A"))
    ]
    frame = pd.concat(parts, ignore_index=True)
    frame = frame.sort_values(["child", "start"], kind="stable")
    frame = frame.drop_duplicates(["child", "start"]).reset_index(drop=True)
    # An episode ends by the time the next one starts, and by the end of care.
    child = frame["child"].to_numpy()
    start = frame["start"].to_numpy()
    following = np.r_[child[1:] == child[:-1], False]
    next_start = np.where(following, np.r_[start[1:], 0], np.iinfo(np.int64).max)
    end = np.minimum(np.minimum(frame["end"].to_numpy(), next_start), frame["care_end"].to_numpy())
    return frame.assign(end=end).drop(columns="care_end")


def _missing_kind(
    rng: np.random.Generator,
    scenario: Scenario,
    spec: Section,
    kind: str,
    periods: Periods,
    dob: Days,
    last_day: int,
) -> pd.DataFrame:
    """Episodes of one kind: per scenario year, a stratified share of children in care
    (more of the older ones) have one or more."""
    month, day_of_month = scenario.year_start
    last = np.minimum(periods.end - 1, last_day)
    y0 = year_starting(periods.start, month, day_of_month)
    y1 = year_starting(np.maximum(last, periods.start), month, day_of_month)
    count = np.where(last >= periods.start, y1 - y0 + 1, 0)
    period, rank, _ = _rank_within(count)
    year = y0[period] + rank
    low = np.maximum(periods.start[period], on(year, month, day_of_month))
    high = np.minimum(last[period], on(year + 1, month, day_of_month) - 1)
    child = periods.child[period]
    age = np.floor((low - dob[child]) / 365.25).astype(np.int64)
    weights = spec.weights("age_weights")
    bounds = np.array([int(b) for b in weights])
    order = np.argsort(bounds)
    bounds, weight_of = bounds[order], np.array(list(weights.values()))[order]
    band = np.clip(np.searchsorted(bounds, age, side="right") - 1, 0, len(bounds) - 1)
    weight = weight_of[band]
    index = year - year.min(initial=0)
    mean = np.bincount(index, weight) / np.maximum(np.bincount(index), 1)
    p = np.minimum(spec.by_year("children", year) * weight / mean[index], 1.0)
    chosen = np.flatnonzero(stratified_uniform(rng, group_key(index, band)) < p)
    how_many = rng.geometric(1 / spec.number("episodes_per_child"), len(chosen)).astype(np.int64)
    owner, start = ordered_days_within(rng, chosen, how_many, low[chosen], high[chosen])
    nights = codes(rng, spec.weights("nights"), len(start)).astype(np.int64)
    return pd.DataFrame(
        {
            "child": child[owner],
            "kind": kind,
            "start": start,
            "end": start + nights,
            "care_end": periods.end[period[owner]],
        }
    )


def _leavers(rng: np.random.Generator, spec: Section, periods: Periods, dob: Days) -> pd.DataFrame:
    """OC3 records at the 19th, 20th and 21st birthdays of relevant care leavers.

    A care leaver is a child whose last period of care ended at 16 or later after 13 weeks in
    care since their 14th birthday. Shares are stratified within the 903 year (April-March)
    holding the birthday; EET and suitable accommodation are shares of the whole cohort.
    """
    order = np.lexsort((periods.start, periods.child))
    child_sorted = periods.child[order]
    final = order[np.r_[child_sorted[1:] != child_sorted[:-1], True]]
    child = periods.child[final]
    start, end = periods.start[final], periods.end[final]
    since_14 = end - np.maximum(start, birthday(dob[child], 14))
    eligible = (end >= birthday(dob[child], 16)) & (since_14 >= RELEVANT_DAYS)
    eligible &= periods.rec[final] != "E2"
    leaver = child[eligible]
    who = np.tile(leaver, len(OC3_AGES))
    day = np.concatenate([birthday(dob[leaver], a) for a in OC3_AGES])
    n = len(who)
    year = year_starting(day, 4, 1)
    index = year - year.min(initial=0)

    touch = spec.weights("in_touch")
    p_yes = touch["YES"] / sum(touch.values())
    yes = stratified_uniform(rng, index) < p_yes
    others = {k: v for k, v in touch.items() if k != "YES"}
    in_touch = np.where(yes, "YES", codes(rng, others, n))
    among_yes = group_key(index, yes)
    eet = yes & (stratified_uniform(rng, among_yes) < min(spec.number("eet") / p_yes, 1.0))
    suitable = yes & (
        stratified_uniform(rng, among_yes) < min(spec.number("suitable") / p_yes, 1.0)
    )
    activity = np.where(
        eet,
        codes(rng, spec.weights("eet_activities"), n),
        codes(rng, spec.weights("neet_activities"), n),
    )
    accommodation = np.where(
        suitable,
        codes(rng, spec.weights("suitable_accommodation"), n),
        codes(rng, spec.weights("unsuitable_accommodation"), n),
    )
    return pd.DataFrame(
        {
            "child": who,
            "birthday": day,
            "in_touch": in_touch,
            "activity": np.where(yes, activity, "0"),
            "accommodation": np.where(yes, accommodation, "0"),
        }
    )


def _adoption(
    rng: np.random.Generator, spec: Section, periods: Periods
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """AD1 for each adopted child, and the agency decision that they should be placed."""
    adopted = np.flatnonzero(periods.adoption)
    n = len(adopted)
    order_day = periods.placement_order[adopted]
    placed = periods.placed_for_adoption[adopted]
    before = spec.section("decision_before_order")
    decision = np.maximum(
        order_day - _between(rng, int(before.number("low")), int(before.number("high")), n),
        periods.start[adopted] + 7,
    )
    lead = spec.section("match_before_placement")
    # Placements follow the placement order by 30 days or more, so the match comes after it.
    match = placed - _between(rng, int(lead.number("low")), int(lead.number("high")), n)
    couple = rng.random(n) < spec.number("couples")
    sex = np.where(
        couple, codes(rng, spec.weights("couple_sex"), n), codes(rng, spec.weights("single_sex"), n)
    )
    married = rng.random(n)
    status = np.where(
        ~couple,
        "L0",
        np.where(
            sex == "MF",
            np.where(married < 0.75, "L11", "L2"),
            np.where(married < 0.6, "L12", "L2"),
        ),
    )
    child = periods.child[adopted]
    adoption = pd.DataFrame(
        {
            "child": child,
            "adopted": periods.end[adopted],
            "decision": decision,
            "match": match,
            # Placed with their own foster carers (A5): adopted by them.
            "foster_care": np.where(periods.adoption_place[adopted] == "A5", "1", "0"),
            "adopters": np.where(couple, "2", "1"),
            "sex": sex,
            "status": status,
        }
    )
    decisions = pd.DataFrame({"child": child, "decision": decision, "end": periods.end[adopted]})
    return adoption, decisions
