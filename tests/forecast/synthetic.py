"""Histories generated with fixed monthly rates, to check the fit recovers them.

Every child is aged 10 at the start (band 10 to 15, which they do not leave within four
years); each month a child in care draws one outcome from `hazards[category, duration band]`;
entrants arrive as Poisson counts at `entry_per_10k` per 10,000 of `population` children
(one rate, or one per month generated; times a month-of-year factor), each in fostering or
residential. Episodes are whole months
from the first of a month, so the fit sees exactly the months generated.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from cscmonitor.forecast.fit import Population
from cscmonitor.forecast.history import FAR, History, month_dates
from cscmonitor.forecast.states import CATEGORIES, EXIT, OUTCOMES

START = dt.date(2012, 4, 1)
# The generator's own bands of time in placement (under 3 months, 3 to 11, 1 year, 2 years
# and over): coarser than the model's, which must recover them band by band.
GENERATED_EDGES = np.array([3, 12, 24])
FOSTERING, RESIDENTIAL = CATEGORIES.index("fostering"), CATEGORIES.index("residential")


def hazards() -> np.ndarray:
    """(category, generated duration band, outcome): fostering leaves more in its first 3
    months."""
    h = np.zeros((len(CATEGORIES), 4, len(OUTCOMES)))
    h[FOSTERING, :, EXIT] = [0.06, 0.03, 0.02, 0.02]
    h[FOSTERING, :, 2 + RESIDENTIAL] = 0.01
    h[FOSTERING, :, 2 + FOSTERING] = 0.02  # a new foster placement
    h[RESIDENTIAL, :, EXIT] = 0.04
    h[RESIDENTIAL, :, 2 + FOSTERING] = 0.05
    for c in range(len(CATEGORIES)):
        h[c, :, 0] = 1 - h[c, :, 1:].sum(axis=1)
    h[2:, :, 0] = 1.0  # supported and other: nobody is there
    return h


def generate(
    rng: np.random.Generator,
    *,
    months: int = 48,
    initial: int = 400,
    entry_per_10k: float | np.ndarray = 4.0,
    population: float = 50_000,
    seasonal: np.ndarray | None = None,
) -> tuple[History, Population]:
    h = hazards()
    dates = month_dates(START, np.arange(months + 1))
    seasonal = np.ones(12) if seasonal is None else seasonal
    entry = np.broadcast_to(np.asarray(entry_per_10k, dtype=float), (months,))
    n = initial
    category = np.where(rng.random(n) < 0.8, FOSTERING, RESIDENTIAL)
    started = -rng.integers(0, 36, n)  # month index of the placement's start
    in_care = np.ones(n, bool)
    born = np.zeros(n, np.int64)  # month index of birth: all aged 10 at the start
    born[:] = -120
    rows: list[tuple[np.ndarray, ...]] = []  # (child, start index, end index, category)
    for j in range(months):
        active = np.flatnonzero(in_care)
        band = np.searchsorted(GENERATED_EDGES, j - started[active], side="right")
        p = h[category[active], band]
        outcome = (rng.random(len(active))[:, None] > np.cumsum(p, axis=1)).sum(axis=1)
        ended = active[outcome > 0]
        rows.append((ended, started[ended], np.full(len(ended), j + 1), category[ended]))
        moving = outcome[outcome > 0] > EXIT
        in_care[ended[~moving]] = False
        category[ended[moving]] = outcome[outcome > 0][moving] - 2
        started[ended[moving]] = j + 1
        month = (dates[j + 1].astype("datetime64[M]").astype(np.int64)) % 12
        new = rng.poisson(entry[j] * population / 10_000 * seasonal[month])
        category = np.concatenate([category, np.where(rng.random(new) < 0.7, 0, 1)])
        started = np.concatenate([started, np.full(new, j + 1)])
        in_care = np.concatenate([in_care, np.ones(new, bool)])
        born = np.concatenate([born, np.full(new, j + 1 - 120)])
    still = np.flatnonzero(in_care)
    rows.append((still, started[still], np.full(len(still), -1), category[still]))
    child, first, last, cat = (np.concatenate(c) for c in zip(*rows, strict=True))
    base = np.datetime64(START, "M")
    decom = (base + first).astype("datetime64[D]")
    dec = np.where(last < 0, FAR, (base + np.maximum(last, 0)).astype("datetime64[D]"))
    history = History(
        la_code="999",
        child=child.astype(np.int64),
        birth=(base + born[child]).astype("datetime64[D]"),
        decom=decom,
        dec=dec,
        placement_start=decom,
        category=cat.astype(np.int64),
        provider=np.where(cat == FOSTERING, "PR1", "PR4"),
        start=START,
        end=dates[-1].item(),
    )
    return history, Population(np.array([2000]), np.array([population]))


def survival(days: np.ndarray, short_share: float, short_mean: float, long_mean: float):
    """P(a period of care lasts more than `days` days) under `generate_days`' mixture."""
    t = np.asarray(days, dtype=float)
    return short_share * np.exp(-t / short_mean) + (1 - short_share) * np.exp(-t / long_mean)


def generate_days(
    rng: np.random.Generator,
    *,
    years: int = 8,
    per_day: float = 2.0,
    short_share: float = 0.2,
    short_mean: float = 20.0,
    long_mean: float = 600.0,
    moves_per_month: float = 0.04,
    population: float = 50_000,
) -> tuple[History, Population]:
    """A history in days, with short stays: `per_day` children a day (Poisson) come into
    care aged 6, all fostered; each period of care lasts 1 + an exponential number of days
    (mean `short_mean` for a `short_share` of them, `long_mean` for the rest), so
    `survival(t)` is the chance of still being in care t days after entering. Children
    move to a new foster placement at `moves_per_month` a month whatever their time in care
    (each move restarts the clock of time in placement, not of time in care). Nobody turns
    18 (the longest possible stay from entry at 6 is `years`)."""
    first = np.datetime64(START, "D")
    span = int((np.datetime64(START.replace(year=START.year + years), "D") - first).astype(int))
    entered = np.sort(rng.integers(0, span, rng.poisson(per_day * span)))
    n = len(entered)
    short = rng.random(n) < short_share
    length = 1 + np.floor(rng.exponential(np.where(short, short_mean, long_mean))).astype(int)
    left = entered + length  # the day care ceased: in care on entered .. left - 1
    # Moves: a Poisson process in days while in care.
    rate = moves_per_month * 12 / 365.25
    moves = rng.poisson(rate * length)
    mover = np.repeat(np.arange(n), moves)
    moved = entered[mover] + 1 + np.floor(rng.random(len(mover)) * (length[mover] - 1))
    moved = moved.astype(int)
    child = np.concatenate([np.arange(n), mover])
    decom = np.concatenate([entered, moved])
    order = np.lexsort((decom, child))
    child, decom = child[order], decom[order]
    keep = np.ones(len(child), bool)
    keep[1:] = (child[1:] != child[:-1]) | (decom[1:] != decom[:-1])  # two moves on one day
    child, decom = child[keep], decom[keep]
    last = np.ones(len(child), bool)
    last[:-1] = child[1:] != child[:-1]
    dec = np.where(last, left[child], np.roll(decom, -1))
    decom_days, dec_days = first + decom, first + dec
    end = first + span - 1
    return History(
        la_code="999",
        child=child.astype(np.int64),
        birth=(first + entered[child]) - np.timedelta64(6 * 365 + 2, "D"),
        decom=decom_days,
        dec=np.where(dec_days > end, FAR, dec_days),
        placement_start=decom_days,
        category=np.full(len(child), FOSTERING, np.int64),
        provider=np.full(len(child), "PR1"),
        start=START,
        end=end.item(),
    ), Population(np.array([2000]), np.array([population]))
