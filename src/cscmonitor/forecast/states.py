"""The model's states: age band × placement category × banded time in the current placement.

Bands are closed below and open above, in whole months (a child is 5 from the month of
their fifth birthday). A child leaves care at 18 whatever the hazards say.

A child's first month in care is a band of its own: a child seen in care on a monthly date
who was not on the one before is given the duration `FIRST_MONTH` (−1) for that month, so
entrants, a tenth of whom leave within the month (short stays: a few weeks' accommodation
while a family is assessed), do not share the hazards of children who have just moved
placement after months or years in care. A new placement restarts the clock at 0 (the band
"under 1 month"); a month after entering care the clock reads 1, as it would have.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

CATEGORIES = ("fostering", "residential", "supported", "other")
AGE_BANDS = ("under 1", "1 to 4", "5 to 9", "10 to 15", "16 and over")
AGE_EDGES = np.array([12, 60, 120, 192])  # months: 1, 5, 10 and 16 years
DURATION_BANDS = (
    "first month in care",
    "under 1 month",
    "1 to 2 months",
    "3 to 11 months",
    "1 year",
    "2 years and over",
)
DURATION_EDGES = np.array([0, 1, 3, 12, 24])  # months in the current placement
FIRST_MONTH = -1  # the duration of a child in their first month in care
ADULT = 18 * 12  # months: care ends at 18

# Outcomes of a month in care: stay in the placement, leave care, or start a new placement
# in one of the categories (a move within a category restarts the clock too).
STAY, EXIT = 0, 1
OUTCOMES = ("stay", "leave care", *(f"move to {c}" for c in CATEGORIES))
N_STATES = len(AGE_BANDS) * len(CATEGORIES) * len(DURATION_BANDS)

Ints = npt.NDArray[np.integer]


def age_band(age_months: Ints) -> Ints:
    return np.searchsorted(AGE_EDGES, age_months, side="right")


def duration_band(months: Ints) -> Ints:
    return np.searchsorted(DURATION_EDGES, months, side="right")


def state_index(age_months: Ints, category: Ints, duration_months: Ints) -> Ints:
    """One index per (age band, category, duration band), age band slowest."""
    n_cat, n_dur = len(CATEGORIES), len(DURATION_BANDS)
    return (age_band(age_months) * n_cat + category) * n_dur + duration_band(duration_months)


def move_to(category: int) -> int:
    """The outcome index of a new placement in `category`."""
    return 2 + category


def state_table() -> Ints:
    """The state of every (age, category, duration) in whole months, ages to 18 and durations
    from `FIRST_MONTH` to 2 years (longer ones share the last band), flattened for `np.take`:
    a lookup table is much faster than banding millions of children each simulated month."""
    age = np.arange(ADULT + 1)[:, None, None]
    category = np.arange(len(CATEGORIES))[None, :, None]
    duration = np.arange(FIRST_MONTH, DURATION_EDGES[-1] + 1)[None, None, :]
    return state_index(age, category, duration).ravel()


def state_key(age: Ints, category: Ints, duration: Ints) -> Ints:
    """The position in `state_table()` of each child (ages and durations clipped)."""
    longest = int(DURATION_EDGES[-1])
    width = longest - FIRST_MONTH + 1
    a = np.minimum(age, ADULT).astype(np.int64)
    return (a * len(CATEGORIES) + category) * width + np.minimum(duration, longest) - FIRST_MONTH
