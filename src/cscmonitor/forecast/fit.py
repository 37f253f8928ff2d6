"""Fitting the model: monthly hazards per state with shrinkage, and entrants per 10,000 children.

Hazards come from child-months: each child in care on a monthly date of the reference window
is one month of exposure in their state then, and what had happened a month later is its
outcome (same placement, out of care, or a new placement in some category). A state's
hazards are shrunk towards its all-ages rate (same category and time in placement) as if
`prior` child-months had been seen at that rate: (count + prior × pooled) / (exposure + prior).
The all-ages rate is shrunk towards the category's in the same way, and that towards the whole
LA's, so an empty state takes its pooled rate and a large one its own. The pooled rate is
scaled by the age band's relative rate of each outcome in the category, so an outcome never
seen at an age (a 12-year-old moving into supported accommodation) is not lent to it. A
month in which a child turns 18 is left out: care ends then whatever the hazards say.
A child's first month in care, from the date they are first seen in care to the next, is a
state of its own (`states.FIRST_MONTH`): those are the months the entry rate's entrants
spend before the simulation's hazards for them apply, so the fit and the projection count
the same children. A child who enters and leaves between two monthly dates is in neither.

Recent months count more: a month ending h months before the origin weighs 0.5^(h / half
life), in the hazards' counts and exposure, the entry rates and the mix new entrants are drawn
from, so the rates follow a drift in the window instead of averaging it away (a discounted
likelihood: the weighted counts are also what the simulation's posterior draws use, so
forgetting old months widens the intervals). No half life (the default) gives every month
the same weight.

Entrants are children in care on a date who were not a month before. Their monthly rate per
10,000 children (ONS mid-year estimate of the LA's children aged 0–17, the year of the date)
is fitted per age band. Month-of-year factors are used when a likelihood-ratio test against a
flat rate rejects it at 5% and the window covers two years; otherwise the rate is flat. The
test and the factors use the unweighted counts (a test needs counts); the rate's level is the
weighted one. Monthly counts more variable than Poisson give an overdispersion κ (Var = μ + κμ²).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from cscmonitor.forecast.history import (
    History,
    NoHistory,
    Panel,
    month_dates,
    panel,
)
from cscmonitor.forecast.states import (
    ADULT,
    AGE_BANDS,
    CATEGORIES,
    DURATION_BANDS,
    EXIT,
    N_STATES,
    OUTCOMES,
    STAY,
    age_band,
    move_to,
    state_index,
)
from cscmonitor.indicators.population import population_frame

WINDOW_MONTHS = 36
# Chosen by backtest (bench/forecast_backtest.py --tune; docs/forecast.md) on the ten-year
# demo council's origins whose 12-month actuals all fall before the four-year demo's first
# return: 48 months had the lowest mean error (12 and 24 months were as good, equal weights
# and 6 months worse). `forecast fit --half-life 0` weighs every month alike.
HALF_LIFE_MONTHS: float | None = 48.0
PRIOR_CHILD_MONTHS = 24.0
SEASONALITY_ALPHA = 0.05
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Population:
    """Children aged 0–17 in the LA by calendar year; years beyond those held take the nearest."""

    years: Ints
    children: Floats

    def on(self, dates: npt.NDArray[np.datetime64]) -> Floats:
        year = dates.astype("datetime64[Y]").astype(np.int64) + 1970
        at = np.clip(np.searchsorted(self.years, year), 0, len(self.years) - 1)
        return self.children[at]


def la_population(la_code: str) -> Population:
    frame = population_frame()
    rows = frame[frame["la_code"] == la_code].sort_values("year")
    if rows.empty:
        raise NoHistory(f"no ONS population estimate held for LA {la_code}")
    return Population(rows["year"].to_numpy(np.int64), rows["population"].to_numpy(float))


@dataclass(frozen=True)
class Stock:
    """Children in care at one date: whole-month age, category, months in placement."""

    age: Ints
    category: Ints
    duration: Ints


@dataclass(frozen=True)
class Model:
    la_code: str
    origin: dt.date
    window_start: dt.date
    prior: float
    half_life: float | None  # months; None: every month of the window weighs the same
    counts: Floats  # (state, outcome) child-months seen, weighted by recency
    pooled: Floats  # (state, outcome) the all-ages rate each state is shrunk towards
    entrant_counts: Floats  # (age band,) entrants in the window, weighted by recency
    exposure_10k: float  # child-months of the population, in 10,000s, weighted by recency
    seasonal: Floats  # (12,) month-of-year factors, January first (ones when flat)
    seasonality_p: float  # the likelihood-ratio test's p-value (nan when not tested)
    overdispersion: float  # κ
    entrants: Stock  # every entrant seen, to draw new entrants' ages and placements from
    entrant_weights: Floats  # each entrant's recency weight: the chance of being drawn
    stock: Stock  # in care at the origin
    population: Population
    providers: tuple[str, ...]  # PLACE_PROVIDER codes seen in the window
    provider_mix: Floats  # (category, provider) share of the category's child-months

    @property
    def exposure(self) -> Floats:
        return self.counts.sum(axis=1)

    @property
    def hazards(self) -> Floats:
        """Shrunk monthly probability of each outcome from each state."""
        return shrink(self.counts, self.pooled, self.prior)

    @property
    def entry_rate(self) -> Floats:
        """Entrants per month per 10,000 children, by age band (flat-rate average)."""
        return self.entrant_counts / self.exposure_10k

    def hazard_table(self) -> pd.DataFrame:
        """Every state's exposure and hazards, for reading and for docs."""
        n_cat, n_dur = len(CATEGORIES), len(DURATION_BANDS)
        index = np.arange(N_STATES)
        table = pd.DataFrame(
            {
                "age_band": np.asarray(AGE_BANDS)[index // (n_cat * n_dur)],
                "category": np.asarray(CATEGORIES)[(index // n_dur) % n_cat],
                "duration": np.asarray(DURATION_BANDS)[index % n_dur],
                "child_months": self.exposure,
            }
        )
        for k, outcome in enumerate(OUTCOMES):
            table[outcome] = self.hazards[:, k]
        return table


def shrink(counts: Floats, pooled: Floats, prior: float) -> Floats:
    """(count + prior × pooled rate) / (exposure + prior), row by row."""
    return (counts + prior * pooled) / (counts.sum(axis=1, keepdims=True) + prior)


def pooled_rates(counts: Floats, prior: float) -> Floats:
    """The rate each state is shrunk towards: its category's all-ages rate at its time in
    placement, times its age band's relative rate of each outcome in the category (then
    summing to one). Each part is shrunk in turn: the all-ages rate towards the category's,
    the age band's rate towards the category's, and the category's towards the LA's. The age
    factor keeps outcomes where they happen: a child of 12 in a small state is not lent the
    moves into supported accommodation that only 16- and 17-year-olds make."""
    n_age, n_cat, n_dur = len(AGE_BANDS), len(CATEGORIES), len(DURATION_BANDS)
    by_state = counts.reshape(n_age, n_cat, n_dur, -1)
    overall = counts.sum(axis=0) / max(counts.sum(), 1.0)
    category = by_state.sum(axis=(0, 2))  # (cat, outcome)
    category_rate = shrink(category, np.broadcast_to(overall, category.shape), prior)
    all_ages = by_state.sum(axis=0)  # (cat, dur, outcome)
    all_ages_rate = shrink(
        all_ages.reshape(n_cat * n_dur, -1),
        np.repeat(category_rate, n_dur, axis=0),
        prior,
    ).reshape(n_cat, n_dur, -1)
    by_age = by_state.sum(axis=2)  # (age, cat, outcome)
    age_rate = shrink(
        by_age.reshape(n_age * n_cat, -1), np.tile(category_rate, (n_age, 1)), prior
    ).reshape(n_age, n_cat, -1)
    seen = category_rate > 0
    relative = np.where(seen, age_rate / np.where(seen, category_rate, 1.0), 1.0)
    target = all_ages_rate[None, :, :, :] * relative[:, :, None, :]
    target = target / target.sum(axis=-1, keepdims=True)
    return target.reshape(counts.shape)


def recency_weights(months_before: npt.NDArray[np.integer], half_life: float | None) -> Floats:
    """0.5^(h / half life) for a month ending h months before the origin (ones with none)."""
    if half_life is None:
        return np.ones(len(months_before))
    if half_life <= 0:
        raise ValueError("the half life must be a positive number of months")
    return np.power(0.5, np.asarray(months_before, dtype=float) / half_life)


def fit(
    history: History,
    origin: dt.date,
    *,
    window_months: int = WINDOW_MONTHS,
    half_life: float | None = HALF_LIFE_MONTHS,
    prior: float = PRIOR_CHILD_MONTHS,
    population: Population | None = None,
) -> Model:
    """The model fitted on the `window_months` before `origin` (within the returns held),
    recent months weighing more by `half_life` (None: all alike)."""
    if origin > history.end:
        raise NoHistory(
            f"origin {origin} is after the last day the 903 returns held cover ({history.end})"
        )
    dates = month_dates(origin, np.arange(-window_months, 1))
    dates = dates[dates >= np.datetime64(history.start)]
    if len(dates) < 2:
        raise NoHistory(
            f"origin {origin}: the 903 returns held begin {history.start}, "
            "less than a month before it"
        )
    seen = panel(history, dates)
    # The weight of the month ending on each date (index 0 ends no month of the window).
    weight = recency_weights(len(dates) - 1 - np.arange(len(dates)), half_life)
    counts = transition_counts(seen, weight)
    if counts.sum() == 0:
        raise NoHistory(f"no child looked after by LA {history.la_code} before {origin}")
    population = population or la_population(history.la_code)
    entrants, entrant_dates = entrant_rows(seen)
    entrant_weights = weight[np.searchsorted(dates, entrant_dates)]
    children = population.on(dates[1:])
    seasonal, p_value, kappa = seasonality(
        entrant_dates, dates[1:], children, n_months=len(dates) - 1
    )
    at_origin = seen.date == len(dates) - 1
    providers, mix = provider_mix(seen)
    return Model(
        la_code=history.la_code,
        origin=origin,
        window_start=pd.Timestamp(dates[0]).date(),
        prior=prior,
        half_life=half_life,
        counts=counts,
        pooled=pooled_rates(counts, prior),
        entrant_counts=np.bincount(
            age_band(entrants.age), weights=entrant_weights, minlength=len(AGE_BANDS)
        ).astype(float),
        exposure_10k=float((children * weight[1:]).sum() / 10_000),
        seasonal=seasonal,
        seasonality_p=p_value,
        overdispersion=kappa,
        entrants=entrants,
        entrant_weights=entrant_weights,
        stock=Stock(seen.age[at_origin], seen.category[at_origin], seen.clock[at_origin]),
        population=population,
        providers=providers,
        provider_mix=mix,
    )


def provider_mix(seen: Panel) -> tuple[tuple[str, ...], Floats]:
    """Each category's child-months in the window split by placement provider."""
    providers, which = np.unique(seen.provider, return_inverse=True)
    n = len(providers)
    counts = np.bincount(seen.category * n + which, minlength=len(CATEGORIES) * n).reshape(-1, n)
    total = counts.sum(axis=1, keepdims=True)
    return tuple(str(p) for p in providers), counts / np.maximum(total, 1)


def _next_rows(seen: Panel) -> tuple[Ints, npt.NDArray[np.bool_]]:
    """For each row, the row of the same child a month later, and whether there is one."""
    n_dates = len(seen.dates)
    key = seen.child * n_dates + seen.date
    order = np.argsort(key)
    at = np.clip(np.searchsorted(key[order], key + 1), 0, len(key) - 1)
    found = key[order][at] == key + 1
    return order[at], found


def transition_counts(seen: Panel, weight: Floats | None = None) -> Floats:
    """Child-months by (state, outcome) over every month of the panel, each month counting
    `weight[d]` for the month ending on date d (one when no weights are given)."""
    following, found = _next_rows(seen)
    counted = (seen.date < len(seen.dates) - 1) & (seen.age + 1 < ADULT)
    same = found & (seen.placement_start[following] == seen.placement_start)
    outcome = np.where(~found, EXIT, np.where(same, STAY, move_to(0) + seen.category[following]))
    state = state_index(seen.age, seen.category, seen.clock)
    flat = (state * len(OUTCOMES) + outcome)[counted]
    weight = np.ones(len(seen.dates)) if weight is None else weight
    # A month from date d to d + 1 ends on d + 1; the last date ends no month counted.
    month_weight = weight[np.minimum(seen.date + 1, len(seen.dates) - 1)][counted]
    counts = np.bincount(flat, weights=month_weight, minlength=N_STATES * len(OUTCOMES))
    return counts.reshape(N_STATES, len(OUTCOMES)).astype(float)


def entrant_rows(seen: Panel) -> tuple[Stock, npt.NDArray[np.datetime64]]:
    """Children in care on a date (after the first) who were not a month before, and the date."""
    new = seen.entrant
    stock = Stock(seen.age[new], seen.category[new], seen.clock[new])
    return stock, seen.dates[seen.date[new]]


def seasonality(
    entrant_dates: npt.NDArray[np.datetime64],
    dates: npt.NDArray[np.datetime64],
    children: Floats,
    *,
    n_months: int,
) -> tuple[Floats, float, float]:
    """Month-of-year factors (or ones), the test's p-value, and the overdispersion κ."""
    month_of = dates.astype("datetime64[M]").astype(np.int64) % 12
    counts = np.bincount(np.searchsorted(dates, entrant_dates), minlength=len(dates)).astype(float)
    rate = counts.sum() / children.sum()
    flat = rate * children
    by_month = np.bincount(month_of, weights=counts, minlength=12)
    expected = np.bincount(month_of, weights=flat, minlength=12)
    p_value = float("nan")
    factors = np.ones(12)
    if n_months >= 24 and counts.sum() > 0:
        seen = expected > 0
        ratio = np.where(by_month > 0, by_month / np.where(seen, expected, 1), 1.0)
        g = 2 * float(np.sum(np.where(by_month > 0, by_month * np.log(ratio), 0.0)))
        p_value = float(stats.chi2.sf(g, df=int(seen.sum()) - 1))
        if p_value < SEASONALITY_ALPHA:
            factors = np.where(seen, by_month / np.where(seen, expected, 1), 1.0)
    mean = flat * factors[month_of]
    kappa = 0.0
    if mean.sum() > 0 and len(counts) > 2:
        kappa = max(0.0, float(np.sum((counts - mean) ** 2 - mean) / np.sum(mean**2)))
    return factors, p_value, kappa
