"""Who the children are: identifiers and characteristics that stay with a child across returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from cscmonitor.synth.dates import Days
from cscmonitor.synth.sampling import codes
from cscmonitor.synth.scenario import Section

if TYPE_CHECKING:
    from cscmonitor.synth.places import Places

Text = npt.NDArray[np.str_]

# UPN check letters skip I, O and S (DfE's unique pupil number algorithm).
UPN_LETTERS = np.array(list("ABCDEFGHJKLMNPQRTUVWXYZ"))
DISABILITIES = ["AUT", "BEH", "COMM", "CON", "HAND", "HEAR", "LD", "MOB", "PC", "VIS"]


@dataclass(frozen=True)
class Children:
    """One row per child, in the order children first came to the LA's attention."""

    dob: Days
    sex: npt.NDArray[np.int64]
    ethnicity: Text
    disability: Text
    child_id: Text
    upn: Text
    home_post: Text

    def __len__(self) -> int:
        return len(self.dob)


def describe(
    rng: np.random.Generator, dob: Days, la_code: str, section: Section, places: Places
) -> Children:
    """Identifiers and characteristics for children with the given dates of birth, living in
    the LA's postcode area."""
    n = len(dob)
    # Random 7-digit ids: sequential ids would leak the order children were simulated in.
    child_id = (rng.choice(9_000_000, size=n, replace=False) + 1_000_000).astype(str)
    disabled = rng.random(n) < section.number("disabled")
    disability = np.where(disabled, np.array(DISABILITIES)[rng.integers(0, 10, n)], "NONE")
    return Children(
        dob=dob,
        sex=rng.integers(1, 3, n),
        ethnicity=codes(rng, section.weights("ethnicity"), n),
        disability=disability,
        child_id=child_id,
        upn=upns(rng, dob, la_code),
        home_post=postcodes(rng, [places.home], places.districts, n),
    )


def upns(rng: np.random.Generator, dob: Days, la_code: str) -> Text:
    """Unique pupil numbers: check letter, LA code, school number, year of issue, serial."""
    n = len(dob)
    la = la_code if la_code.isdigit() and len(la_code) == 3 else "999"
    school = rng.integers(1000, 7000, n)
    # Issued when the child starts school, at about 4.
    issued = (dob.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1974) % 100
    serial = rng.integers(0, 1000, n)
    body = np.char.add(
        np.char.add(la, np.char.zfill(school.astype(str), 4)),
        np.char.add(np.char.zfill(issued.astype(str), 2), np.char.zfill(serial.astype(str), 3)),
    )
    digits = (
        body.astype("U12").view("U1").reshape(n, 12).astype(np.int64) if n else np.empty((0, 12))
    )
    check = (digits * np.arange(2, 14)).sum(axis=1).astype(np.int64) % 23
    return np.char.add(UPN_LETTERS[check], body)


def postcodes(rng: np.random.Generator, areas: list[str], districts: range, n: int) -> Text:
    """Full postcodes in the given areas and districts (e.g. DN4 5QT)."""
    letters = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))
    outward = np.char.add(
        np.array(areas)[rng.integers(0, len(areas), n)],
        rng.integers(districts.start, districts.stop, n).astype(str),
    )
    inward = np.char.add(
        rng.integers(0, 10, n).astype(str),
        np.char.add(letters[rng.integers(0, 20, n)], letters[rng.integers(0, 20, n)]),
    )
    return np.char.add(np.char.add(outward, " "), inward)
