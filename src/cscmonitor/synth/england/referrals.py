"""Referrals of every LA at once, child by child, generation by generation.

The LA is a column: every array holds the referrals of all LAs, and every propensity is
looked up per row from an (LA, year) table. First referrals of new children are drawn per
LA and year from its referral rate and child population. Each referral's outcome is then
settled (assessment, section 47 enquiry, child protection plan, care, closure), and each
referral may lead to the child's next referral: a re-referral within 12 months of it, after
its closure, or a return more than 12 months later. Those next referrals are the next
generation. The loops run over generations (a couple of dozen rounds, each vectorised over
all LAs) and over batches of four years of first referrals (children's journeys never meet,
so a batch is followed to its last generation before the next starts: smaller arrays),
never over LAs or children. Re-referral draws are stratified within (LA, year), and
corrected for the referrals that cannot be followed within 12 months (still open, or the
child nearly 18), so an LA's share of re-referrals lands on its propensity.

Before the referrals, children come into care during the care burn-in (one referral each,
leading straight to care), so children in long-term care at the first return have their
histories.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, fields

import numpy as np
import numpy.typing as npt

from cscmonitor.synth import care
from cscmonitor.synth import factors as synth_factors
from cscmonitor.synth.dates import (
    NEVER,
    Days,
    day,
    working_days_after,
    year_starting,
)
from cscmonitor.synth.england import params
from cscmonitor.synth.england.fast import april_year, months_later, stratified
from cscmonitor.synth.england.las import LAs, Propensities
from cscmonitor.synth.referrals import (
    CARE,
    CARE_CLOSURE,
    CIN_PLAN,
    NFA,
    NOT_IN_NEED,
    PLAN,
    S47_NO_PLAN,
)
from cscmonitor.synth.sampling import group_key, uniform_days
from cscmonitor.synth.scenario import Scenario

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float64]
I32 = npt.NDArray[np.int32]

NEW, REREFERRAL, RETURNING, CARE_HISTORY = range(4)
# Factors written per assessment at most, as indexes into `synth.factors.CODES`: one, then
# pairs (c3 implies 2.6 to 2.8 on average; about one assessment in a hundred has more).
MOST_FACTORS = 7
MAX_GENERATIONS = 60
BATCH_YEARS = 4
YEAR_START = (4, 1)


@dataclass(frozen=True)
class Span:
    """The days simulated: care burn-in from `care_from`, referrals from `first`, to `last`."""

    care_from: int
    first: int
    last: int

    @classmethod
    def for_years(cls, from_year: int, to_year: int) -> Span:
        """Census years `from_year`..`to_year` (each ending 31 March) with their burn-in."""
        start = from_year - 1 - params.REFERRAL_BURN_IN
        return cls(
            care_from=day(dt.date(start - params.CARE_BURN_IN, 4, 1)),
            first=day(dt.date(start, 4, 1)),
            last=day(dt.date(to_year, 3, 31)),
        )


@dataclass(frozen=True)
class Referrals:
    """One row per referral, in the order simulated; codes index the `params` code lists."""

    la: I32
    child: I32
    kind: I32
    date: I32
    closure: I32
    closure_reason: I32
    source: I32
    need: I32
    outcome: I32
    assessment_start: I32
    assessment_authorised: I32
    factors: I32  # one row of `MOST_FACTORS` per referral, -1 past the last factor
    s47_start: I32
    icpc_target: I32
    icpc: I32
    cin_plan_start: I32
    cin_plan_end: I32
    plan_start: I32
    plan_end: I32
    previous_plans: I32
    initial_category: I32
    latest_category: I32

    def __len__(self) -> int:
        return len(self.date)

    @property
    def nfa(self) -> Bools:
        return self.outcome == NFA


@dataclass(frozen=True)
class Children:
    """One row per child: their LA, date of birth and characteristics (code indexes)."""

    la: Ints
    dob: Days
    sex: Ints
    ethnicity: Ints
    disability: Ints  # -1: none

    def __len__(self) -> int:
        return len(self.dob)


@dataclass(frozen=True)
class Reviews:
    referral: Ints
    date: Days


@dataclass(frozen=True)
class Simulated:
    referrals: Referrals
    children: Children
    reviews: Reviews
    periods: care.Periods


def simulate(
    rng: np.random.Generator, las: LAs, props: Propensities, span: Span, scenario: Scenario
) -> Simulated:
    """Referral chains and what follows them, for every LA, over the whole span."""
    return _Simulation(rng, las, props, span, scenario).run()


def draw_days(
    rng: np.random.Generator, expected: Floats, first: int, last: int, weekend: float
) -> tuple[Ints, Days]:
    """Poisson counts per (LA, year) spread over each year's days in [first, last].

    `expected` is per whole year; a part year gets its share. Returns (LA, day), by LA.
    """
    days = np.arange(first, last + 1, dtype=np.int64)
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    weight = np.where(weekday >= 5, weekend, 1.0)
    year = year_starting(days, *YEAR_START)
    las: list[Ints] = []
    dates: list[Days] = []
    for y in np.unique(year):
        inside = year == y
        column = int(y - year[0]) if expected.shape[1] > 1 else 0
        count = rng.poisson(expected[:, column] * inside.sum() / 365.25)
        w = weight[inside]
        las.append(np.repeat(np.arange(len(count)), count))
        dates.append(rng.choice(days[inside], size=int(count.sum()), p=w / w.sum()))
    return np.concatenate(las), np.concatenate(dates)


class _Simulation:
    def __init__(
        self,
        rng: np.random.Generator,
        las: LAs,
        props: Propensities,
        span: Span,
        scenario: Scenario,
    ) -> None:
        self.rng = rng
        self.las = las
        self.props = props
        self.span = span
        self.scenario = scenario
        self.chunks: list[dict[str, I32]] = []
        self.reviews: list[tuple[Ints, Days]] = []
        self.periods: list[care.Periods] = []
        self.count = 0

    def run(self) -> Simulated:
        rng, span = self.rng, self.span
        referral_years = np.arange(
            year_starting(np.array([span.first]), *YEAR_START)[0],
            year_starting(np.array([span.last]), *YEAR_START)[0] + 1,
        )
        columns = self.las.year_index(referral_years)
        per_year = self.props["referral_rate"] * self.las.population / 10_000
        # New children's first referrals: the rest are re-referrals and returning children.
        first_share = 1 - self.props["rereferral"] - self.props["returning"]
        first_share *= params.FIRST_REFERRAL_BOOST
        new_la, new_date = draw_days(
            rng, (per_year * first_share)[:, columns], span.first, span.last, 0.3
        )
        care_years = np.arange(
            year_starting(np.array([span.care_from]), *YEAR_START)[0], referral_years[0]
        )
        care_rate = self.props["care_direct"] + self.props["plan_first"] * self.props["from_plan"]
        care_rate *= params.CARE_HISTORY_RATE
        old_la, old_date = draw_days(
            rng,
            (per_year * care_rate)[:, self.las.year_index(care_years)],
            span.care_from,
            span.first - 1,
            0.5,
        )
        la = np.concatenate([old_la, new_la])
        date = np.concatenate([old_date, new_date])
        kind = np.r_[np.full(len(old_la), CARE_HISTORY), np.full(len(new_la), NEW)]
        children = self._new_children(la, date, kind == CARE_HISTORY)
        self.eighteen = months_later(children.dob, 12 * 18)
        # Children's journeys do not meet, so first referrals are followed through in batches
        # of years (each batch's generations to the end): smaller working arrays, same result
        # in distribution.
        batch = np.minimum(
            (april_year(date) - referral_years[0]) // BATCH_YEARS + 1, len(referral_years)
        )
        batch[kind == CARE_HISTORY] = 0
        for b in np.unique(batch):
            rows = np.flatnonzero(batch == b)
            generation: dict[str, npt.NDArray[np.integer]] = {
                "la": la[rows],
                "child": rows,
                "dob": children.dob[rows],
                "date": date[rows],
                "kind": kind[rows],
                "plans_before": np.zeros(len(rows), dtype=np.int64),
                "elsewhere": np.zeros(len(rows), dtype=np.int64),
            }
            for _ in range(MAX_GENERATIONS):
                if len(generation["date"]) == 0:
                    break
                settled = self._settle(generation)
                generation = self._next(generation, settled)
        return Simulated(
            self._referrals(),
            children,
            _reviews(self.reviews),
            care.Periods.concatenate(self.periods),
        )

    def _new_children(self, la: Ints, date: Days, in_care: Bools) -> Children:
        """A child per first referral: date of birth from the age profile, characteristics."""
        rng = self.rng
        n = len(la)
        age = np.empty(n, dtype=np.int64)
        for profile, rows in (
            (params.AGE_AT_CARE_ENTRY, in_care),
            (params.AGE_AT_FIRST_REFERRAL, ~in_care),
        ):
            weights = np.array(profile, dtype=float)
            age[rows] = rng.choice(len(weights), size=int(rows.sum()), p=weights / weights.sum())
        dob = date - np.floor((age + rng.random(n)) * 365.25).astype(np.int64)
        # Nobody is referred in their last months before 18.
        too_old = months_later(dob, 12 * 18) - 150 <= date
        dob[too_old] = months_later(date[too_old], -12 * 17)
        dob = np.minimum(dob, date)
        ethnicity = np.array(list(params.ETHNICITY.values()))
        disabled = rng.random(n) < params.DISABLED
        return Children(
            la=la,
            dob=dob,
            sex=rng.integers(1, 3, n),
            ethnicity=rng.choice(len(ethnicity), size=n, p=ethnicity / ethnicity.sum()),
            disability=np.where(disabled, rng.integers(0, len(params.DISABILITIES), n), -1),
        )

    def _pick(self, weights: Mapping[str, float], n: int) -> Ints:
        p = np.array(list(weights.values()), dtype=float)
        return self.rng.choice(len(p), size=n, p=p / p.sum())

    def _settle(self, g: dict[str, npt.NDArray[np.integer]]) -> dict[str, I32]:
        """What each referral of a generation led to, with every date that follows from it."""
        rng, at = self.rng, self.props.at
        la, date, dob = g["la"], g["date"], g["dob"]
        n = len(date)
        index = self.count + np.arange(n)
        self.count += n
        year = self.las.year_index(april_year(date))
        eighteen = self.eighteen[g["child"]]
        history = g["kind"] == CARE_HISTORY

        # Work starts on or after the referral's day (a weekend referral: the Monday).
        assessment_start = np.busday_offset(
            date.astype("datetime64[D]"), rng.integers(0, 4, n), roll="forward"
        ).astype(np.int64)
        sigma = params.ASSESSMENT_SIGMA
        length = at("assessment_days", la, year) * np.exp(sigma * rng.standard_normal(n))
        authorised = working_days_after(assessment_start, np.clip(np.rint(length), 3, 130))
        s47_start = np.busday_offset(
            date.astype("datetime64[D]"), rng.integers(0, 6, n), roll="forward"
        ).astype(np.int64)
        in_time = rng.random(n) < at("icpc_in_time", la, year)
        icpc = working_days_after(
            s47_start, np.where(in_time, rng.integers(5, 16, n), rng.integers(16, 31, n))
        )

        repeat = g["plans_before"] > 0
        u = stratified(rng, group_key(la, year, repeat))
        first = at("plan_first", la, year)
        plan_p = np.where(repeat, np.minimum(first * at("repeat_ratio", la, year), 0.6), first)
        bands = np.stack(
            [
                plan_p,
                at("s47_no_plan", la, year),
                at("care_direct", la, year),
                at("cin_plan", la, year),
            ]
        )
        outcome = (u[None, :] >= np.cumsum(bands, axis=0)).sum(axis=0)
        outcome = np.where(u >= 1 - at("nfa", la, year), NFA, outcome)
        outcome = np.where(history, CARE, outcome)
        source = self._pick(params.SOURCES, n)
        need = self._pick(params.NEED, n)
        n1, n9 = list(params.NEED).index("N1"), len(params.NEED)
        harm = np.isin(outcome, (PLAN, S47_NO_PLAN, CARE)) & (rng.random(n) < 0.8)
        need = np.where(harm, n1, need)
        # N9 (case closed after assessment, no further action) is not in the 903 list.
        need = np.where(np.isin(outcome, (NFA, NOT_IN_NEED)), n9, need)

        assessed = outcome != NFA
        factors = synth_factors.draw(rng, april_year(authorised) + 1, MOST_FACTORS)
        closure = np.where(outcome == NFA, date + rng.integers(0, 2, n), authorised)
        reason = np.full(n, params.CLOSURE_REASONS.index("RC8"))

        s47 = np.isin(outcome, (PLAN, S47_NO_PLAN)) | ((outcome == CARE) & (rng.random(n) < 0.6))
        s47 &= ~history
        held = (outcome == PLAN) | (
            (outcome == S47_NO_PLAN) & (rng.random(n) < params.ICPC_WITHOUT_PLAN)
        )

        plan = outcome == PLAN
        plan_days = at("plan_days", la, year) * np.exp(params.PLAN_SIGMA * rng.standard_normal(n))
        plan_days = np.clip(np.rint(plan_days), 21, 1400).astype(np.int64)
        plan_end = np.minimum(icpc + plan_days, eighteen)
        # Stratified among plans only: the draws concern a tenth of the referrals.
        u_care = np.ones(n)
        u_care[plan] = stratified(rng, group_key(la[plan], year[plan]))
        from_plan = plan & (u_care < at("from_plan", la, year))
        care_start = np.where(
            from_plan,
            icpc + uniform_days(rng, np.full(n, 14), np.maximum(np.minimum(plan_days, 365), 15)),
            date + rng.integers(0, 15, n),
        )
        care_start = np.maximum(np.minimum(care_start, eighteen - 30), date)
        plan_end = np.where(from_plan, np.minimum(plan_end, care_start), plan_end)
        first_plan = plan & ~repeat
        u_else = np.ones(n)
        u_else[first_plan] = stratified(rng, group_key(la[first_plan], year[first_plan]))
        moved_in = first_plan & (u_else < at("previous_plans_elsewhere", la, year))
        elsewhere = np.where(
            first_plan, np.where(moved_in, 1 + (rng.random(n) < 0.2), 0), g["elsewhere"]
        )
        category = self._pick(params.CATEGORIES, n)
        changed = rng.random(n) < 0.1
        latest = np.where(changed, self._pick(params.CATEGORIES, n), category)
        self._plan_reviews(index[plan], la[plan], year[plan], icpc[plan], plan_end[plan])

        in_care = (outcome == CARE) | from_plan
        periods = care.draw_periods(
            rng,
            self.scenario,
            index[in_care],
            g["child"][in_care],
            care_start[in_care],
            dob[in_care],
        )
        self.periods.append(periods)
        care_end = np.full(n, NEVER, dtype=np.int64)
        care_end[in_care] = periods.end
        rec = np.full(n, "", dtype="U4")
        rec[in_care] = periods.rec
        care_reason = np.full(n, params.CLOSURE_REASONS.index("RC7"))
        for code, closure_code in CARE_CLOSURE.items():
            care_reason = np.where(
                rec == code, params.CLOSURE_REASONS.index(closure_code), care_reason
            )
        adopted = np.isin(rec, ("E11", "E12"))
        care_closure = care_end + np.where(adopted, 0, rng.integers(0, 61, n))

        step_median, step_sigma = params.STEP_DOWN_DAYS
        cin_median, cin_sigma = params.CIN_PLAN_DAYS
        step_down = np.clip(step_median * np.exp(step_sigma * rng.standard_normal(n)), 14, 500)
        cin_days = np.clip(cin_median * np.exp(cin_sigma * rng.standard_normal(n)), 30, 1200)
        cin = outcome == CIN_PLAN
        cin_start = np.where(cin, authorised, NEVER)
        cin_start = np.where(
            outcome == S47_NO_PLAN, np.maximum(authorised, np.where(held, icpc, 0)), cin_start
        )
        cin_start = np.where(plan & ~from_plan, plan_end, cin_start)
        cin_end = cin_start + np.rint(np.where(cin, cin_days, step_down)).astype(np.int64)
        closure = np.where(cin_start < NEVER, cin_end, closure)
        rc7 = params.CLOSURE_REASONS.index("RC7")
        reason = np.where(cin_start < NEVER, rc7, reason)
        closure = np.where(in_care, care_closure, closure)
        reason = np.where(in_care, care_reason, reason)
        # A case closes once its assessment is authorised, and at 18 at the latest.
        closure = np.where(assessed, np.maximum(closure, authorised), closure)
        closure = np.minimum(closure, eighteen)
        has_cin = cin_start < NEVER
        never = np.full(n, NEVER, dtype=np.int64)
        chunk = {
            "la": la,
            "child": g["child"],
            "kind": g["kind"],
            "date": date,
            "closure": closure,
            "closure_reason": reason,
            "source": source,
            "need": need,
            "outcome": outcome,
            "assessment_start": np.where(assessed, assessment_start, NEVER),
            "assessment_authorised": np.where(assessed, authorised, NEVER),
            "factors": np.where(assessed[:, None], factors, -1),
            "s47_start": np.where(s47, s47_start, NEVER),
            "icpc_target": np.where(s47, working_days_after(s47_start, 15), NEVER),
            "icpc": np.where(held, icpc, NEVER),
            "cin_plan_start": np.where(has_cin, np.minimum(cin_start, closure), never),
            "cin_plan_end": np.where(has_cin, closure, never),
            "plan_start": np.where(plan, icpc, NEVER),
            "plan_end": np.where(plan, plan_end, NEVER),
            "previous_plans": np.where(plan, g["plans_before"] + elsewhere, 0),
            "initial_category": np.where(plan, category, -1),
            "latest_category": np.where(plan, latest, -1),
            "elsewhere": elsewhere,
        }
        # Stored narrow: a national run holds millions of referrals.
        narrow = {k: np.asarray(v, dtype=np.int32) for k, v in chunk.items()}
        self.chunks.append(narrow)
        return narrow

    def _plan_reviews(self, idx: Ints, la: Ints, year: Ints, start: Days, end: Days) -> None:
        """Reviews within 3 months of the start, then every 6 months; some late, by LA."""
        rng = self.rng
        most = int(max((end - start).max(initial=0) - 77, 0) // 168 + 2)
        shape = (len(idx), most)
        interval = np.where(np.arange(most) == 0, 91, 182)[None, :] - rng.integers(0, 15, shape)
        late = rng.random(shape) < self.props.at("review_late", la, year)[:, None]
        interval += np.where(late, rng.integers(15, 45, shape), 0)
        held = start[:, None] + np.cumsum(interval, axis=1)
        keep = held < end[:, None]
        self.reviews.append((np.broadcast_to(idx[:, None], shape)[keep], held[keep]))

    def _next(
        self, g: dict[str, npt.NDArray[np.integer]], s: dict[str, I32]
    ) -> dict[str, npt.NDArray[np.integer]]:
        """The referrals that follow this generation's: re-referrals and returning children."""
        rng, at = self.rng, self.props.at
        la, date, closure = g["la"], g["date"], s["closure"]
        n = len(date)
        year = self.las.year_index(april_year(date))
        last = self.eighteen[g["child"]] - 150
        within = months_later(date, 12)
        earliest = closure + 1
        high = np.minimum(within, last)
        followed = g["kind"] != CARE_HISTORY
        eligible = followed & (earliest <= high)
        # Per (LA, year): re-referrals happen only to eligible referrals, so their propensity
        # is raised by the eligible share to make the LA's share of re-referrals the target.
        group = la.astype(np.int64) * len(self.las.years) + year
        size = len(self.las) * len(self.las.years)
        eligible_count = np.bincount(group, weights=eligible, minlength=size)
        share = eligible_count / np.maximum(np.bincount(group, minlength=size), 1)
        target = at("rereferral", la, year)
        p = np.minimum(target / np.maximum(share[group], 1e-9), 0.97)
        u = stratified(rng, group_key(la, year, eligible))
        rereferral = eligible & (u < p)
        gap = np.floor(rng.random(n) ** params.REREFERRAL_GAP_POWER * (high - earliest + 1))
        rereferral_date = earliest + gap.astype(np.int64)

        low = np.maximum(earliest, within + 1)
        back = at("returning", la, year) / np.maximum(1 - target, 0.05)
        returning = followed & ~rereferral & (rng.random(n) < back)
        top = np.zeros(n, dtype=np.int64)
        top[returning] = months_later(low[returning], params.RETURNING_WINDOW_MONTHS)
        top = np.minimum(top, last)
        returning &= low <= top
        returning_date = low + np.floor(rng.random(n) * (top - low + 1)).astype(np.int64)

        new_date = np.where(rereferral, rereferral_date, returning_date)
        keep = (rereferral | returning) & (new_date <= self.span.last)
        plans = g["plans_before"] + (s["plan_start"] < NEVER)
        return {
            "la": la[keep],
            "child": g["child"][keep],
            "dob": g["dob"][keep],
            "date": new_date[keep],
            "kind": np.where(rereferral, REREFERRAL, RETURNING)[keep],
            "plans_before": plans[keep],
            "elsewhere": s["elsewhere"][keep],
        }

    def _referrals(self) -> Referrals:
        names = [f.name for f in fields(Referrals)]
        return Referrals(**{k: np.concatenate([c[k] for c in self.chunks]) for k in names})


def _reviews(parts: list[tuple[Ints, Days]]) -> Reviews:
    referral = np.concatenate([p[0] for p in parts]) if parts else np.empty(0, np.int64)
    date = np.concatenate([p[1] for p in parts]) if parts else np.empty(0, np.int64)
    order = np.lexsort((date, referral))
    return Reviews(referral[order], date[order])
