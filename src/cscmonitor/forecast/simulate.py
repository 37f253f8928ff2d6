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
    age_band,
    state_index,
)

PATHS = 1000
OUT = -1  # a slot whose child is not in care (left, or not yet come)
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


def path_hazards(
    model: Model, paths: int, rng: np.random.Generator, *, uncertain: bool
) -> Floats:
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
    # Cumulative probabilities, flattened so one gather per outcome serves every path.
    cumulative = np.cumsum(hazards, axis=-1).reshape(-1, len(OUTCOMES))
    arriving = entrant_numbers(
        model, dates[1:], paths, rng, adjustments.entry_factors(), uncertain=uncertain
    )
    # Slots: the children at the origin, then each month's entrants by age band, each block
    # as wide as the most entrants any path has in it.
    capacity = arriving.max(axis=0)  # (month, band)
    block = np.repeat(np.arange(capacity.size), capacity.ravel())
    rank = np.arange(block.size) - np.repeat(np.cumsum(capacity.ravel()) - capacity.ravel(), capacity.ravel())
    block_month, block_band = block // len(AGE_BANDS), block % len(AGE_BANDS)
    n0 = len(model.stock.age)
    width = n0 + np.concatenate([[0], np.cumsum(capacity.sum(axis=1))])  # slots in use per month
    joins = arriving[:, block_month, block_band] > rank  # (path, entrant slot)
    drawn = _draw_entrants(model, block_band, paths, rng)

    category = np.full((paths, width[-1]), OUT, dtype=np.int8)
    age = np.zeros((paths, width[-1]), dtype=np.int16)
    duration = np.zeros((paths, width[-1]), dtype=np.int16)
    category[:, :n0] = model.stock.category
    age[:, :n0] = model.stock.age
    duration[:, :n0] = model.stock.duration
    stock = np.zeros((paths, horizon + 1, len(CATEGORIES)), dtype=np.int32)
    stock[:, 0] = _count(category[:, :n0])
    path_offset = (np.arange(paths) * N_STATES)[:, None]
    for month in range(horizon):
        w = width[month]
        cat, ag, du = category[:, :w], age[:, :w], duration[:, :w]
        in_care = cat != OUT
        row = path_offset + state_index(ag, np.maximum(cat, 0), du)
        u = rng.random(cat.shape)
        outcome = np.zeros(cat.shape, dtype=np.int8)
        for k in range(len(OUTCOMES) - 1):
            outcome += u > cumulative[row, k]
        moved = outcome > EXIT
        cat[:] = np.where(in_care & (outcome == EXIT), OUT, np.where(in_care & moved, outcome - 2, cat))
        du[:] = np.where(moved, 0, du + 1)
        ag += 1
        cat[ag >= ADULT] = OUT
        lo, hi = width[month], width[month + 1]
        new = joins[:, lo - n0 : hi - n0]
        category[:, lo:hi] = np.where(new, drawn.category[:, lo - n0 : hi - n0], OUT)
        age[:, lo:hi] = drawn.age[:, lo - n0 : hi - n0]
        duration[:, lo:hi] = 0
        stock[:, month + 1] = _count(category[:, :hi])
    days = np.diff(dates).astype(np.int64)
    child_weeks = (stock[:, :-1] + stock[:, 1:]) / 2 * (days / 7)[None, :, None]
    return Projection(model, dates, stock, child_weeks)


@dataclass(frozen=True)
class _Entrants:
    age: npt.NDArray[np.int16]
    category: npt.NDArray[np.int8]


def _draw_entrants(
    model: Model, band: Ints, paths: int, rng: np.random.Generator
) -> _Entrants:
    """For each path and entrant slot, an entrant seen in the window of the slot's age band."""
    seen_band = age_band(model.entrants.age)
    order = np.argsort(seen_band, kind="stable")
    held = np.bincount(seen_band, minlength=len(AGE_BANDS))
    first = np.cumsum(held) - held
    # Slots exist only for bands with entrants seen (the others' rate is zero).
    pick = order[first[band] + (rng.random((paths, len(band))) * held[band]).astype(np.int64)]
    return _Entrants(
        model.entrants.age[pick].astype(np.int16), model.entrants.category[pick].astype(np.int8)
    )


def _count(category: npt.NDArray[np.int8]) -> npt.NDArray[np.int32]:
    """(path, category) children in care."""
    return np.stack([(category == k).sum(axis=1) for k in range(len(CATEGORIES))], axis=1)


def summary(projection: Projection) -> pd.DataFrame:
    """Per month after the origin and category (and `all`): the median and 80%, 95% intervals."""
    stock = projection.stock[:, 1:]
    with_total = np.concatenate([stock, stock.sum(axis=2, keepdims=True)], axis=2)
    q = np.quantile(with_total, QUANTILES, axis=0)  # (quantile, month, category)
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
        frame[name] = values.reshape(-1)
    return frame
