"""Monte Carlo projection over children, vectorised over paths and children with numpy.

Each path starts from the children in care at the origin. Every month each child in care
draws an outcome from the hazards of their state; then ages and times in placement move on
a month, a child who reaches 18 leaves, and the month's entrants join, each drawn from the
entrants seen in the window of the same age band (their age and first placement). Paths
also differ in their parameters: hazards are drawn from their posterior (a Dirichlet with
the shrinkage prior) and entry rates from theirs (a gamma), so intervals carry the
uncertainty of the fit as well as the chance of the months; monthly entrant counts are
Poisson, mixed with a gamma when the history was overdispersed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from cscmonitor.forecast.adjust import Adjustments
from cscmonitor.forecast.fit import Model
from cscmonitor.forecast.history import month_dates
from cscmonitor.forecast.states import (
    ADULT,
    AGE_BANDS,
    CATEGORIES,
    EXIT,
    N_STATES,
    OUTCOMES,
    STAY,
    age_band,
    state_key,
    state_table,
)

PATHS = 1000
QUANTILES = (0.5, 0.1, 0.9, 0.025, 0.975)
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Projection:
    model: Model
    dates: npt.NDArray[np.datetime64]  # the origin and each month after it
    stock: npt.NDArray[np.int32]  # (path, date, category) children in care
    child_weeks: Floats  # (path, month, category) weeks of care in each month after the origin

    @property
    def horizon(self) -> int:
        return len(self.dates) - 1


def path_hazards(model: Model, paths: int, rng: np.random.Generator, *, uncertain: bool) -> Floats:
    """(path, state, outcome) monthly probabilities: posterior draws, or the fit's for all."""
    if not uncertain:
        return np.broadcast_to(model.hazards, (paths, N_STATES, len(OUTCOMES)))
    alpha = model.counts + model.prior * model.pooled
    draws = rng.gamma(np.broadcast_to(alpha, (paths, *alpha.shape)))
    return draws / np.maximum(draws.sum(axis=-1, keepdims=True), 1e-300)


def entrant_numbers(
    model: Model,
    dates: npt.NDArray[np.datetime64],
    paths: int,
    rng: np.random.Generator,
    factors: Floats,
    *,
    uncertain: bool,
) -> Ints:
    """(path, month, age band) entrants joining on each date after the origin."""
    if uncertain:
        # Gamma posterior of a Poisson rate under a Jeffreys prior, one draw per path.
        rate = rng.gamma(model.entrant_counts + 0.5, size=(paths, len(AGE_BANDS)))
        rate = rate / model.exposure_10k
    else:
        rate = np.broadcast_to(model.entry_rate, (paths, len(AGE_BANDS)))
    # A band nobody entered at in the window has no entrant to draw a new one from.
    rate = np.where(model.entrant_counts > 0, rate, 0.0)
    month_of = dates.astype("datetime64[M]").astype(np.int64) % 12
    scale = model.population.on(dates) / 10_000 * model.seasonal[month_of]  # (month,)
    mean = rate[:, None, :] * scale[None, :, None] * factors[None, None, :]
    if model.overdispersion > 0:
        k = 1 / model.overdispersion
        mean = mean * rng.gamma(k, 1 / k, size=(paths, len(dates), 1))
    return rng.poisson(mean)


def simulate(
    model: Model,
    horizon: int,
    *,
    paths: int = PATHS,
    seed: int | None = 0,
    adjustments: Adjustments | None = None,
    uncertain: bool = True,
) -> Projection:
    """`paths` futures of `horizon` months from the model's origin."""
    if horizon < 1 or paths < 1:
        raise ValueError("horizon and paths must be at least 1")
    adjustments = adjustments or Adjustments()
    rng = np.random.default_rng(seed)
    dates = month_dates(model.origin, np.arange(horizon + 1))
    hazards = adjustments.apply(path_hazards(model, paths, rng, uncertain=uncertain))
    # Cumulative probabilities, one flat row per outcome, so one `take` serves every path.
    cumulative = np.cumsum(hazards, axis=-1).reshape(-1, len(OUTCOMES)).T.copy()
    arriving = entrant_numbers(
        model, dates[1:], paths, rng, adjustments.entry_factors(), uncertain=uncertain
    )
    # The children in care, across all paths, as flat arrays: those who leave are dropped
    # and each month's entrants appended, so the work follows the children in care.
    n0 = len(model.stock.age)
    path = np.repeat(np.arange(paths, dtype=np.int32), n0)
    category = np.tile(model.stock.category.astype(np.int8), paths)
    age = np.tile(model.stock.age.astype(np.int16), paths)
    duration = np.tile(model.stock.duration.astype(np.int16), paths)
    stock = np.zeros((paths, horizon + 1, len(CATEGORIES)), dtype=np.int32)
    stock[:, 0] = _count(path, category, paths)
    states = state_table()
    for month in range(horizon):
        row = path * N_STATES + states.take(state_key(age, category, duration))
        u = rng.random(len(row))
        # Most children stay put: only those who do not draw the rest of their outcome.
        going = np.flatnonzero(u > cumulative[STAY].take(row))
        outcome = np.ones(len(going), dtype=np.int8)
        for k in range(EXIT, len(OUTCOMES) - 1):
            outcome += u[going] > cumulative[k].take(row[going])
        moved = outcome > EXIT
        duration += 1
        duration[going[moved]] = 0
        category[going[moved]] = outcome[moved] - 2
        age += 1
        staying = age < ADULT
        staying[going[~moved]] = False
        joining = _entrants(model, arriving[:, month], rng)
        path = np.concatenate([path[staying], joining.path])
        category = np.concatenate([category[staying], joining.category])
        age = np.concatenate([age[staying], joining.age])
        duration = np.concatenate([duration[staying], np.zeros(len(joining.age), np.int16)])
        stock[:, month + 1] = _count(path, category, paths)
    days = np.diff(dates).astype(np.int64)
    child_weeks = (stock[:, :-1] + stock[:, 1:]) / 2 * (days / 7)[None, :, None]
    return Projection(model, dates, stock, child_weeks)


@dataclass(frozen=True)
class _Entrants:
    path: npt.NDArray[np.int32]
    age: npt.NDArray[np.int16]
    category: npt.NDArray[np.int8]


def _entrants(model: Model, arriving: Ints, rng: np.random.Generator) -> _Entrants:
    """A month's entrants, `arriving[path, band]` of them, each an entrant seen in the window
    in the same age band (their age and first placement), drawn with their recency weights."""
    paths, bands = arriving.shape
    cell = np.repeat(np.arange(paths * bands), arriving.ravel())
    band = cell % bands
    seen_band = age_band(model.entrants.age)
    order = np.argsort(seen_band, kind="stable")
    held = np.bincount(seen_band, minlength=bands)
    first = np.cumsum(held) - held
    # Each band's entrants are a run of `order`; a uniform point on the band's stretch of the
    # cumulative weights picks one. Only bands with entrants seen have a rate above zero, so
    # `held[band]` is never 0 here; the clip guards the run's ends against rounding.
    weight = model.entrant_weights[order]
    cumulative = np.cumsum(weight)
    band_weight = np.bincount(seen_band, weights=model.entrant_weights, minlength=bands)
    before = np.cumsum(band_weight) - band_weight
    point = before[band] + rng.random(len(band)) * band_weight[band]
    at = np.searchsorted(cumulative, point, side="right")
    pick = order[np.clip(at, first[band], first[band] + held[band] - 1)]
    return _Entrants(
        (cell // bands).astype(np.int32),
        model.entrants.age[pick].astype(np.int16),
        model.entrants.category[pick].astype(np.int8),
    )


def _count(path: npt.NDArray[np.int32], category: npt.NDArray[np.int8], paths: int) -> Ints:
    """(path, category) children in care."""
    n = len(CATEGORIES)
    return np.bincount(path * n + category, minlength=paths * n).reshape(paths, n)


def summary(projection: Projection) -> pd.DataFrame:
    """Per month after the origin and category (and `all`): the median and 80%, 95% intervals."""
    stock = projection.stock[:, 1:]
    with_total = np.concatenate([stock, stock.sum(axis=2, keepdims=True)], axis=2)
    # Quantiles that are counts some path reached, never a point between two.
    q = np.quantile(with_total, QUANTILES, axis=0, method="inverted_cdf")
    names = (*CATEGORIES, "all")
    months = pd.to_datetime(projection.dates[1:]).date
    frame = pd.DataFrame(
        {
            "month": np.repeat(months, len(names)),
            "category": np.tile(names, len(months)),
        }
    )
    for name, values in zip(
        ("forecast", "lower80", "upper80", "lower95", "upper95"), q, strict=True
    ):
        frame[name] = values.reshape(-1).astype(np.int64)  # counts some path reached
    return frame
