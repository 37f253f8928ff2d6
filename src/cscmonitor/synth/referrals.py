"""Referrals and what follows them: chains of referrals per child, assessments, section 47
enquiries, child protection plans, and entries to care.

Every referral date is drawn first. Each referral is then a re-referral with the propensity
of its own scenario year (stratified within the year), and is attached to a predecessor
referral of the same child within the 12 months before it; other referrals are new children
or children whose last referral was more than 12 months earlier. A predecessor must be closed
before the new referral and must not already have a successor, so a child's referrals form
one chain in date order and the chain's previous link is the child's latest earlier referral.

Outcomes depend on the child's history (a child who had a plan here before is in its own
stratum with its own plan propensity), so chains are built in rounds: a round attaches
referrals to predecessors whose outcomes are known, then settles the new referrals' outcomes,
which opens them as predecessors for the next round.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np
import numpy.typing as npt

from cscmonitor.synth import care, factors
from cscmonitor.synth.dates import (
    NEVER,
    Days,
    add_months,
    birthday,
    day,
    earliest_within_12_months,
    working_days_after,
    year_starting,
)
from cscmonitor.synth.sampling import (
    codes,
    group_key,
    lognormal_days,
    stratified_uniform,
    uniform_days,
)
from cscmonitor.synth.scenario import Scenario

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Text = npt.NDArray[np.str_]

NEW, REREFERRAL, RETURNING = 0, 1, 2
# What a referral led to; the order is the order of the bands on one stratified uniform.
PLAN, S47_NO_PLAN, CARE, CIN_PLAN, NOT_IN_NEED, NFA = range(6)
ROUNDS = 8
# Factors written per assessment at most (c3 implies 2.6 to 2.8 on average).
MOST_FACTORS = 8
# The number of codes the scenarios once listed for factors drawn uniformly (see `_factors`).
FORMER_FACTOR_CODES = 28
MATCH_TRIES = 16
# No re-referral in a child's last months before 18: their case would close at 18 anyway.
LAST_REFERRAL_BEFORE_18 = 150
CARE_CLOSURE = {
    "E11": "RC1",
    "E12": "RC1",
    "E45": "RC4",
    "E46": "RC4",
    "E47": "RC4",
    "E48": "RC4",
    "E41": "RC3",
    "E3": "RC5",
    "E7": "RC6",
}


@dataclass
class Referrals:
    """One row per referral, sorted by referral date; NEVER marks an event that did not happen."""

    date: Days
    year: Ints
    kind: Ints
    child: Ints = field(init=False)
    predecessor: Ints = field(init=False)
    outcome: Ints = field(init=False)
    source: Text = field(init=False)
    need: Text = field(init=False)
    closure: Days = field(init=False)
    closure_reason: Text = field(init=False)
    assessment_start: Days = field(init=False)
    assessment_authorised: Days = field(init=False)
    factors: Text = field(init=False)
    s47_start: Days = field(init=False)
    icpc: Days = field(init=False)
    icpc_target: Days = field(init=False)
    cin_plan_start: Days = field(init=False)
    cin_plan_end: Days = field(init=False)
    plan_start: Days = field(init=False)
    plan_end: Days = field(init=False)
    plans_before: Ints = field(init=False)
    elsewhere_plans: Ints = field(init=False)
    previous_plans: Ints = field(init=False)
    initial_category: Text = field(init=False)
    latest_category: Text = field(init=False)
    short_breaks: Ints = field(init=False)
    short_breaks_start: Days = field(init=False)
    short_breaks_end: Days = field(init=False)

    def __post_init__(self) -> None:
        n = len(self.date)
        for f in fields(self):
            if not f.init:
                setattr(self, f.name, _blank(str(f.type), f.name, n))

    def __len__(self) -> int:
        return len(self.date)

    @property
    def nfa(self) -> Bools:
        return self.outcome == NFA


def _blank(kind: str, name: str, n: int) -> npt.NDArray[np.generic]:
    if kind == "Text":
        return np.full(n, "", dtype="U40" if name == "factors" else "U24")
    if kind == "Days":
        return np.full(n, NEVER, dtype=np.int64)
    # Links and outcomes are -1 until settled; counts start at 0.
    return np.full(n, -1 if name in ("child", "predecessor", "outcome") else 0, dtype=np.int64)


@dataclass(frozen=True)
class Reviews:
    referral: Ints
    date: Days


@dataclass(frozen=True)
class Simulated:
    referrals: Referrals
    child_dob: Days
    reviews: Reviews
    periods: care.Periods


def simulate(rng: np.random.Generator, scenario: Scenario) -> Simulated:
    """Referral chains and their outcomes over the whole simulated span."""
    return _Simulation(rng, scenario).run()


def referral_dates(rng: np.random.Generator, scenario: Scenario) -> Days:
    """Referral dates through each scenario year, fewer at weekends, sorted."""
    section = scenario.referrals
    first, last = day(scenario.simulate_from), day(scenario.simulate_to)
    all_days = np.arange(first, last + 1, dtype=np.int64)
    weekday = (all_days + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    weight = np.where(weekday >= 5, section.number("weekend_weight"), 1.0)
    year = year_starting(all_days, *scenario.year_start)
    drawn = []
    for y in np.unique(year):
        in_year = year == y
        # A part year (at the ends of the span) gets its share of the year's referrals.
        count = rng.poisson(float(section.by_year("per_year", [y])[0]) * in_year.sum() / 365.25)
        w = weight[in_year]
        drawn.append(rng.choice(all_days[in_year], size=count, p=w / w.sum()))
    return np.sort(np.concatenate(drawn))


class _Simulation:
    def __init__(self, rng: np.random.Generator, scenario: Scenario) -> None:
        self.rng = rng
        # Factors have their own stream (a child of the shared one: spawning draws nothing).
        (self.factor_rng,) = rng.spawn(1)
        self.sc = scenario
        self.ref_section = scenario.referrals
        self.out = scenario.outcomes
        dates = referral_dates(rng, scenario)
        year = year_starting(dates, *scenario.year_start)
        n = len(dates)
        u = stratified_uniform(rng, year)
        rereferral = u < self.ref_section.by_year("rereferral", year)
        u = stratified_uniform(rng, group_key(year - year.min(), rereferral))
        returning = ~rereferral & (u < self.ref_section.by_year("returning", year))
        kind = np.where(rereferral, REREFERRAL, np.where(returning, RETURNING, NEW))
        self.r = Referrals(dates, year, kind.astype(np.int64))
        # Whether a referral of a known child is about one who had a plan here before: a
        # propensity per kind, so that the repeat-plan stratum has a steady size.
        u = stratified_uniform(rng, group_key(year - year.min(), kind))
        share = np.where(
            kind == REREFERRAL,
            self.ref_section.by_year("had_plan_rereferral", year),
            self.ref_section.by_year("had_plan_returning", year),
        )
        self.had_plan = (kind != NEW) & (u < share)
        waves = np.array(self.ref_section.numbers("waves"), dtype=float)
        self.wave = 1 + np.searchsorted(np.cumsum(waves / waves.sum()), rng.random(n))
        self.resolved = np.zeros(n, dtype=bool)
        self.successor = np.full(n, -1, dtype=np.int64)
        self.child_dob = np.full(n, NEVER, dtype=np.int64)
        self.children = 0
        self.review_parts: list[tuple[Ints, Days]] = []
        self.period_parts: list[care.Periods] = []

    def run(self) -> Simulated:
        r = self.r
        self._settle(self._new_children(np.flatnonzero(r.kind == NEW)))
        for round_no in range(1, ROUNDS + 1):
            waiting = np.flatnonzero(~self.resolved & (self.wave <= round_no))
            matched = self._attach(waiting, strict=round_no < ROUNDS)
            self._settle(matched)
        # Too early in the span (or too crowded) to find a predecessor: a new child after all.
        leftover = np.flatnonzero(~self.resolved)
        r.kind[leftover] = NEW
        self._settle(self._new_children(leftover))
        reviews = Reviews(
            np.concatenate([p[0] for p in self.review_parts]),
            np.concatenate([p[1] for p in self.review_parts]),
        )
        order = np.lexsort((reviews.date, reviews.referral))
        reviews = Reviews(reviews.referral[order], reviews.date[order])
        return Simulated(
            r, self.child_dob[: self.children], reviews, care.Periods.concatenate(self.period_parts)
        )

    def _new_children(self, idx: Ints) -> Ints:
        """Give each referral a new child with a date of birth from the age-at-referral profile."""
        r = self.r
        n = len(idx)
        weights = np.array(self.ref_section.numbers("age_at_first_referral"), dtype=float)
        age = self.rng.choice(len(weights), size=n, p=weights / weights.sum())
        age_days = np.floor((age + self.rng.random(n)) * 365.25).astype(np.int64)
        dob = r.date[idx] - age_days
        # Nobody is referred in their last months before 18 (see LAST_REFERRAL_BEFORE_18).
        too_old = birthday(dob, 18) - LAST_REFERRAL_BEFORE_18 <= r.date[idx]
        dob[too_old] = add_months(r.date[idx][too_old], -12 * 17)
        dob = np.minimum(dob, r.date[idx])
        ids = self.children + np.arange(n)
        self.child_dob[ids] = dob
        self.children += n
        r.child[idx] = ids
        return idx

    def _attach(self, waiting: Ints, strict: bool) -> Ints:
        """Find each waiting referral a predecessor (vectorised rounds of draws); return matched.

        While `strict`, a referral that is to be about a child who had a plan here before only
        takes a predecessor from such a child's chain, and the others only from other chains.
        """
        r = self.r
        rng = self.rng
        if len(waiting) == 0:
            return waiting
        date = r.date[waiting]
        window_12 = earliest_within_12_months(date)
        rereferral = r.kind[waiting] == REREFERRAL
        lookback = int(self.ref_section.number("returning_lookback_years"))
        low = np.where(rereferral, window_12, add_months(date, -12 * lookback))
        high = np.where(rereferral, date - 1, window_12 - 1)
        wants = self.had_plan[waiting] if strict else np.zeros(len(waiting), dtype=bool)
        history = (r.plans_before > 0) | (r.plan_start < NEVER)
        predecessor = np.full(len(waiting), -1, dtype=np.int64)
        available = self.resolved & (self.successor < 0)
        last_day = birthday(self.child_dob, 18) - LAST_REFERRAL_BEFORE_18
        for _ in range(MATCH_TRIES):
            for flag in (False, True) if strict else (False,):
                todo = np.flatnonzero((predecessor < 0) & (wants == flag))
                pool = np.flatnonzero(available & (history == flag) if strict else available)
                if len(todo) == 0 or len(pool) == 0:
                    continue
                pool_dates = r.date[pool]
                first = np.searchsorted(pool_dates, low[todo], side="left")
                stop = np.searchsorted(pool_dates, high[todo], side="right")
                has = stop > first
                todo, first, stop = todo[has], first[has], stop[has]
                drawn = first + np.floor(rng.random(len(todo)) * (stop - first)).astype(np.int64)
                candidate = pool[drawn]
                ok = (r.closure[candidate] < date[todo]) & (
                    last_day[r.child[candidate]] > date[todo]
                )
                todo, candidate = todo[ok], candidate[ok]
                # Two referrals drew the same predecessor: a random one of them keeps it.
                shuffle = rng.permutation(len(candidate))
                _, winner = np.unique(candidate[shuffle], return_index=True)
                winner = shuffle[winner]
                predecessor[todo[winner]] = candidate[winner]
                available[candidate[winner]] = False
        matched = waiting[predecessor >= 0]
        pred = predecessor[predecessor >= 0]
        r.predecessor[matched] = pred
        r.child[matched] = r.child[pred]
        self.successor[pred] = matched
        r.plans_before[matched] = r.plans_before[pred] + (r.plan_start[pred] < NEVER)
        r.elsewhere_plans[matched] = r.elsewhere_plans[pred]
        return matched

    def _settle(self, idx: Ints) -> None:
        """Decide what each referral led to, with every date that follows from it."""
        if len(idx) == 0:
            return
        r, rng, out = self.r, self.rng, self.out
        n = len(idx)
        date = r.date[idx]
        dob = self.child_dob[r.child[idx]]
        eighteen = birthday(dob, 18)
        y0 = int(self.sc.years[0])

        assessment_start = working_days_after(date, rng.integers(0, 4, n))
        assessment_days = lognormal_days(
            rng, out.number("assessment_working_days"), out.number("assessment_sigma"), n, 3, 130
        )
        authorised = working_days_after(assessment_start, assessment_days)
        s47_start = working_days_after(date, rng.integers(0, 6, n))
        icpc = working_days_after(s47_start, rng.integers(6, 24, n))
        # Plans are stratified by the year the plan would start in, so that a year's plans carry
        # that year's propensities.
        plan_year = year_starting(icpc, *self.sc.year_start)
        repeat = r.plans_before[idx] > 0
        u = stratified_uniform(rng, group_key(plan_year - y0, repeat))
        bands = np.stack(
            [
                np.where(
                    repeat,
                    out.by_year("plan_repeat", plan_year),
                    out.by_year("plan_first", plan_year),
                ),
                out.by_year("s47_no_plan", plan_year),
                out.by_year("care_direct", plan_year),
                out.by_year("cin_plan", plan_year),
            ]
        )
        edges = np.cumsum(bands, axis=0)
        outcome = (u[None, :] >= edges).sum(axis=0)
        outcome = np.where(u >= 1 - out.by_year("nfa", plan_year), NFA, outcome)
        r.outcome[idx] = outcome
        r.source[idx] = codes(rng, self.ref_section.weights("sources"), n)
        need = codes(rng, out.weights("need"), n)
        harm = np.isin(outcome, (PLAN, S47_NO_PLAN, CARE)) & (rng.random(n) < 0.8)
        need = np.where(harm, "N1", need)
        need = np.where(np.isin(outcome, (NFA, NOT_IN_NEED)), "N9", need)
        r.need[idx] = need

        assessed = outcome != NFA
        r.assessment_start[idx] = np.where(assessed, assessment_start, NEVER)
        r.assessment_authorised[idx] = np.where(assessed, authorised, NEVER)
        r.factors[idx] = np.where(
            assessed, self._factors(n, np.where(assessed, authorised, date)), ""
        )

        closure = np.where(outcome == NFA, date + rng.integers(0, 2, n), authorised)
        reason = np.full(n, "RC8", dtype="U4")

        # Section 47 enquiries: every plan and care case, and those closed without a plan.
        s47 = np.isin(outcome, (PLAN, S47_NO_PLAN)) | ((outcome == CARE) & (rng.random(n) < 0.6))
        held = (outcome == PLAN) | (
            (outcome == S47_NO_PLAN) & (rng.random(n) < out.number("icpc_without_plan"))
        )
        r.s47_start[idx] = np.where(s47, s47_start, NEVER)
        r.icpc_target[idx] = np.where(s47, working_days_after(s47_start, 15), NEVER)
        r.icpc[idx] = np.where(held, icpc, NEVER)

        step_down = lognormal_days(rng, out.number("step_down_days"), 0.5, n, 14, 400)
        cin_days = lognormal_days(rng, out.number("cin_plan_days"), 0.6, n, 30, 900)

        # Child protection plans, some of which end because the child comes into care.
        plan = outcome == PLAN
        plan_days = lognormal_days(
            rng, out.number("plan_days"), out.number("plan_sigma"), n, 21, 1400
        )
        plan_end = np.minimum(icpc + plan_days, eighteen)
        u_care = stratified_uniform(rng, group_key(plan_year - y0, plan))
        from_plan = plan & (u_care < self.sc.care.by_year("from_plan", plan_year))
        care_start = np.where(
            from_plan,
            icpc + uniform_days(rng, 14, np.maximum(np.minimum(plan_days, 365), 15)),
            date + rng.integers(0, 15, n),
        )
        care_start = np.minimum(care_start, eighteen - 30)
        plan_end = np.where(from_plan, np.minimum(plan_end, care_start), plan_end)
        r.plan_start[idx] = np.where(plan, icpc, NEVER)
        r.plan_end[idx] = np.where(plan, plan_end, NEVER)
        # A child's first plan here records the plans they had elsewhere before moving in.
        first_plan = plan & ~repeat
        u_else = stratified_uniform(rng, group_key(plan_year - y0, first_plan))
        moved_in = first_plan & (u_else < out.by_year("previous_plans_elsewhere", plan_year))
        elsewhere = np.where(moved_in, 1 + (rng.random(n) < 0.2), 0)
        r.elsewhere_plans[idx] = np.where(first_plan, elsewhere, r.elsewhere_plans[idx])
        r.previous_plans[idx] = np.where(plan, r.plans_before[idx] + r.elsewhere_plans[idx], 0)
        category = codes(rng, out.weights("categories"), n)
        r.initial_category[idx] = np.where(plan, category, "")
        changed = rng.random(n) < 0.1
        r.latest_category[idx] = np.where(
            plan, np.where(changed, codes(rng, out.weights("categories"), n), category), ""
        )
        self._plan_reviews(idx[plan], icpc[plan], plan_end[plan])

        # Care: periods drawn now because the case stays open until the child leaves care.
        in_care = (outcome == CARE) | from_plan
        periods = care.draw_periods(
            rng, self.sc, idx[in_care], r.child[idx][in_care], care_start[in_care], dob[in_care]
        )
        self.period_parts.append(periods)
        care_end = np.full(n, NEVER, dtype=np.int64)
        care_end[in_care] = periods.end
        rec = np.full(n, "", dtype="U4")
        rec[in_care] = periods.rec
        care_reason = np.full(n, "RC7", dtype="U4")
        for code, closure_code in CARE_CLOSURE.items():
            care_reason = np.where(rec == code, closure_code, care_reason)
        adopted = np.isin(rec, ("E11", "E12"))
        care_closure = care_end + np.where(adopted, 0, rng.integers(0, 61, n))

        # Children in need plans: the assessed path, and the step-down after S47s and plans.
        cin = outcome == CIN_PLAN
        cin_start = np.where(cin, authorised, NEVER)
        cin_start = np.where(
            outcome == S47_NO_PLAN,
            np.maximum(authorised, np.where(held, icpc, authorised)),
            cin_start,
        )
        cin_start = np.where(plan & ~from_plan, plan_end, cin_start)
        cin_end = np.where(cin, cin_start + cin_days, cin_start + step_down)
        cin_end = np.where(cin_start < NEVER, cin_end, NEVER)

        breaks = self._short_breaks(idx, cin & (need == "N2"), authorised, eighteen)
        cin_end = np.where(
            breaks < NEVER, np.maximum(cin_end, breaks + rng.integers(14, 61, n)), cin_end
        )

        closure = np.where(cin_start < NEVER, cin_end, closure)
        reason = np.where(cin_start < NEVER, "RC7", reason)
        closure = np.where(in_care, care_closure, closure)
        reason = np.where(in_care, care_reason, reason)
        closure = np.minimum(closure, eighteen)
        r.cin_plan_start[idx] = np.where(cin_start < NEVER, np.minimum(cin_start, closure), NEVER)
        r.cin_plan_end[idx] = np.where(cin_start < NEVER, closure, NEVER)
        r.closure[idx] = closure
        r.closure_reason[idx] = reason
        self.resolved[idx] = True

    def _factors(self, n: int, authorised: Days) -> Text:
        """Assessment factor codes with England's published mix (`synth.factors`), space
        separated, in the codes of the census year the assessment is authorised in."""
        # The draws the scenario's uniform factors once took from the shared generator, kept
        # so that everything drawn after them (and so the basket) is as it was.
        self.rng.random((2, n))
        self.rng.integers(0, FORMER_FACTOR_CODES, (3, n))
        drawn = factors.draw(self.factor_rng, year_starting(authorised, 4, 1) + 1, MOST_FACTORS)
        named = np.where(drawn >= 0, np.array(factors.CODES, dtype="U4")[drawn], "")
        joined = named[:, 0].astype("U40")
        for column in named.T[1:]:
            joined = np.where(column != "", np.char.add(np.char.add(joined, " "), column), joined)
        return joined

    def _plan_reviews(self, idx: Ints, start: Days, end: Days) -> None:
        """Reviews within 3 months of the start, then every 6 months, mostly on time."""
        rng = self.rng
        most = int(max((end - start).max(initial=0) - 77, 0) // 168 + 2)
        shape = (len(idx), most)
        # Each review resets the clock for the next, so intervals add up from the date held.
        interval = np.where(np.arange(most) == 0, 91, 182)[None, :] - rng.integers(0, 15, shape)
        interval += np.where(rng.random(shape) < 0.05, rng.integers(15, 45, shape), 0)
        held = start[:, None] + np.cumsum(interval, axis=1)
        keep = held < end[:, None]
        self.review_parts.append((np.broadcast_to(idx[:, None], held.shape)[keep], held[keep]))

    def _short_breaks(self, idx: Ints, eligible: Bools, authorised: Days, eighteen: Days) -> Days:
        """Agreed series of short breaks (LS V3/V4) for some disabled children; returns the end."""
        r, rng = self.r, self.rng
        n = len(idx)
        chosen = eligible & (rng.random(n) < self.out.number("short_breaks"))
        start = authorised + rng.integers(14, 61, n)
        end = np.minimum(start + rng.integers(300, 1000, n), eighteen - 1)
        chosen &= end > start + 60
        r.short_breaks[idx] = np.where(chosen, np.where(rng.random(n) < 0.5, 3, 4), 0)
        r.short_breaks_start[idx] = np.where(chosen, start, NEVER)
        r.short_breaks_end[idx] = np.where(chosen, end, NEVER)
        return np.where(chosen, end, NEVER)
