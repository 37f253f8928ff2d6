"""Scenario files: the propensities and volumes a synthetic LA is simulated with.

A scenario is a YAML file in `synth/scenarios/`. Parameters that change over time are
given per scenario year, a mapping from the calendar year a scenario year starts in to
the value (`{2013: 0.38, 2014: 0.23}`); years before the first key use the first value,
years after the last use the last. A plain number applies to every year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import yaml

SCENARIO_DIR = "scenarios"


@dataclass(frozen=True)
class Section:
    """One section of a scenario (referrals, outcomes, care, workforce) with typed look-ups."""

    scenario: str
    name: str
    values: Mapping[str, Any]

    def _get(self, key: str) -> Any:
        try:
            return self.values[key]
        except KeyError:
            raise ValueError(f"scenario {self.scenario}: {self.name}.{key} is missing") from None

    def text(self, key: str) -> str:
        return str(self._get(key))

    def number(self, key: str) -> float:
        value = self._get(key)
        if isinstance(value, Mapping):
            raise ValueError(f"scenario {self.scenario}: {self.name}.{key} must be one number")
        return float(value)

    def texts(self, key: str) -> list[str]:
        value = self._get(key)
        if not isinstance(value, list) or not value:
            raise ValueError(f"scenario {self.scenario}: {self.name}.{key} must be a list of codes")
        return [str(v) for v in value]

    def numbers(self, key: str) -> list[float]:
        value = self._get(key)
        if not isinstance(value, list) or not value:
            raise ValueError(
                f"scenario {self.scenario}: {self.name}.{key} must be a list of numbers"
            )
        return [float(v) for v in value]

    def by_year(self, key: str, years: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """The value for each scenario year in `years` (carried back and forward at the ends)."""
        value = self._get(key)
        wanted = np.asarray(years, dtype=np.int64)
        if not isinstance(value, Mapping):
            return np.full(wanted.shape, float(value))
        keys = np.array(sorted(int(k) for k in value), dtype=np.int64)
        table = np.array([float(value[k]) for k in sorted(value, key=int)])
        position = np.clip(np.searchsorted(keys, wanted, side="right") - 1, 0, len(keys) - 1)
        return table[position]

    def weights(self, key: str) -> dict[str, float]:
        value = self._get(key)
        if not isinstance(value, Mapping) or not value:
            raise ValueError(
                f"scenario {self.scenario}: {self.name}.{key} must map codes to weights"
            )
        return {str(k): float(v) for k, v in value.items()}

    def section(self, key: str) -> Section:
        return Section(self.scenario, f"{self.name}.{key}", self._get(key))


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    la_code: str
    la_name: str
    year_start: tuple[int, int]
    simulate_from: dt.date
    simulate_to: dt.date
    cin_census_years: tuple[int, ...]
    ssda903_years: tuple[int, ...]
    workforce_years: tuple[int, ...]
    referrals: Section
    children: Section
    outcomes: Section
    care: Section
    workforce: Section
    # Optional: a scenario without them writes no such files (as the England scale's).
    early_help_years: tuple[int, ...] = ()  # years ending 31 March
    virtual_school_years: tuple[int, ...] = ()  # school years ending 31 August
    looked_after: Section | None = None  # 903 reviews, missing, care leavers, adoption
    early_help: Section | None = None
    virtual_school: Section | None = None
    # The present day's: an in-year extract to this date (of the collection year holding it),
    # postcodes on a synthetic grid, and what the newer formats add.
    in_year_to: dt.date | None = None
    postcodes: Section | None = None
    social_workers: Section | None = None  # 903 SWEpisodes
    pre_proceedings: Section | None = None  # CIN PreProceedingsandFGDM
    deprivation_of_liberty: Section | None = None  # 903 DoLO

    @property
    def years(self) -> npt.NDArray[np.int64]:
        """Every scenario year simulated, by the calendar year it starts in."""
        first = self.simulate_from.year - (self._before_start(self.simulate_from))
        last = self.simulate_to.year - (self._before_start(self.simulate_to))
        return np.arange(first, last + 1, dtype=np.int64)

    def _before_start(self, date: dt.date) -> int:
        return int((date.month, date.day) < self.year_start)


def known() -> list[str]:
    """The names of the packaged scenarios."""
    folder = resources.files("cscmonitor.synth").joinpath(SCENARIO_DIR)
    return sorted(
        p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")
    )


def load(name: str) -> Scenario:
    """A packaged scenario by name, or a scenario file by path."""
    path = Path(name)
    if path.suffix in (".yaml", ".yml") and path.is_file():
        return parse(path.read_text(encoding="utf-8"), path.stem)
    if name not in known():
        raise ValueError(f"unknown scenario {name!r}; known scenarios: {', '.join(known())}")
    text = (
        resources.files("cscmonitor.synth")
        .joinpath(SCENARIO_DIR, f"{name}.yaml")
        .read_text(encoding="utf-8")
    )
    return parse(text, name)


def parse(text: str, name: str) -> Scenario:
    raw = yaml.safe_load(text)
    if not isinstance(raw, Mapping):
        raise ValueError(f"scenario {name}: not a mapping of sections")
    top = Section(name, "scenario", raw)
    files = top.section("files")
    year_start = top.section("year_starts")
    simulate = top.section("simulate")
    scenario = Scenario(
        name=str(raw.get("name", name)),
        description=str(raw.get("description", "")).strip(),
        la_code=str(top.text("la_code")),
        la_name=str(top.text("la_name")),
        year_start=(int(year_start.number("month")), int(year_start.number("day"))),
        simulate_from=_date(simulate.text("from"), name),
        simulate_to=_date(simulate.text("to"), name),
        cin_census_years=tuple(int(y) for y in files.numbers("cin_census")),
        ssda903_years=tuple(int(y) for y in files.numbers("ssda903")),
        workforce_years=tuple(int(y) for y in files.numbers("workforce")),
        referrals=top.section("referrals"),
        children=top.section("children"),
        outcomes=top.section("outcomes"),
        care=top.section("care"),
        workforce=top.section("workforce"),
        early_help_years=_years(files, "early_help"),
        virtual_school_years=_years(files, "virtual_school"),
        looked_after=_optional(top, "looked_after"),
        early_help=_optional(top, "early_help"),
        virtual_school=_optional(top, "virtual_school"),
        in_year_to=_date(files.text("in_year"), name) if "in_year" in files.values else None,
        postcodes=_optional(top, "postcodes"),
        social_workers=_optional(top, "social_workers"),
        pre_proceedings=_optional(top, "pre_proceedings"),
        deprivation_of_liberty=_optional(top, "deprivation_of_liberty"),
    )
    if scenario.simulate_to <= scenario.simulate_from:
        raise ValueError(f"scenario {name}: simulate.to is not after simulate.from")
    if scenario.in_year_to is not None and scenario.in_year_to > scenario.simulate_to:
        raise ValueError(f"scenario {name}: files.in_year is after simulate.to")
    return scenario


def scaled(scenario: Scenario, scale: float) -> Scenario:
    """The scenario with its volumes (referrals, early help, workforce posts) times `scale`:
    a small LA for quick runs, with the same propensities."""
    if not 0 < scale <= 1:
        raise ValueError(f"scale {scale} is not in (0, 1]")
    if scale == 1:
        return scenario

    def times(value: Any) -> Any:
        if isinstance(value, Mapping):
            return {k: float(v) * scale for k, v in value.items()}
        return float(value) * scale

    def volume(section: Section, key: str) -> Section:
        return replace(section, values={**section.values, key: times(section.values[key])})

    posts = scenario.workforce.weights("posts")
    unregistered = scenario.workforce.number("unregistered_posts")
    workforce = replace(
        scenario.workforce,
        values={
            **scenario.workforce.values,
            # Every role keeps at least one post, so each still has a caseload.
            "posts": {role: max(1, round(n * scale)) for role, n in posts.items()},
            "unregistered_posts": max(2, round(unregistered * scale)),
        },
    )
    help_ = scenario.early_help
    return replace(
        scenario,
        referrals=volume(scenario.referrals, "per_year"),
        early_help=None if help_ is None else volume(help_, "closed_per_year"),
        workforce=workforce,
    )


def _years(files: Section, key: str) -> tuple[int, ...]:
    return tuple(int(y) for y in files.numbers(key)) if key in files.values else ()


def _optional(top: Section, key: str) -> Section | None:
    return top.section(key) if key in top.values else None


def _date(value: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"scenario {name}: {value!r} is not a date (yyyy-mm-dd)") from None
