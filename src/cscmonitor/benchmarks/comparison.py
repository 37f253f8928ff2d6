"""A computed figure set beside DfE's published benchmarks: England, region, neighbours, band.

The comparison year is, per indicator, the latest published year whose period ends on or
before the end of the period reported on (the "latest available national data"): the one rule
of docs/benchmarks.md that maps a contract year to the DfE year it is compared with. The quartile
band places the LA's computed figure among English LAs' published figures for that year, with
LAIT's rule (`benchmarks.bands`: A is the best quarter, whatever the polarity). Neighbours are
DfE's grouping for that year (`neighbours.grouping_for`: the 2025 model from 2024-25, the 2021
groupings before), and the comparison says which.

A benchmark value can be missing for three reasons, always told apart (`Availability`): the
indicator has **no published benchmark** (DfE publishes none, or its table is not bundled);
the value is **not held** (no table holding that year, place or neighbour is bundled or
imported); or it is **not published** (DfE's table holds the cell but suppresses it: `c`, `x`,
`z`, `k`, `u`, `low`; or publishes England only). `Gap` carries the reason for each value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import pandas as pd

from cscmonitor.assess import Computed, Observation, Standing, standing_against
from cscmonitor.benchmarks.bands import band_for, quartile_bands
from cscmonitor.benchmarks.geography import (
    LA_LEVEL,
    NATIONAL,
    REGIONAL,
    UnknownLA,
    la_rows,
    resolve,
)
from cscmonitor.benchmarks.mapping import BY_CODE, Comparator, no_benchmark_reason
from cscmonitor.benchmarks.neighbours import grouping_for, neighbours_of
from cscmonitor.benchmarks.published import year_name
from cscmonitor.benchmarks.values import Availability, Published
from cscmonitor.periods import Period, financial_year

HELD = Availability.HELD
NO_BENCHMARK = Availability.NO_BENCHMARK
NOT_HELD = Availability.NOT_HELD
NOT_PUBLISHED = Availability.NOT_PUBLISHED
ENGLAND_ONLY = "England only"
BENCHMARKS = ("england", "region", "sn_mean", "band")


@dataclass(frozen=True)
class Gap:
    """Why one benchmark value is missing."""

    state: Availability  # NO_BENCHMARK, NOT_HELD or NOT_PUBLISHED
    flag: str | None = None  # DfE's suppression code, when not published
    detail: str | None = None  # e.g. "England only", or the table that is not bundled


@dataclass(frozen=True)
class PublishedPoint:
    """One published year: England, the LA's region and its neighbours' mean."""

    year: str
    period_end: dt.date
    england: float | None
    region: float | None
    sn_mean: float | None
    sn_grouping: int | None = None  # the neighbour grouping of that year


@dataclass(frozen=True)
class Comparison:
    state: str  # an Availability: HELD, NO_BENCHMARK or NOT_HELD
    year: str | None  # the published year compared with, e.g. 2014-15; None when none is held
    england: float | None
    region: float | None
    region_name: str | None
    sn_mean: float | None
    sn_count: int
    band: str | None  # A (best quarter) to D, of the computed figure
    top_quartile: float | None  # band A's cut-point (lower is better: at or below it)
    vs_england: Standing
    vs_region: Standing
    history: tuple[PublishedPoint, ...]
    sn_grouping: int | None = None  # DfE's neighbour grouping used: 2021 or 2025
    gaps: Mapping[str, Gap] = field(default_factory=dict)  # why england, region, … is missing

    @classmethod
    def none(cls, state: str = NO_BENCHMARK, detail: str | None = None) -> Comparison:
        """No published year to compare with: every benchmark value missing for one reason."""
        nothing = Standing.NOT_COMPARABLE
        gap = Gap(Availability(state), detail=detail)
        return cls(
            state,
            None,
            None,
            None,
            None,
            None,
            0,
            None,
            None,
            nothing,
            nothing,
            (),
            gaps=dict.fromkeys(BENCHMARKS, gap),
        )

    @classmethod
    def without_tables(cls, code: str) -> Comparison:
        """For an indicator when no published tables are loaded at all."""
        reason = no_benchmark_reason(code)
        if reason is not None:
            return cls.none(NO_BENCHMARK, reason)
        return cls.none(NOT_HELD, "no published tables loaded")

    def gap(self, which: str) -> Gap | None:
        """Why `which` (england, region, sn_mean, band) is missing; None when it is there."""
        if getattr(self, which) is not None:
            return None
        return self.gaps.get(
            which, Gap(Availability(self.state) if self.state != HELD else NOT_HELD)
        )


def _number(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]


def _flag(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _observation(row: pd.Series | None) -> Observation:
    if row is None:
        return Observation(None)
    return Observation(
        _number(row["value"]), _number(row["numerator"]), _number(row["denominator"])
    )


def _row_gap(row: pd.Series | None) -> Gap | None:
    """None when the row has a value; not held without a row; not published with a flag."""
    if row is None:
        return Gap(NOT_HELD)
    if _number(row["value"]) is not None:
        return None
    return Gap(NOT_PUBLISHED, _flag(row["flag"]))


def band_of(
    value: float | None, limits: Sequence[float | None], comparator: Comparator
) -> str | None:
    """The band of a value given the year's three cut-points (`bands.band_for`)."""
    return band_for(value, limits, comparator.polarity)


class _Neighbours:
    """Neighbours' mean, count and suppression per (code, year), by each year's grouping."""

    def __init__(self, las: pd.DataFrame, la_code: str, fixed: int | None = None) -> None:
        self.las, self.la_code, self.fixed = las, la_code, fixed
        self._by: dict[int, tuple[pd.DataFrame, pd.Series]] = {}

    def grouping(self, year: int) -> int:
        return self.fixed if self.fixed is not None else grouping_for(financial_year(year).end)

    def _stats(self, grouping: int) -> tuple[pd.DataFrame, pd.Series]:
        if grouping not in self._by:  # two groupings at most
            codes = neighbours_of(self.la_code, grouping)["neighbour_code"].tolist()
            rows = self.las[self.las["la_code"].isin(codes)]
            stats = rows.groupby(["code", "year"])["value"].agg(["mean", "count"])
            # Neighbours whose row is held without a value: DfE's code where it gave one.
            unpublished = rows[rows["value"].isna()].groupby(["code", "year"])["flag"]
            flags = unpublished.first().reindex(unpublished.size().index)
            self._by[grouping] = (stats, flags)
        return self._by[grouping]

    def of(self, code: str, year: int) -> tuple[float | None, int, Gap | None, int]:
        """(mean, count, why missing, grouping) for one indicator and year."""
        grouping = self.grouping(year)
        stats, flags = self._stats(grouping)
        key = (code, year)
        if key in stats.index and int(stats.loc[key, "count"]) > 0:
            return _number(stats.loc[key, "mean"]), int(stats.loc[key, "count"]), None, grouping
        if neighbours_of(self.la_code, grouping).empty:
            return (
                None,
                0,
                Gap(NOT_HELD, detail=f"no neighbours in DfE's {grouping} grouping"),
                grouping,
            )
        if key in flags.index:
            return None, 0, Gap(NOT_PUBLISHED, _flag(flags.loc[key])), grouping
        return None, 0, Gap(NOT_HELD), grouping


def comparisons(
    published: Published,
    la_code: str,
    latest: Mapping[str, Computed],
    span: Period,
    *,
    grouping: int | None = None,
) -> dict[str, Comparison]:
    """Every indicator in `latest`, compared: with DfE's year (see the module note), or why not.

    `grouping` fixes the statistical neighbour grouping (default: each year's, by its end).
    """
    found: dict[str, Comparison] = {
        code: Comparison.none(NO_BENCHMARK, no_benchmark_reason(code))
        for code in latest
        if code not in BY_CODE
    }
    codes = [code for code in latest if code in BY_CODE]
    if not codes:
        return found
    end = span.end
    values = published.values
    rows = values[values["code"].isin(codes)].copy()
    rows["end"] = pd.to_datetime(rows["period_end"]).dt.date
    try:
        place = resolve(la_code, published.places)
        region_code, region_name = place.region_code, place.region_name
    except UnknownLA:
        region_code, region_name = None, None
    national = rows[rows["geographic_level"] == NATIONAL].drop_duplicates(["code", "year"])
    regional = rows[
        (rows["geographic_level"] == REGIONAL) & (rows["area_code"] == region_code)
    ].drop_duplicates(["code", "year"])
    neighbours = _Neighbours(la_rows(rows), la_code, grouping)
    units = rows[rows["geographic_level"] == LA_LEVEL]
    limits = units[["code", "year"]].join(quartile_bands(units, ["code", "year"]))
    limits = limits.dropna(subset=["limit_b"]).drop_duplicates(["code", "year"])
    limits = limits.set_index(["code", "year"])

    for code in codes:  # the indicators of one report: a handful
        comparator = BY_CODE[code]
        mine = national[national["code"] == code]
        # A year is held when its table is: England's figure may still be suppressed.
        held = mine[mine["end"] <= end]
        history = _history(code, mine, regional, neighbours, span)
        if held.empty:
            found[code] = replace(
                Comparison.none(NOT_HELD, _not_held_detail(mine)), history=history
            )
            continue
        year = int(held["year"].max())
        england_row = held[held["year"] == year].iloc[0]
        region_rows = regional[(regional["code"] == code) & (regional["year"] == year)]
        region_row = None if region_rows.empty else region_rows.iloc[0]
        figure = Observation.from_computed(latest[code])
        vs_england, _ = standing_against(
            figure, _observation(england_row), comparator.polarity, interval=comparator.interval
        )
        vs_region, _ = standing_against(
            figure, _observation(region_row), comparator.polarity, interval=comparator.interval
        )
        cut = limits.loc[(code, year)] if (code, year) in limits.index else None
        cuts = (
            [None, None, None]
            if cut is None
            else [_number(cut["limit_a"]), _number(cut["limit_b"]), _number(cut["limit_c"])]
        )
        sn_mean, sn_count, sn_gap, sn_grouping = neighbours.of(code, year)
        gaps = {
            "england": _row_gap(england_row),
            "region": _row_gap(region_row) if region_code else Gap(NOT_HELD, detail="no region"),
            "sn_mean": sn_gap,
            "band": _band_gap(units, code, year, comparator, figure.value),
        }
        if comparator.england_only:
            only = Gap(NOT_PUBLISHED, detail=ENGLAND_ONLY)
            gaps.update(region=only, sn_mean=only, band=only)
        found[code] = Comparison(
            state=HELD,
            year=year_name(year),
            england=_number(england_row["value"]),
            region=None if region_row is None else _number(region_row["value"]),
            region_name=region_name,
            sn_mean=sn_mean,
            sn_count=sn_count,
            band=band_of(figure.value, cuts, comparator),
            top_quartile=cuts[0],
            vs_england=vs_england,
            vs_region=vs_region,
            history=history,
            sn_grouping=sn_grouping,
            gaps={k: v for k, v in gaps.items() if v is not None},
        )
    return found


def _not_held_detail(national: pd.DataFrame) -> str:
    if national.empty:
        return "no year of its table is held"
    first = year_name(int(national["year"].min()))
    return f"the tables held start in {first}"


def _band_gap(
    units: pd.DataFrame, code: str, year: int, comparator: Comparator, value: float | None
) -> Gap | None:
    """Why a figure has no band: no polarity, no figure, or no LA figures published that year."""
    if str(comparator.polarity) == "neither":
        return Gap(NOT_PUBLISHED, detail="no band: neither higher nor lower is better")
    if value is None:
        return Gap(NOT_HELD, detail="no figure to band")
    year_rows = units[(units["code"] == code) & (units["year"] == year)]
    if year_rows.empty:
        return Gap(NOT_HELD)
    if year_rows["value"].notna().sum() == 0:
        flags = year_rows["flag"].dropna()
        return Gap(NOT_PUBLISHED, None if flags.empty else _flag(flags.iloc[0]))
    return None


def _history(
    code: str,
    national: pd.DataFrame,
    regional: pd.DataFrame,
    neighbours: _Neighbours,
    span: Period,
) -> tuple[PublishedPoint, ...]:
    """England, region and neighbours for each published year ending within `span`."""
    within = national[(national["end"] >= span.start) & (national["end"] <= span.end)]
    region = regional[regional["code"] == code].set_index("year")["value"]
    points = []
    for row in within.sort_values("end").itertuples(index=False):  # a few years
        year = int(row.year)
        sn_mean, _, _, grouping = neighbours.of(code, year)
        points.append(
            PublishedPoint(
                year=year_name(year),
                period_end=row.end,
                england=_number(row.value),
                region=_number(region.get(year)),
                sn_mean=sn_mean,
                sn_grouping=grouping,
            )
        )
    return tuple(points)
