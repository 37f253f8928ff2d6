"""Where children live and are placed: postcode areas and synthetic grid references.

A scenario names its LA's postcode area and districts and the areas out of the LA that
children are placed in; with a `postcodes` section it also places them on a synthetic grid
(eastings and northings in metres, as the ONS postcode directory has them), so that a
placement's distance from home can be measured. The grid is made up: each area has a centre
at a given distance and bearing from the LA's, its districts sit around that centre and a
postcode a little way from its district's. Nothing here is a real place's location.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from cscmonitor.synth.scenario import Section

Text = npt.NDArray[np.str_]
Floats = npt.NDArray[np.float64]
LOOKUP_COLUMNS = ["postcode", "easting", "northing"]
# Districts of an area sit on a sunflower spiral inside its radius; postcodes within this
# many metres of their district's point.
GOLDEN_ANGLE = np.pi * (3 - np.sqrt(5))
SPREAD_DISTRICTS = 20
POSTCODE_JITTER_M = 1200.0
OUTWARD = r"^(?P<area>[A-Z]{1,2})(?P<district>\d{1,2}) \d[A-Z]{2}$"


@dataclass(frozen=True)
class Area:
    """An area out of the LA: its distance (km) and bearing (degrees) from the LA's centre."""

    distance_km: float
    bearing: float


@dataclass(frozen=True)
class Places:
    """The LA's postcode area and districts, and the areas placements out of it are in."""

    home: str
    districts: range
    elsewhere: tuple[str, ...]
    elsewhere_districts: range
    # The synthetic grid; empty for a scenario that writes no postcode lookup.
    centre: tuple[float, float] | None = None
    radius_km: float = 12.0
    area_radius_km: float = 10.0
    away: dict[str, Area] = field(default_factory=dict)

    @property
    def temporary(self) -> list[str]:
        """Areas of short stays away (hospital, holiday): home and the nearest elsewhere."""
        return [self.home, self.elsewhere[0]]

    def lookup(self, postcodes: npt.ArrayLike) -> pd.DataFrame:
        """Synthetic grid references of the given postcodes (blanks left out), one row each."""
        if self.centre is None:
            raise ValueError("this scenario places no postcodes on a grid (no `postcodes` section)")
        held = pd.Series(np.unique(np.asarray(postcodes, dtype=str)))
        held = held[held != ""]
        parts = held.str.extract(OUTWARD)
        bad = parts["area"].isna() | ~parts["area"].isin([self.home, *self.away])
        if bad.any():
            raise ValueError(f"postcode {held[bad].iloc[0]!r} is in no area of this scenario")
        area = parts["area"].to_numpy()
        district = parts["district"].astype(np.int64).to_numpy()
        home = area == self.home
        distance = np.array([0.0 if a == self.home else self.away[a].distance_km for a in area])
        bearing = np.radians(
            np.array([0.0 if a == self.home else self.away[a].bearing for a in area])
        )
        east = self.centre[0] + 1000 * distance * np.sin(bearing)
        north = self.centre[1] + 1000 * distance * np.cos(bearing)
        radius = 1000 * np.where(home, self.radius_km, self.area_radius_km)
        spiral = radius * np.sqrt(np.minimum(district, SPREAD_DISTRICTS) / SPREAD_DISTRICTS)
        east += spiral * np.cos(district * GOLDEN_ANGLE)
        north += spiral * np.sin(district * GOLDEN_ANGLE)
        # The postcode's own offset from its district: fixed by the postcode's text.
        hashed = pd.util.hash_array(held.to_numpy(dtype=object)).astype(np.uint64)
        angle = (hashed % np.uint64(3600)).astype(np.float64) / 3600 * 2 * np.pi
        reach = (hashed // np.uint64(3600) % np.uint64(1000)).astype(np.float64) / 1000
        east += POSTCODE_JITTER_M * np.sqrt(reach) * np.cos(angle)
        north += POSTCODE_JITTER_M * np.sqrt(reach) * np.sin(angle)
        return pd.DataFrame(
            {
                "postcode": held.to_numpy(),
                "easting": np.round(east).astype(np.int64),
                "northing": np.round(north).astype(np.int64),
            },
            columns=LOOKUP_COLUMNS,
        )


# The areas of the seed's scenarios (Doncaster and its neighbours), without a grid.
DEFAULT = Places("DN", range(1, 13), ("S", "WF", "HU", "LS", "NG", "LN"), range(1, 30))


def places_of(section: Section | None) -> Places:
    """A scenario's `postcodes` section as Places (the seed's areas when it has none)."""
    if section is None:
        return DEFAULT
    home = section.section("home")
    low, high = (int(n) for n in home.numbers("districts"))
    away = {
        str(name): Area(float(spec["distance_km"]), float(spec["bearing"]))
        for name, spec in section.section("elsewhere").values.items()
    }
    if not away:
        raise ValueError(f"scenario {section.scenario}: postcodes.elsewhere names no area")
    return Places(
        home=home.text("area"),
        districts=range(low, high + 1),
        elsewhere=tuple(away),
        elsewhere_districts=range(1, int(section.number("elsewhere_districts")) + 1),
        centre=(home.number("easting"), home.number("northing")),
        radius_km=home.number("radius_km"),
        area_radius_km=section.number("area_radius_km"),
        away=away,
    )


def write_lookup(path: Path, table: pd.DataFrame) -> int:
    """The postcode lookup CSV (postcode, easting, northing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    table.sort_values("postcode").to_csv(path, index=False)
    return len(table)
