"""Monte Carlo projection over children, vectorised over paths and children with numpy.

Each path starts from the children in care at the origin. Every month each child in care
draws an outcome from the hazards of their state; then ages and times in placement move on
a month, a child who reaches 18 leaves, and the month's entrants join, each drawn from the
entrants seen in the window of the same age band (their age and first placement), in their
first month in care (`states.FIRST_MONTH`), as the fit counts them. Paths
also differ in their parameters: hazards are drawn from their posterior (a Dirichlet with
the shrinkage prior), entry rates from theirs (a gamma) and the mix of entrants from its
own (a Dirichlet over the entrants seen: the Bayesian bootstrap), so intervals carry the
uncertainty of the fit as well as the chance of the months; monthly entrant counts are
Poisson, mixed with a gamma when the history was overdispersed.

The forecast itself is the median of a second set of paths run at the fitted rates, with only
the chance of the months: drawing a small state's hazards per path lifts the median, since
the share of children still in care after n months, (1 − h)^n, is convex in the hazard h
(Jensen), and over a year that lifted the demo council's forecast total by about two children
in a steady state where the fitted rates reproduce the window's flows (docs/forecast.md,
"The forecast line"). The intervals stay the quantiles of the paths that draw the rates too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

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
    FIRST_MONTH,
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
    # The same at the fitted rates (the forecast line's paths); None: `stock` is that already.
    central_stock: npt.NDArray[np.int32] | None = None
    central_child_weeks: Floats | None = None

    @property
    def horizon(self) -> int:
        return len(self.dates) - 1

    def central(self) -> Projection:
        """The paths run at the fitted rates, whose median is the forecast."""
        if self.central_stock is None or self.central_child_weeks is None:
            return self
        return Projection(self.model, self.dates, self.central_stock, self.central_child_weeks)


def quantiles(paths: npt.ArrayLike, central: npt.ArrayLike, *, counts: bool = False) -> Floats:
    """Along a new first axis, as `QUANTILES`: the forecast (the median of `central`, the
    values of the paths at the fitted rates) and the 80% and 95% interval ends (quantiles of
    `paths`, which draw the rates too). With `counts`, values some path reached."""
    method: Literal["inverted_cdf", "linear"] = "inverted_cdf" if counts else "linear"
    q = np.quantile(np.asarray(paths, float), QUANTILES, axis=0, method=method)
    q[0] = np.quantile(np.asarray(central, float), QUANTILES[0], axis=0, method=method)
    return np.asarray(q, float)


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
    """`paths` futures of `horizon` months from the model's origin, each with rates drawn from
    their posterior, and as many at the fitted rates for the forecast line (`uncertain=False`:
    only those)."""
    if horizon < 1 or paths < 1:
        raise ValueError("horizon and paths must be at least 1")
    adjustments = adjustments or Adjustments()
    dates = month_dates(model.origin, np.arange(horizon + 1))
    rng = np.random.default_rng(seed)
    stock = _paths(model, dates, paths, rng, adjustments, uncertain=uncertain)
    weeks = _child_weeks(stock, dates)
    if not uncertain:
        return Projection(model, dates, stock, weeks)
    # Its own stream, so the uncertain paths are those a seed always gave.
    central_rng = np.random.default_rng(None if seed is None else [seed, 1])
    central = _paths(model, dates, paths, central_rng, adjustments, uncertain=False)
    return Projection(model, dates, stock, weeks, central, _child_weeks(central, dates))


def _child_weeks(stock: npt.NDArray[np.int32], dates: npt.NDArray[np.datetime64]) -> Floats:
    days = np.diff(dates).astype(np.int64)
    return (stock[:, :-1] + stock[:, 1:]) / 2 * (days / 7)[None, :, None]


def _paths(
    model: Model,
    dates: npt.NDArray[np.datetime64],
    paths: int,
    rng: np.random.Generator,
    adjustments: Adjustments,
    *,
    uncertain: bool,
) -> npt.NDArray[np.int32]:
    """(path, date, category) children in care on each date."""
    horizon = len(dates) - 1
    hazards = adjustments.apply(path_hazards(model, paths, rng, uncertain=uncertain))
    # Cumulative probabilities, one flat row per outcome, so one `take` serves every path.
    cumulative = np.cumsum(hazards, axis=-1).reshape(-1, len(OUTCOMES)).T.copy()
    arriving = entrant_numbers(
        model, dates[1:], paths, rng, adjustments.entry_factors(), uncertain=uncertain
    )
    mix = entrant_mix(model, paths, rng if uncertain else None)
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
        # A month on: an entrant's first month in care (FIRST_MONTH) is then 1 month in.
        duration = np.maximum(duration, 0) + 1
        duration[going[moved]] = 0
        category[going[moved]] = outcome[moved] - 2
        age += 1
        staying = age < ADULT
        staying[going[~moved]] = False
        joining = _entrants(model, arriving[:, month], rng, mix)
        path = np.concatenate([path[staying], joining.path])
        category = np.concatenate([category[staying], joining.category])
        age = np.concatenate([age[staying], joining.age])
        duration = np.concatenate(
            [duration[staying], np.full(len(joining.age), FIRST_MONTH, np.int16)]
        )
        stock[:, month + 1] = _count(path, category, paths)
    return stock


@dataclass(frozen=True)
class _Entrants:
    path: npt.NDArray[np.int32]
    age: npt.NDArray[np.int16]
    category: npt.NDArray[np.int8]


@dataclass(frozen=True)
class EntrantMix:
    """Each path's chance of a new entrant copying each entrant seen, by age band: the
    entrants seen sorted by band (`order`), and per path the running total of their weights
    over all paths one after another, so one `searchsorted` draws for every path at once."""

    order: Ints  # entrants seen, sorted by age band
    first: Ints  # (band,) where each band's run starts in `order`
    held: Ints  # (band,) entrants seen in each band
    cumulative: Floats  # (path × seen,) running total of the weights, path after path
    before: Floats  # (path, band) running total at the start of each path's band run
    band_weight: Floats  # (path, band) total weight of each band in each path


def entrant_mix(model: Model, paths: int, rng: np.random.Generator | None = None) -> EntrantMix:
    """The weights new entrants are drawn with: with `rng`, each path's own draw from the
    posterior of the mix (a Dirichlet whose parameters are the entrants' recency weights,
    all ones without a half life: the Bayesian bootstrap), so a mix seen in a few dozen
    entrants carries its uncertainty into the intervals; without, the weights themselves."""
    bands = len(AGE_BANDS)
    seen_band = age_band(model.entrants.age)
    order = np.argsort(seen_band, kind="stable")
    held = np.bincount(seen_band, minlength=bands)
    ordered = model.entrant_weights[order]
    if rng is None:
        weights = np.broadcast_to(ordered, (paths, len(order)))
    else:
        weights = rng.gamma(np.broadcast_to(ordered, (paths, len(order))))
    first = np.cumsum(held) - held
    by_band = np.stack(
        [weights[:, f : f + n].sum(axis=1) for f, n in zip(first, held, strict=True)], axis=1
    )
    row_start = np.cumsum(by_band.sum(axis=1)) - by_band.sum(axis=1)
    before = row_start[:, None] + np.cumsum(by_band, axis=1) - by_band
    return EntrantMix(order, first, held, np.cumsum(weights.ravel()), before, by_band)


def _entrants(
    model: Model, arriving: Ints, rng: np.random.Generator, mix: EntrantMix | None = None
) -> _Entrants:
    """A month's entrants, `arriving[path, band]` of them, each an entrant seen in the window
    in the same age band (their age and first placement), drawn with the path's weights
    (`entrant_mix`; the recency weights when none is given)."""
    paths, bands = arriving.shape
    mix = mix or entrant_mix(model, paths)
    cell = np.repeat(np.arange(paths * bands), arriving.ravel())
    path, band = cell // bands, cell % bands
    # Each path's band is a stretch of the running total; a uniform point on it picks one.
    # Only bands with entrants seen have a rate above zero, so `held[band]` is never 0 here;
    # the clip guards the run's ends against rounding.
    point = mix.before[path, band] + rng.random(len(band)) * mix.band_weight[path, band]
    at = np.searchsorted(mix.cumulative, point, side="right") - path * len(mix.order)
    first = mix.first[band]
    pick = mix.order[np.clip(at, first, first + mix.held[band] - 1)]
    return _Entrants(
        path.astype(np.int32),
        model.entrants.age[pick].astype(np.int16),
        model.entrants.category[pick].astype(np.int8),
    )


def _count(path: npt.NDArray[np.int32], category: npt.NDArray[np.int8], paths: int) -> Ints:
    """(path, category) children in care."""
    n = len(CATEGORIES)
    return np.bincount(path * n + category, minlength=paths * n).reshape(paths, n)


def summary(projection: Projection) -> pd.DataFrame:
    """Per month after the origin and category (and `all`): the median and 80%, 95% intervals."""

    def with_total(stock: npt.NDArray[np.int32]) -> npt.NDArray[np.int32]:
        return np.concatenate([stock[:, 1:], stock[:, 1:].sum(axis=2, keepdims=True)], axis=2)

    # Quantiles that are counts some path reached, never a point between two.
    central = with_total(projection.central().stock)
    q = quantiles(with_total(projection.stock), central, counts=True)
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
