"""A computed figure set beside DfE's published benchmarks: England, region, neighbours, band.

The comparison year is, per indicator, the latest published year whose period ends on or
before the end of the period reported on (the "latest available national data"): the one rule
of docs/benchmarks.md that maps a contract year to the DfE year it is compared with. The quartile
band places the LA's computed figure among English LAs' published figures for that year, with
the cut-points of `benchmarks.bands` (A is the best quarter, whatever the polarity).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from cscmonitor.assess import Computed, Observation, Standing, standing_against
from cscmonitor.benchmarks.bands import BANDS, polarity_sign, quartile_bands
from cscmonitor.benchmarks.geography import (
    LA_LEVEL,
    NATIONAL,
    REGIONAL,
    UnknownLA,
    la_rows,
    resolve,
)
from cscmonitor.benchmarks.mapping import BY_CODE, Comparator
from cscmonitor.benchmarks.neighbours import grouping_for, neighbours_of
from cscmonitor.benchmarks.published import year_name
from cscmonitor.benchmarks.values import Published
from cscmonitor.periods import Period

_TOLERANCE = 1e-9
HELD = "held"
NOT_PUBLISHED = "not published"  # DfE publishes no comparator for this indicator
NOT_HELD = "not held"  # DfE publishes one, but no year ending by the period's end is held


@dataclass(frozen=True)
class PublishedPoint:
    """One published year: England, the LA's region and its neighbours' mean."""

    year: str
    period_end: dt.date
    england: float | None
    region: float | None
    sn_mean: float | None


@dataclass(frozen=True)
class Comparison:
    state: str  # HELD, NOT_PUBLISHED or NOT_HELD
    year: str | None  # the published year compared with, e.g. 2014-15; None when none is held
    england: float | None
    region: float | None
    region_name: str | None
    sn_mean: float | None
    sn_count: int
    band: str | None  # A (best quarter) to D, of the computed figure
    top_quartile: float | None  # the cut-point a figure must meet to be in band A
    vs_england: Standing
    vs_region: Standing
    history: tuple[PublishedPoint, ...]

    @classmethod
    def none(cls, state: str = NOT_PUBLISHED) -> Comparison:
        nothing = Standing.NOT_COMPARABLE
        return cls(state, None, None, None, None, None, 0, None, None, nothing, nothing, ())


def _number(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]


def _observation(row: pd.Series | None) -> Observation:
    if row is None:
        return Observation(None)
    return Observation(
        _number(row["value"]), _number(row["numerator"]), _number(row["denominator"])
    )


def band_of(
    value: float | None, limits: Sequence[float | None], comparator: Comparator
) -> str | None:
    """The band of a value given the year's three cut-points (in value terms)."""
    sign = polarity_sign(comparator.polarity)
    if value is None or np.isnan(sign) or any(limit is None for limit in limits):
        return None
    bad = value * sign
    worse = sum(bad > float(limit) * sign + _TOLERANCE for limit in limits)  # type: ignore[arg-type]
    return BANDS[worse]


def comparisons(
    published: Published,
    la_code: str,
    latest: Mapping[str, Computed],
    span: Period,
) -> dict[str, Comparison]:
    """For each indicator in `latest` with a published comparator, its comparison."""
    codes = [code for code in latest if code in BY_CODE]
    if not codes:
        return {}
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
    las = la_rows(rows)
    neighbours = neighbours_of(la_code, grouping_for(end))["neighbour_code"].tolist()
    sn = (
        las[las["la_code"].isin(neighbours)]
        .groupby(["code", "year"])["value"]
        .agg(["mean", "count"])
    )
    units = rows[rows["geographic_level"] == LA_LEVEL]
    limits = units[["code", "year"]].join(quartile_bands(units, ["code", "year"]))
    limits = limits.drop_duplicates(["code", "year"]).set_index(["code", "year"])

    found: dict[str, Comparison] = {}
    for code in codes:  # the indicators of one report: a handful
        comparator = BY_CODE[code]
        mine = national[national["code"] == code]
        held = mine[(mine["end"] <= end) & mine["value"].notna()]
        history = _history(code, mine, regional, sn, span)
        if held.empty:
            found[code] = replace(Comparison.none(NOT_HELD), history=history)
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
        neighbour_stats = sn.loc[(code, year)] if (code, year) in sn.index else None
        found[code] = Comparison(
            state=HELD,
            year=year_name(year),
            england=_number(england_row["value"]),
            region=None if region_row is None else _number(region_row["value"]),
            region_name=region_name,
            sn_mean=None if neighbour_stats is None else _number(neighbour_stats["mean"]),
            sn_count=0 if neighbour_stats is None else int(neighbour_stats["count"]),
            band=band_of(figure.value, cuts, comparator),
            top_quartile=cuts[0],
            vs_england=vs_england,
            vs_region=vs_region,
            history=history,
        )
    return found


def _history(
    code: str, national: pd.DataFrame, regional: pd.DataFrame, sn: pd.DataFrame, span: Period
) -> tuple[PublishedPoint, ...]:
    """England, region and neighbours for each published year ending within `span`."""
    within = national[(national["end"] >= span.start) & (national["end"] <= span.end)]
    region = regional[regional["code"] == code].set_index("year")["value"]
    points = []
    for row in within.sort_values("end").itertuples(index=False):  # a few years
        year = int(row.year)
        stats = sn.loc[(code, year)] if (code, year) in sn.index else None
        points.append(
            PublishedPoint(
                year=year_name(year),
                period_end=row.end,
                england=_number(row.value),
                region=_number(region.get(year)),
                sn_mean=None if stats is None else _number(stats["mean"]),
            )
        )
    return tuple(points)
