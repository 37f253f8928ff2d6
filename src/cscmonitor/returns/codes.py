"""Code lists of every coded field, with the collection years each code is valid in.

Kept as data (`data/returns/code_lists.csv`: `list, code, first_year, last_year, meaning`),
not code: a new return version changes rows, not this module. A year is the collection year
named by the calendar year it ends in (2025 is 2024-25); a code is valid in a year when
`first_year <= year <= last_year`, a blank year leaving that side open. The sources are
named in `data/returns/README.md`.

Years are checked only inside the span the guides cover (`CHECKED_YEARS`): outside it a
code is valid when it is in the list at all, because there is no schema to hold it to.
A code that is in the list but not valid in the return's year is listed as a warning and
kept (it means something; it was the rule in another year, as H5 beside K3 or Z1 beside
Z11–Z14 across the 2025 boundary, which the DfE validator also lets through); a code in no
year's list is an error and the cell is loaded blank.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

CHECKED_YEARS = range(2017, 2028)
FILE = "code_lists.csv"
COLUMNS = ("list", "code", "first_year", "last_year", "meaning")

Years = tuple[int | None, int | None]


@dataclass(frozen=True)
class CodeList:
    name: str
    codes: Mapping[str, Years]
    meanings: Mapping[str, str]

    def known(self) -> list[str]:
        return sorted(self.codes)

    def valid_in(self, year: int) -> list[str]:
        """The codes valid in a collection year (all known codes outside the checked years)."""
        if year not in CHECKED_YEARS:
            return self.known()
        return sorted(
            code
            for code, (first, last) in self.codes.items()
            if (first is None or first <= year) and (last is None or year <= last)
        )

    def years(self, code: str) -> str:
        first, last = self.codes[code]
        if first is None and last is None:
            return "all years"
        if last is None:
            return f"{first} onwards"
        if first is None:
            return f"up to {last}"
        return f"{first}-{last}"


def _year(text: str, *, row: int, field: str) -> int | None:
    if not text.strip():
        return None
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{FILE} row {row}, {field}: {text!r} is not a year") from None


@cache
def load() -> dict[str, CodeList]:
    """Every list in the bundled file, by name; a malformed row names its row and field."""
    text = files("cscmonitor").joinpath("data", "returns", FILE).read_text("utf-8")
    reader = csv.DictReader(text.splitlines())
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise ValueError(f"{FILE}: columns {reader.fieldnames}, expected {', '.join(COLUMNS)}")
    codes: dict[str, dict[str, Years]] = {}
    meanings: dict[str, dict[str, str]] = {}
    for row, line in enumerate(reader, start=2):
        name, code = line["list"], line["code"]
        if code in codes.get(name, {}):
            raise ValueError(f"{FILE} row {row}: code {code!r} is in list {name!r} twice")
        first = _year(line["first_year"], row=row, field="first_year")
        last = _year(line["last_year"], row=row, field="last_year")
        codes.setdefault(name, {})[code] = (first, last)
        meanings.setdefault(name, {})[code] = line["meaning"]
    return {name: CodeList(name, codes[name], meanings[name]) for name in codes}


LISTS: Mapping[str, CodeList] = load()
