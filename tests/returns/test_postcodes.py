"""Placement distances worked out at ingest from the postcode lookup, and lookups that cannot
serve. The lookup tests/data/postcodes/lookup.csv puts ZZ1 2AA 10 km (6.2 miles) from
ZZ1 1AA and ZZ2 1AA 40 km (24.9 miles); see tests/indicators/test_placement_distance.py
for every child of tests/data/placement_distance."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from cscmonitor.ingest import ingest
from cscmonitor.privacy import Pseudonymiser
from cscmonitor.returns.postcodes import PostcodeLookup, PostcodeLookupError
from cscmonitor.settings import Settings
from cscmonitor.warehouse import Warehouse
from tests.conftest import DATA

LOOKUP = DATA / "postcodes" / "lookup.csv"
RETURN = DATA / "placement_distance"
KEY = "test-key-not-secret"
# The open episode's distance of each child, as the lookup gives it (None: not known).
WITH_LOOKUP = {
    "D1": 24.9,
    "D2": 6.2,
    "D3": 20.0,
    "D4": 20.1,
    "D5": None,  # HOME_POST blank
    "D6": None,  # PL_POST not in the lookup
    "D7": 35.5,  # given in the return
    "D8": None,  # given as 999.9
}


def distances(settings: Settings) -> dict[str, float | None]:
    """Each child's distance on its episode starting 1 Jun 2024, by its id in the file."""
    episodes = Warehouse(settings.warehouse_dir).read("cla_episodes").to_pylist()
    names = {f"D{n}" for n in range(1, 12)}
    ids = Pseudonymiser(KEY.encode()).column(pa.array(sorted(names))).to_pylist()
    name_of = dict(zip(ids, sorted(names), strict=True))
    return {
        name_of[e["child_id"]]: e["placement_distance_miles"]
        for e in episodes
        if str(e["decom"]) == "2024-06-01"
    }


def test_distances_are_worked_out_from_whole_postcodes_before_they_are_reduced(settings):
    settings = settings.model_copy(update={"postcode_lookup": LOOKUP, "postcode_precision": "none"})
    ingest([RETURN], settings, la_code="999")
    found = distances(settings)
    assert {k: found[k] for k in WITH_LOOKUP} == pytest.approx(WITH_LOOKUP)
    episodes = Warehouse(settings.warehouse_dir).read("cla_episodes")
    # No postcode reached the warehouse, yet every distance above was worked out from them.
    assert episodes["home_post"].null_count == episodes.num_rows


def test_without_a_lookup_only_the_returns_own_distances_are_known(settings):
    report = ingest([RETURN], settings, la_code="999")
    found = distances(settings)
    assert found["D7"] == 35.5
    assert [k for k, v in found.items() if v is not None] == ["D7"]
    warned = [p for p in report.problems.items if p.rule == "CLA_DISTANCE_NOT_KNOWN"]
    # Open at 31 Mar 2025: D1–D8, D10 and D11's second episode; only D7's distance known.
    assert [p.value for p in warned] == ["9"]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lookup.csv"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("postcode,east,northing\nZZ1 1AA,1,2\n", "no easting column"),
        ("pcds,oseast1m,osnrth1m\nZZ1 1AA,1,2\n", "no postcode, easting, northing column"),
        ("postcode,easting,northing\nZZ1 1AA,1,2\nZZ1 2AA,4e5x,2\n", "row 3, field easting"),
        ("postcode,easting,northing\nZZ1 1AA,1,2\nZZ1 2AA,1\n", "row 3"),
        ("postcode,easting,northing\nZZ1 1AA,1,2\nzz11aa,3,4\n", "field postcode: ZZ11AA"),
        ("", "empty"),
    ],
)
def test_a_lookup_that_cannot_serve_is_refused_naming_file_and_field(tmp_path, text, named):
    path = write(tmp_path, text)
    with pytest.raises(PostcodeLookupError) as refused:
        PostcodeLookup.read(path)
    assert str(path) in str(refused.value)
    assert named in str(refused.value)


def test_ingest_with_a_broken_lookup_stops_before_reading_any_return(settings, tmp_path):
    path = write(tmp_path, "postcode,northing\nZZ1 1AA,2\n")
    settings = settings.model_copy(update={"postcode_lookup": path})
    with pytest.raises(PostcodeLookupError, match="no easting column"):
        ingest([RETURN], settings, la_code="999")
    assert not Warehouse(settings.warehouse_dir).current()


def test_a_postcode_without_a_grid_reference_is_not_known(tmp_path):
    lookup = PostcodeLookup.read(LOOKUP)
    miles = lookup.miles(
        pa.array(["ZZ1 1AA", "ZZ1 1AA", None]), pa.array(["ZZ4 1AA", "zz12aa", "ZZ1 2AA"])
    )
    assert miles.to_pylist() == [None, 6.2, None]


def test_a_lookup_kept_in_the_data_directory_is_read_unless_one_is_named(tmp_path):
    """The data directory's postcode_lookup.csv serves when no lookup is named (so the web
    app's uploads read what the command line's ingest read); a named one wins."""
    data = tmp_path / "data"
    data.mkdir()
    assert Settings(_env_file=None, data_dir=data).postcode_lookup_file is None
    (data / "postcode_lookup.csv").write_text("postcode,easting,northing\n")
    assert (
        Settings(_env_file=None, data_dir=data).postcode_lookup_file == data / "postcode_lookup.csv"
    )
    named = tmp_path / "other.csv"
    chosen = Settings(_env_file=None, data_dir=data, postcode_lookup=named).postcode_lookup_file
    assert chosen == named
