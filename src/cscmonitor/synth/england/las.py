"""The LAs of England (from the bundled ONS estimates) and the propensities drawn for each.

Every LA with a population estimate in the latest year asked is simulated, so LAs that
were reorganised (Cumbria into Cumberland and Westmorland and Furness in 2023,
Northamptonshire into North and West Northamptonshire in 2021, Bournemouth, Christchurch
and Poole and Dorset in 2019) appear as the latest year knows them, throughout. An LA's
children in a year without its own estimate (before it existed) are its nearest year's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from importlib.resources import files

import numpy as np
import numpy.typing as npt
import pandas as pd

from cscmonitor.indicators.population import FILE
from cscmonitor.synth.england.params import NEIGHBOUR_PULL, PROPENSITIES

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Text = npt.NDArray[np.str_]


@dataclass(frozen=True)
class LAs:
    """The LAs simulated, in code order, with their children aged 0-17 per simulated year."""

    code: Text
    name: Text
    region: Text
    years: Ints  # simulated years, by the calendar year each starts in (1 April)
    population: Floats  # (LA, year)

    def __len__(self) -> int:
        return len(self.code)

    def year_index(self, years: npt.ArrayLike) -> Ints:
        """Column of `population` (and of every propensity table) for each year."""
        position = np.asarray(years, dtype=np.int64) - int(self.years[0])
        return np.clip(position, 0, len(self.years) - 1)


def _published() -> pd.DataFrame:
    raw = pd.read_csv(
        files("cscmonitor").joinpath("data", "ees", FILE).open("rb"),
        dtype=str,
        encoding="utf-8-sig",
        keep_default_na=False,
    )
    las = raw[raw["geographic_level"] == "Local authority"]
    population = pd.to_numeric(las["population_estimate"], errors="coerce")
    return pd.DataFrame(
        {
            "code": las["old_la_code"].str.strip(),
            "name": las["la_name"].str.strip(),
            "region": las["region_name"].str.strip(),
            "year": pd.to_numeric(las["time_period"]).astype("int64"),
            "population": population,
        }
    ).dropna(subset=["population"])


def england(years: Ints, only: Sequence[str] | None = None) -> LAs:
    """Every LA with an estimate in the latest of `years` (clipped to those published)."""
    published = _published()
    held = np.sort(published["year"].unique())
    latest = int(np.clip(years.max(), held[0], held[-1]))
    now = published[published["year"] == latest].sort_values("code")
    if only:
        unknown = sorted(set(only) - set(now["code"]))
        if unknown:
            raise ValueError(
                f"no population estimate for LA {', '.join(unknown)} in {latest}; "
                f"known LAs: {', '.join(now['code'])}"
            )
        now = now[now["code"].isin(list(only))]
    codes = now["code"].to_numpy().astype(str)
    table = published.pivot_table(index="code", columns="year", values="population")
    table = table.reindex(index=codes, columns=held)
    # An LA's years before it existed (or after it ended) take its nearest estimate.
    table = table.T.bfill().ffill().T
    column = np.clip(np.searchsorted(held, years), 0, len(held) - 1)
    population = table.to_numpy(dtype=float)[:, column]
    return LAs(
        code=codes,
        name=now["name"].to_numpy().astype(str),
        region=now["region"].to_numpy().astype(str),
        years=np.asarray(years, dtype=np.int64),
        population=population,
    )


def all_codes(years: Ints) -> Text:
    """The codes of every LA simulated for `years`, in order (propensities are drawn for all)."""
    return england(years).code


@dataclass(frozen=True)
class Propensities:
    """Each propensity as an (LA, year) table; rows in the order of the LAs simulated."""

    tables: dict[str, Floats]
    latent: Floats  # (LA, propensity): the standardised values drawn, before scaling

    def __getitem__(self, name: str) -> Floats:
        return self.tables[name]

    def at(self, name: str, la: npt.ArrayLike, year: npt.ArrayLike) -> Floats:
        """The propensity for each (LA row, year column) pair."""
        return self.tables[name][np.asarray(la), np.asarray(year)]


def draw(rng: np.random.Generator, codes: Text, years: Ints, keep: Text) -> Propensities:
    """Propensities for every LA in `codes` (all of England), returned for the LAs in `keep`.

    Drawn for all LAs whatever is kept, so an LA has the same propensities when it is
    generated alone as among all the others.
    """
    n, k = len(codes), len(PROPENSITIES)
    factors = sorted({s.factor for s in PROPENSITIES.values() if s.factor})
    shared = rng.standard_normal((n, len(factors)))
    own = rng.standard_normal((n, k))
    steps = rng.standard_normal((n, k, len(years)))
    latent = np.empty((n, k))
    for j, spec in enumerate(PROPENSITIES.values()):
        common = shared[:, factors.index(spec.factor)] if spec.factor else 0.0
        latent[:, j] = spec.loading * common + np.sqrt(1 - spec.loading**2) * own[:, j]
    latent = _towards_neighbours(latent, codes)
    rows = np.searchsorted(codes, keep)
    # Random walks centred on the middle year, so the spread between LAs stays the same.
    walk = np.cumsum(steps, axis=2)
    walk -= walk[:, :, len(years) // 2][:, :, None]
    tables = {}
    for j, (name, spec) in enumerate(PROPENSITIES.items()):
        value = spec.sd * latent[rows, j][:, None] + spec.drift * walk[rows, j]
        if spec.scale == "log":
            tables[name] = spec.mean * np.exp(value)
        else:
            centre = np.log(spec.mean / (1 - spec.mean))
            tables[name] = 1 / (1 + np.exp(-(centre + value)))
    return Propensities(tables, latent[rows])


# DfE's 2025 statistical neighbour groupings (as benchmarks.neighbours reads them; read here
# directly, as that package loads the assessment's statistics).
NEIGHBOURS_FILE = "sn_model_2025_wide.csv"


def _neighbour_pairs() -> pd.DataFrame:
    wide = pd.read_csv(
        files("cscmonitor").joinpath("data", "ees", NEIGHBOURS_FILE).open("rb"),
        dtype=str,
        encoding="utf-8-sig",
        keep_default_na=False,
    )
    long = pd.concat(
        [
            pd.DataFrame({"la_code": wide["old_la_code"], "neighbour_code": wide[f"SN_{k}"]})
            for k in range(1, 11)
        ]
    )
    return long.apply(lambda column: column.str.strip())


def _towards_neighbours(latent: Floats, codes: Text) -> Floats:
    """Latent values pulled towards the mean of the LA's ten statistical neighbours'."""
    table = _neighbour_pairs()
    table = table[table["la_code"].isin(codes) & table["neighbour_code"].isin(codes)]
    if table.empty:
        return latent
    la = np.searchsorted(codes, table["la_code"].to_numpy().astype(str))
    neighbour = np.searchsorted(codes, table["neighbour_code"].to_numpy().astype(str))
    total = np.zeros_like(latent)
    np.add.at(total, la, latent[neighbour])
    count = np.bincount(la, minlength=len(codes))[:, None]
    mean = np.where(count > 0, total / np.maximum(count, 1), latent)
    pulled = (1 - NEIGHBOUR_PULL) * latent + NEIGHBOUR_PULL * mean
    # Averaging shrinks the spread: scale back to unit variance.
    return pulled / pulled.std(axis=0, keepdims=True)
