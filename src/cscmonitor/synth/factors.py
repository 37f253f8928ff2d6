"""Factors identified at assessment, drawn with England's published mix.

Each factor's chance at an assessment is England's DfE c3 figure of the census year (episodes
with the factor ÷ episodes with any factor identified, from the bundled
`data/ees/c3_factors_identified_at_end_of_assessment_2018_to_2025.csv`), so common factors
(parental mental health, domestic abuse) are common and rare ones (faith-linked abuse,
trafficking) rare, and an assessment has as many factors on average as c3 implies (the sum of
the chances: 2.6 to 2.8). Census years before the table's first use its first year, years
after its last its last.

Only codes valid in the census year's return (`data/returns/code_lists.csv`) are drawn. c3
publishes physical and sexual abuse "by whom not given" (18A, 19A) as the only codes to
2019-20 and as a residual beside 18B/18C and 19B/19C from 2020-21, which a few councils use
heavily and most not at all (England's mean rate is above most councils'). Synthetic councils
say by whom once they can: in a year where 18C/19C are valid, 18A's and 19A's share goes to the
adult-on-child code (18C, 19C), the larger part of each from 2020-21. c3's "x" (not
collected: 18B/18C/19B/19C to 2019-20, 24A to 2020-21) is never drawn. Factor 21 ("no
factors identified") is never drawn: it may not stand beside others.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import numpy as np
import numpy.typing as npt
import pandas as pd

from cscmonitor.returns import codes as code_lists

Ints = npt.NDArray[np.int64]

C3_FILE = "c3_factors_identified_at_end_of_assessment_2018_to_2025.csv"
EPISODES = "Episodes_with_assessment_factor"
# c3's column of each factor code; 8B stands for private fostering (8B to 8F are its kinds).
C3_CODES = {
    "Alcohol_Misuse_child": "1A", "Alcohol_Misuse_parent": "1B", "Alcohol_Misuse_person": "1C",
    "Drug_Misuse_child": "2A", "Drug_Misuse_parent": "2B", "Drug_Misuse_person": "2C",
    "Domestic_Abuse_child": "3A", "Domestic_Abuse_parent": "3B", "Domestic_Abuse_person": "3C",
    "Mental_Health_child": "4A", "Mental_Health_parent": "4B", "Mental_Health_person": "4C",
    "Learning_Disability_child": "5A", "Learning_Disability_parent": "5B",
    "Learning_Disability_person": "5C", "Physical_Disability_child": "6A",
    "Physical_Disability_parent": "6B", "Physical_Disability_person": "6C",
    "Young_Carer": "7A", "Privately_fostered": "8B", "Unaccompanied_asylum_seeker": "9A",
    "Going_missing": "10A", "Child_sexual_exploitation": "11A", "Trafficking": "12A",
    "Gangs": "13A", "Socially_unacceptable_behaviour": "14A", "Self_harm": "15A",
    "Neglect": "16A", "Emotional_Abuse": "17A", "Physical_Abuse_unknown": "18A",
    "Physical_Abuse_child_on_child": "18B", "Physical_Abuse_adult_on_child": "18C",
    "Sexual_Abuse_unknown": "19A", "Sexual_Abuse_child_on_child": "19B",
    "Sexual_Abuse_adult_on_child": "19C", "Female_Genital_Mutilation": "22A",
    "Faith_linked_abuse": "23A", "Child_criminal_exploitation": "24A", "Other": "20",
}  # fmt: skip
CODES = list(C3_CODES.values())
# Once the code on the right is valid (or when the one on the left is not), the left's share
# goes to it.
IN_PLACE_OF = {"18A": "18C", "19A": "19C"}
# Assessments drawn at a time (a block of uniforms is assessments × codes).
BLOCK = 100_000


@cache
def published_mix() -> pd.DataFrame:
    """England's chance of each factor per assessment by census year (rows), codes (columns)."""
    path = resources.files("cscmonitor").joinpath("data", "ees", C3_FILE)
    with resources.as_file(path) as csv:
        c3 = pd.read_csv(csv, dtype=str)
    england = c3[c3["geographic_level"] == "National"].set_index("time_period")
    counts = england[[EPISODES, *C3_CODES]].apply(pd.to_numeric, errors="coerce").fillna(0)
    mix = counts[list(C3_CODES)].div(counts[EPISODES], axis=0).rename(columns=C3_CODES)
    mix.index = mix.index.astype(int)
    return mix.sort_index()


def _valid(code: str, year: int) -> bool:
    first, last = code_lists.load()["assessment_factor"].codes[code]
    return (first is None or first <= year) and (last is None or year <= last)


@cache
def chances(census_year: int) -> npt.NDArray[np.float64]:
    """Each code's chance (in `CODES` order) at an assessment authorised in the census year."""
    mix = published_mix()
    row = mix.loc[min(max(census_year, mix.index.min()), mix.index.max())].copy()
    for code, instead in IN_PLACE_OF.items():
        if not _valid(code, census_year) or _valid(instead, census_year):
            row[instead] += row[code]
            row[code] = 0.0
    for code in CODES:
        if not _valid(code, census_year):
            row[code] = 0.0
    return row[CODES].to_numpy(dtype=float)


def draw(rng: np.random.Generator, census_year: Ints, most: int) -> Ints:
    """Factors of each assessment: indexes into `CODES`, at most `most` per assessment in
    `CODES` order, -1 past the last (one row per assessment, `most` columns).

    Each factor is drawn on its own with its chance of the assessment's census year; an
    assessment drawn with none gets one, in proportion to the chances."""
    n = len(census_year)
    chosen = np.full((n, most), -1, dtype=np.int64)
    for year in np.unique(census_year):
        p = chances(int(year))
        every = np.flatnonzero(census_year == year)
        for start in range(0, len(every), BLOCK):
            _draw_into(chosen, rng, every[start : start + BLOCK], p)
    return chosen


def _draw_into(
    chosen: Ints, rng: np.random.Generator, rows: Ints, p: npt.NDArray[np.float64]
) -> None:
    has = rng.random((len(rows), len(p)), dtype=np.float32) < p[None, :]
    none = ~has.any(axis=1)
    one = np.searchsorted(np.cumsum(p / p.sum()), rng.random(int(none.sum())), side="right")
    has[np.flatnonzero(none), np.minimum(one, len(p) - 1)] = True
    row, code = np.nonzero(has)
    slot = np.cumsum(has, axis=1, dtype=np.int8)[row, code] - 1
    keep = slot < chosen.shape[1]
    chosen[rows[row[keep]], slot[keep]] = code[keep]
