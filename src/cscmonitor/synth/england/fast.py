"""Faster forms of the synth helpers for national volumes: the same draws' distributions."""

from __future__ import annotations

from functools import cache

import numpy as np
import numpy.typing as npt

from cscmonitor.synth.dates import add_months, year_starting
from cscmonitor.synth.england.text import DAYS, FIRST_DAY
from cscmonitor.synth.sampling import uniform_by_rank

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


def stratified(rng: np.random.Generator, keys: npt.ArrayLike) -> Floats:
    """As `sampling.stratified_uniform`: within each group of size n, one uniform in each
    [k/n, (k+1)/n), in random order.

    Shuffling, then a stable sort on the group keys (a radix sort when they fit 16 bits),
    orders each group randomly faster than a two-key sort of millions of rows.
    """
    key = np.asarray(keys, dtype=np.int64)
    n = len(key)
    if n == 0:
        return np.empty(0)
    shuffled = rng.permutation(n)
    narrow = key[shuffled]
    if narrow.max() < 1 << 16 and narrow.min() >= 0:
        narrow = narrow.astype(np.uint16)
    order = shuffled[np.argsort(narrow, kind="stable")]
    return uniform_by_rank(rng, key, order)


@cache
def _shifted(months: int) -> Ints:
    return add_months(np.arange(FIRST_DAY, FIRST_DAY + DAYS, dtype=np.int64), months)


@cache
def _april_years() -> Ints:
    return year_starting(np.arange(FIRST_DAY, FIRST_DAY + DAYS, dtype=np.int64), 4, 1)


def months_later(days: npt.ArrayLike, months: int) -> Ints:
    """`dates.add_months` by table look-up (days from 1900 to 2100)."""
    return _shifted(months)[np.asarray(days, dtype=np.int64) - FIRST_DAY]


def april_year(days: npt.ArrayLike) -> Ints:
    """`dates.year_starting(days, 4, 1)` by table look-up."""
    return _april_years()[np.asarray(days, dtype=np.int64) - FIRST_DAY]
