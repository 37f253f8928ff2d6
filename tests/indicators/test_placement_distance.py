"""CLA_20MILES on a hand-made SSDA903 return (tests/data/placement_distance, the 2024-25
return of LA 999) and the postcode lookup tests/data/postcodes/lookup.csv, whose grid
references put ZZ1 2AA 10 km (6.2 miles) from ZZ1 1AA, ZZ2 1AA 40 km (24.9 miles),
ZZ2 2AA 32.2 km (20.009 miles, 20.0 to 1 dp) and ZZ3 1AA 32.3 km (20.07, 20.1).

Looked after at 31 Mar 2025 (an episode open then, LS not V3/V4), by the open episode's
distance from home:
  D1  ZZ1 1AA -> ZZ2 1AA: 24.9 miles                             -> counted
  D2  ZZ1 1AA -> ZZ1 2AA: 6.2 miles                              -> in the cohort only
  D3  ZZ1 1AA -> ZZ2 2AA: 20.0 once rounded, not over 20.0       -> in the cohort only
  D4  "zz1  1aa" -> "ZZ31AA" (normalised: case, spaces): 20.1    -> counted
  D5  HOME_POST blank: not known, stays in the denominator       -> in the cohort only
  D6  PL_POST ZZ9 9ZZ is not in the lookup: not known            -> in the cohort only
  D7  PL_DISTANCE 35.5 given (its postcodes would give 6.2)      -> counted (given wins)
  D8  PL_DISTANCE 999.9 given: not known (postcodes give 24.9)   -> in the cohort only
  D11 24.9 miles until 1 Sep 2024, then 6.2 in the open episode  -> in the cohort only
  D9  24.9 miles, but the episode ended on 31 Mar 2025           -> not in the cohort
  D10 24.9 miles, LS V3 (short breaks)                           -> not in the cohort
Cohort 9 (D1–D8, D11); counted D1, D4, D7 = 3.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from cscmonitor.settings import Settings
from tests.conftest import DATA

FY2024 = "2024-04-01:2025-03-31"
LOOKUP = DATA / "postcodes" / "lookup.csv"


@pytest.fixture
def settings(tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    """The tests' settings, with the hand-made postcode lookup unless a test asks for none."""
    return Settings(
        data_dir=tmp_path / "data",
        pseudonym_key=SecretStr("test-key-not-secret"),
        postcode_lookup=getattr(request, "param", LOOKUP),
    )


def test_placed_over_20_miles_by_hand(computed):
    year = computed(["placement_distance"], "CLA_20MILES", [FY2024]).loc["2024-04-01"]
    assert (year.numerator, year.denominator) == (3, 9)
    assert year.value == pytest.approx(3 / 9 * 100)
    assert year.status == "ok"


@pytest.mark.parametrize("settings", [None], indirect=True)
def test_without_the_lookup_only_given_distances_are_known(computed):
    """No postcode lookup: only the PL_DISTANCEs the return gives are known (D7's 35.5;
    D8's 999.9 means not known). The cohort stays 9; counted D7 alone = 1."""
    year = computed(["placement_distance"], "CLA_20MILES", [FY2024]).loc["2024-04-01"]
    assert (year.numerator, year.denominator) == (1, 9)


@pytest.mark.parametrize("settings", [None], indirect=True)
def test_no_distance_known_is_no_figure_not_zero(computed):
    """tests/data/placement_distance_none: the same return without its PL_DISTANCE column,
    read with no postcode lookup, so no child's distance is known. The figure is not 0 of 9
    but no value: the council's cohort is left out whole."""
    year = computed(["placement_distance_none"], "CLA_20MILES", [FY2024]).loc["2024-04-01"]
    assert year.denominator == 0
    assert year.status == "insufficient data"


class _WrittenBeforeDistances:
    """A snapshot's tables as written before ingest kept distances: no distance column."""

    def __init__(self, tables: object) -> None:
        self._tables = tables

    def table(self, name: str):  # type: ignore[no-untyped-def]
        t = self._tables.table(name)  # type: ignore[attr-defined]
        return t.drop("placement_distance_miles") if "placement_distance_miles" in t.columns else t


@pytest.mark.parametrize("settings", [None], indirect=True)
def test_a_snapshot_without_distances_is_no_figure_not_an_error(settings, backend):
    """A warehouse written before distances were kept (the framework view reads every
    indicator from it): every child's distance is not known, so no figure, as above."""
    from cscmonitor.backends import SnapshotTables
    from cscmonitor.indicators.engine import compute
    from cscmonitor.ingest import ingest
    from cscmonitor.periods import Period
    from cscmonitor.warehouse import Warehouse

    ingest([DATA / "placement_distance"], settings, la_code="999")
    snapshot = Warehouse(settings.warehouse_dir).require_current()
    tables = _WrittenBeforeDistances(SnapshotTables(snapshot, backend))
    year = compute(tables, [Period.parse(FY2024)], codes=["CLA_20MILES"]).iloc[0]  # type: ignore[arg-type]
    assert year.denominator == 0
    assert year.status == "insufficient data"
