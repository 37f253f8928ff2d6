"""Published comparators for an LA and year: England, region, statistical neighbours, band.

Years are DfE's financial years (2015-16 runs 1 April 2015 to 31 March 2016). A published
figure belongs to the financial year containing the end of the period it covers: the CIN
census's time_period 2016 (year to 31 March 2016) is 2015-16; the workforce census's 2017
(at 30 September 2017) is 2017-18; the ONS mid-2015 population is 2015-16, so rates per
10,000 use the estimate for the calendar year in which the year starts, as INDICATORS.md says.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from cscmonitor.assess import (
    FunnelPosition,
    Observation,
    display_decimals,
    significant_travel,
    standing_against,
)
from cscmonitor.benchmarks.bands import quartile_bands
from cscmonitor.benchmarks.geography import (
    LA_LEVEL,
    NATIONAL,
    REGIONAL,
    LocalAuthority,
    la_rows,
    resolve,
)
from cscmonitor.benchmarks.mapping import BY_CODE, COMPARATORS, Comparator
from cscmonitor.benchmarks.neighbours import grouping_for, groupings, neighbours_of
from cscmonitor.benchmarks.pooled import neighbour_funnel
from cscmonitor.benchmarks.values import Availability, Published, as_published, availability
from cscmonitor.indicators.registry import Interval
from cscmonitor.periods import financial_year
from cscmonitor.wording import neighbours_model_text


def parse_year(text: str) -> int:
    """`2015-16` (or `2015/16`) as 2015, the financial year's first calendar year.

    A bare `2016` is refused: DfE labels the year to 31 March 2016 `2016`, others mean the
    year starting in 2016, so the reader must say which.
    """
    match = re.fullmatch(r"\s*(\d{4})\s*[-/]\s*(\d{2}|\d{4})\s*", text)
    if match is None:
        if re.fullmatch(r"\s*\d{4}\s*", text):
            year = int(text)
            raise ValueError(
                f"year {text.strip()!r} is ambiguous: write the financial year, e.g. "
                f"{year - 1}-{year % 100:02d} for DfE's time_period {year} (April {year - 1} "
                f"to March {year}), or {year}-{(year + 1) % 100:02d} for April {year} to "
                f"March {year + 1}"
            )
        raise ValueError(f"year {text!r} is not a financial year such as 2015-16")
    first, second = int(match.group(1)), match.group(2)
    if int(second) % 100 != (first + 1) % 100:
        raise ValueError(f"year {text!r}: the second year must follow the first (e.g. 2015-16)")
    return first


def year_name(first: int) -> str:
    return f"{first}-{(first + 1) % 100:02d}"


def _observation(row: pd.Series | None) -> Observation:
    if row is None:
        return Observation(None)
    return Observation(
        _num(row.get("value")), _num(row.get("numerator")), _num(row.get("denominator"))
    )


def _num(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]


def neighbour_table(la: LocalAuthority, grouping: int, places: pd.DataFrame) -> pd.DataFrame:
    """The neighbours with names (from the published tables, else the groupings file)."""
    table = groupings()
    chosen = neighbours_of(la.code, grouping)
    names = table.drop_duplicates("la_code").set_index("la_code")["la_name"]
    named = places.set_index("la_code")["la_name"]
    return pd.DataFrame(
        {
            "rank": chosen["rank"].to_numpy(),
            "la_code": chosen["neighbour_code"].to_numpy(),
            "la_name": chosen["neighbour_code"]
            .map(named)
            .fillna(chosen["neighbour_code"].map(names))
            .to_numpy(),
            "closeness": chosen["closeness"].to_numpy(),
        }
    )


def comparators_for(
    published: Published | pd.DataFrame,
    la: str,
    year: int,
    *,
    codes: Sequence[str] | None = None,
    grouping: int | None = None,
) -> pd.DataFrame:
    """One row per comparator: the LA's published figure for financial `year` and its benchmarks.

    Columns: code, title, unit, polarity, year, la_code, la_name, value, flag, numerator,
    denominator, joint, published_period, england, region_code, region_name, region,
    sn_grouping, sn_mean, sn_median, sn_count, band, rank, ranked, previous, previous_flag,
    travel, travel_p, travel_test, vs_england, vs_england_p, vs_region, sn_funnel (the LA's
    place on a funnel plot of itself and its neighbours), sn_model (`neighbours: 2025 model`),
    and for each figure that can be missing, whether it is held, not held (no table holding
    it) or not published (DfE suppressed it; its code in the `*_flag` column): value_state,
    england_state, england_flag, region_state, region_flag, sn_state, band_state.
    """
    chosen = [BY_CODE[c] for c in codes] if codes else list(COMPARATORS)
    held = as_published(published)
    place = resolve(la, held.places)
    values = held.values[held.values["code"].isin([c.code for c in chosen])]
    sn_grouping = grouping if grouping is not None else grouping_for(financial_year(year).end)
    neighbours = neighbours_of(place.code, sn_grouping)["neighbour_code"].tolist()

    in_year = values[values["year"] == year]
    las = la_rows(in_year)
    own = las[las["la_code"] == place.code].drop_duplicates("code").set_index("code")
    before = la_rows(values[values["year"] == year - 1])
    previous = before[before["la_code"] == place.code].drop_duplicates("code").set_index("code")
    england = in_year[in_year["geographic_level"] == NATIONAL].drop_duplicates("code")
    england = england.set_index("code")
    # The LA's region that year (a region can change), else its latest.
    region_of = own["region_code"].where(own["region_code"].notna(), place.region_code)
    regional = in_year[in_year["geographic_level"] == REGIONAL].set_index(["code", "area_code"])

    near = las[las["la_code"].isin(neighbours)]
    sn = near.groupby("code")["value"]
    sn_stats = pd.DataFrame(
        {"sn_mean": sn.mean(), "sn_median": sn.median(), "sn_count": sn.count()}
    )
    sn_flagged = set(near.loc[near["value"].isna() & near["flag"].notna(), "code"])

    # Bands among reporting units (a joint return counts once), then the LA's own unit.
    units = in_year[in_year["geographic_level"] == LA_LEVEL].copy()
    units = units.join(quartile_bands(units, ["code"]))
    units = la_rows(units)
    banded = units[units["la_code"] == place.code].drop_duplicates("code").set_index("code")

    rows = []
    for c in chosen:  # one row per indicator (a dozen), not per data row
        mine = own.loc[c.code] if c.code in own.index else None
        prior = previous.loc[c.code] if c.code in previous.index else None
        nation = england.loc[c.code] if c.code in england.index else None
        region_code = region_of.get(c.code, place.region_code)
        key = (c.code, region_code)
        region = regional.loc[key] if key in regional.index else None
        if isinstance(region, pd.DataFrame):
            region = region.iloc[0]
        decimals = display_decimals(c.unit)
        travel = significant_travel(
            _observation(prior),
            _observation(mine),
            c.polarity,
            interval=c.interval,
            decimals=decimals,
        )
        vs_england, england_test = standing_against(
            _observation(mine), _observation(nation), c.polarity, interval=c.interval
        )
        vs_region, _ = standing_against(
            _observation(mine), _observation(region), c.polarity, interval=c.interval
        )
        band = banded.loc[c.code] if c.code in banded.index else None
        stats = sn_stats.loc[c.code] if c.code in sn_stats.index else None
        position = _funnel_position(las[las["code"] == c.code], place.code, neighbours, c)
        sn_count = int(stats["sn_count"]) if stats is not None else 0
        states = _states(c, mine, nation, region, sn_count, c.code in sn_flagged, band)
        rows.append(
            {
                "code": c.code,
                "title": c.title,
                "unit": str(c.unit),
                "polarity": str(c.polarity),
                "year": year_name(year),
                "la_code": place.code,
                "la_name": place.name,
                "value": _field(mine, "value"),
                "flag": _field(mine, "flag"),
                "numerator": _field(mine, "numerator"),
                "denominator": _field(mine, "denominator"),
                "joint": bool(_field(mine, "joint") or False),
                "published_period": _period_text(mine),
                "england": _field(nation, "value"),
                "region_code": region_code,
                "region_name": _field(region, "region_name") or place.region_name,
                "region": _field(region, "value"),
                "sn_grouping": sn_grouping,
                "sn_mean": _field(stats, "sn_mean"),
                "sn_median": _field(stats, "sn_median"),
                "sn_count": sn_count,
                "band": _field(band, "band"),
                "rank": _field(band, "rank"),
                "ranked": _field(band, "ranked"),
                "previous": _field(prior, "value"),
                "previous_flag": _field(prior, "flag"),
                "travel": str(travel.travel),
                "travel_p": travel.significance.p_value,
                "travel_test": str(travel.significance.method),
                "vs_england": str(vs_england),
                "vs_england_p": england_test.p_value,
                "vs_region": str(vs_region),
                "sn_funnel": position,
                "sn_model": neighbours_model_text(sn_grouping),
                "england_flag": _field(nation, "flag"),
                "region_flag": _field(region, "flag"),
                **states,
            }
        )
    return pd.DataFrame(rows)


def _states(
    c: Comparator,
    mine: pd.Series | None,
    nation: pd.Series | None,
    region: pd.Series | None,
    sn_count: int,
    sn_flagged: bool,
    band: pd.Series | None,
) -> dict[str, str]:
    """Held, not held or not published, for each figure of one comparator's row."""
    not_published = Availability.NOT_PUBLISHED
    states: dict[str, Availability] = {
        "value_state": availability(_field(mine, "value"), mine is not None),
        "england_state": availability(_field(nation, "value"), nation is not None),
        "region_state": availability(_field(region, "value"), region is not None),
        "sn_state": Availability.HELD
        if sn_count
        else (Availability.NOT_PUBLISHED if sn_flagged else Availability.NOT_HELD),
        "band_state": availability(_field(band, "band"), band is not None),
    }
    if c.england_only:
        states.update(dict.fromkeys(["value_state", "region_state", "sn_state"], not_published))
    if str(c.polarity) == "neither" or c.england_only:
        states["band_state"] = not_published
    return {k: str(v) for k, v in states.items()}


def _funnel_position(
    rows: pd.DataFrame, la_code: str, neighbours: list[str], c: Comparator
) -> str | None:
    """Where the LA sits on a funnel plot of itself and its neighbours (None without counts)."""
    if c.interval in (Interval.NONE, Interval.NORMAL):
        return None
    counts = rows[["la_code", "numerator", "denominator"]].drop_duplicates("la_code")
    plotted = neighbour_funnel(counts, la_code, neighbours, interval=c.interval, scale=c.scale)
    mine = plotted[plotted["la_code"] == la_code]
    if mine.empty or mine["position"].iloc[0] == FunnelPosition.NO_VALUE:
        return None
    return str(mine["position"].iloc[0])


def _field(row: pd.Series | None, name: str) -> object:
    if row is None or name not in row.index:
        return None
    value = row[name]
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value


def _period_text(row: pd.Series | None) -> str | None:
    if row is None or pd.isna(row.get("period_end")):
        return None
    start, end = (pd.Timestamp(row[c]).date() for c in ("period_start", "period_end"))
    basis = row.get("period_basis")
    when = f"{start:%d %b %Y}–{end:%d %b %Y}" if start != end else f"{end:%d %b %Y}"
    return f"{row['time_period']} ({when}; {basis})"
