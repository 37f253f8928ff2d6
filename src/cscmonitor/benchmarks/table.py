"""The benchmark table for one LA: published comparators, and computed figures when held.

Published figures (bundled or imported DfE tables) work offline for any English LA. With a
warehouse, the LA's own figure is computed for the same period and set beside them, rated
against a contract's target when one is given, with direction of travel against the same
period a year earlier and against the contract's baseline year; when the warehouse holds
several LAs, pooled England, region, neighbour and band comparators are added.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cscmonitor.assess import (
    RAG,
    Computed,
    Observation,
    computed_for,
    display_decimals,
    rag_rating,
    significant_travel,
)
from cscmonitor.benchmarks.geography import LocalAuthority, UnknownLA, resolve
from cscmonitor.benchmarks.mapping import BY_CODE
from cscmonitor.benchmarks.neighbours import grouping_for
from cscmonitor.benchmarks.pooled import pooled_benchmarks
from cscmonitor.benchmarks.published import comparators_for, neighbour_table, year_name
from cscmonitor.benchmarks.values import Availability, Published, as_published
from cscmonitor.indicators.engine import compute
from cscmonitor.indicators.registry import REGISTRY, Tables, load_builtin
from cscmonitor.periods import Period, add_months, financial_year
from cscmonitor.terms import ContractTerms
from cscmonitor.wording import neighbours_model_text

STATE_COLUMNS = ("value_state", "england_state", "region_state", "sn_state", "band_state")


@dataclass(frozen=True)
class BenchmarkView:
    """The table and what it is about."""

    la: LocalAuthority
    label: str  # `2015-16` or the period's label
    grouping: int
    neighbours: pd.DataFrame  # rank, la_code, la_name, closeness
    table: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def year_ago(period: Period) -> Period:
    """The same period a year earlier (a quarter is compared with the same quarter)."""
    end = add_months(period.end + dt.timedelta(days=1), -12) - dt.timedelta(days=1)
    return Period(add_months(period.start, -12), end)


def _codes(codes: Sequence[str] | None, with_warehouse: bool) -> list[str]:
    if codes:
        unknown = [c for c in codes if c not in BY_CODE and c not in REGISTRY]
        if unknown:
            known = ", ".join(sorted(set(BY_CODE) | set(REGISTRY)))
            raise KeyError(f"unknown indicator(s) {', '.join(unknown)}; known: {known}")
        return list(codes)
    extra = [c for c in sorted(REGISTRY) if c not in BY_CODE] if with_warehouse else []
    return [*BY_CODE, *extra]


def benchmark_view(
    published: Published | pd.DataFrame,
    la: str,
    *,
    year: int | None = None,
    period: Period | None = None,
    codes: Sequence[str] | None = None,
    grouping: int | None = None,
    tables: Tables | None = None,
    contract: ContractTerms | None = None,
) -> BenchmarkView:
    """Benchmark one LA for financial `year` (published and computed) or `period` (computed)."""
    if (year is None) == (period is None):
        raise ValueError("give either a financial year or a period")
    load_builtin()
    held = as_published(published)
    try:
        place = resolve(la, held.places)
    except UnknownLA:
        if year is not None or tables is None:
            raise
        # A period from the warehouse alone: an LA the published tables lack (a synthetic
        # code) is still benchmarked against the other LAs held.
        place = LocalAuthority(la.strip(), None, la.strip(), None, None, "", "")
    if contract is not None and contract.la_code != place.code:
        raise ValueError(f"the contract is for LA {contract.la_code}, not {place.code}")
    chosen = _codes(codes, tables is not None)
    span = financial_year(year) if year is not None else period
    assert span is not None
    sn = grouping if grouping is not None else grouping_for(span.end)
    notes: list[str] = []
    if year is not None:
        mapped = [c for c in chosen if c in BY_CODE]
        table = comparators_for(held, place.code, year, codes=mapped, grouping=sn)
        table = pd.DataFrame({"code": chosen}).merge(table, on="code", how="left")
        table["title"] = table["title"].fillna(table["code"].map(_title))
        for state in STATE_COLUMNS:  # an indicator without a comparator: say so
            table[state] = table[state].fillna(str(Availability.NO_BENCHMARK))
        table["sn_model"] = neighbours_model_text(sn)
    else:
        table = pd.DataFrame({"code": chosen, "title": [_title(c) for c in chosen]})
        notes.append("published figures are for DfE's years only: give --year to see them")
    table["unit"] = table["code"].map(_unit)
    table["polarity"] = table["code"].map(_polarity)
    if tables is not None:
        table = _with_computed(table, tables, place, span, contract, sn, held.places, notes)
    if contract is not None:
        table = _rate(table, contract)
    else:
        table = table.assign(rag=str(RAG.NOT_RATED), rag_basis=None)
    if "joint" in table and table["joint"].eq(True).any():
        shared = ", ".join(table.loc[table["joint"].eq(True), "code"])
        notes.append(f"{shared}: the published figure is a joint return with another LA")
    label = year_name(year) if year is not None else span.label
    return BenchmarkView(place, label, sn, neighbour_table(place, sn, held.places), table, notes)


def _unit(code: str) -> str:
    return str(BY_CODE[code].unit if code in BY_CODE else REGISTRY[code].unit)


def _polarity(code: str) -> str:
    return str(BY_CODE[code].polarity if code in BY_CODE else REGISTRY[code].polarity)


def _title(code: str) -> str:
    if code in BY_CODE:
        return BY_CODE[code].title
    return REGISTRY[code].title if code in REGISTRY else code


def _rate(table: pd.DataFrame, contract: ContractTerms) -> pd.DataFrame:
    """RAG against the contract's target and tolerance (basket indicators only).

    The computed figure is rated where there is one, else the published figure.
    """
    none = pd.Series(np.nan, index=table.index, dtype=float)
    computed = table.get("computed", none).astype(float)
    published = table.get("value", none).astype(float)
    basis = pd.Series(None, index=table.index, dtype=object)
    basis = basis.mask(published.notna(), "published").mask(computed.notna(), "computed")
    rated_values = computed.where(computed.notna(), published)
    rated: list[dict[str, object]] = []
    for entry in contract.basket:  # the basket: a handful of indicators
        indicator = REGISTRY.get(entry.indicator)
        at = np.flatnonzero(table["code"].to_numpy() == entry.indicator)
        if indicator is None or not len(at):
            continue
        value = _number(rated_values.iloc[at[0]])
        rag = rag_rating(
            value,
            "ok" if value is not None else "no data",
            entry.target,
            entry.tolerance,
            indicator.polarity,
            decimals=display_decimals(indicator.unit),
        )
        rated.append(
            {
                "code": entry.indicator,
                "target": entry.target,
                "tolerance": entry.tolerance,
                "rag": str(rag),
                "rag_basis": basis.iloc[at[0]] if rag not in (RAG.NOT_RATED, RAG.GREY) else None,
            }
        )
    columns = ["code", "target", "tolerance", "rag", "rag_basis"]
    out = table.merge(pd.DataFrame(rated, columns=columns), on="code", how="left")
    out["rag"] = out["rag"].fillna(str(RAG.NOT_RATED))
    return out


def _with_computed(
    table: pd.DataFrame,
    tables: Tables,
    place: LocalAuthority,
    span: Period,
    contract: ContractTerms | None,
    sn: int,
    region_map: pd.DataFrame,
    notes: list[str],
) -> pd.DataFrame:
    codes = [c for c in table["code"] if c in REGISTRY]
    if not codes:
        return table
    before = year_ago(span)
    periods = [span, before] + ([contract.baseline_period()] if contract else [])
    results = compute(tables, periods, codes=codes)
    results["la_code"] = results["la_code"].astype(str)
    held = sorted(results["la_code"].unique())
    if place.code not in held:
        notes.append(f"the warehouse holds no returns for LA {place.code}")
    own = results[results["la_code"] == place.code]
    now, then = computed_for(own, span), computed_for(own, before)
    base = computed_for(own, contract.baseline_period()) if contract else {}
    rows = []
    for code in table["code"]:  # a dozen indicators
        indicator = REGISTRY.get(code)
        current = now.get(code)
        if indicator is None or current is None:
            rows.append({"code": code})
            continue
        decimals = display_decimals(indicator.unit)
        row: dict[str, object] = {
            "code": code,
            "computed": current.usable_value,
            "computed_ci_lower": current.ci_lower,
            "computed_ci_upper": current.ci_upper,
            "computed_status": current.status,
        }
        travel = significant_travel(
            _observed(then.get(code)),
            _observed(current),
            indicator.polarity,
            interval=indicator.interval,
            decimals=decimals,
        )
        row |= {
            "computed_travel": str(travel.travel),
            "computed_travel_p": travel.significance.p_value,
        }
        if contract is not None:
            since = significant_travel(
                _observed(base.get(code)),
                _observed(current),
                indicator.polarity,
                interval=indicator.interval,
                decimals=decimals,
            )
            row |= {
                "baseline_travel": str(since.travel),
                "baseline_travel_p": since.significance.p_value,
            }
        rows.append(row)
    table = table.merge(pd.DataFrame(rows), on="code", how="left")
    if len(held) > 1:
        table = table.merge(_pooled(results, span, place, region_map, sn), on="code", how="left")
    return table


def _pooled(
    results: pd.DataFrame, span: Period, place: LocalAuthority, region_map: pd.DataFrame, sn: int
) -> pd.DataFrame:
    """The pooled comparators of the warehouse's LAs, for the LA's row of each indicator."""
    start = pd.to_datetime(results["period_start"]).dt.date
    end = pd.to_datetime(results["period_end"]).dt.date
    pooled = pooled_benchmarks(
        results[(start == span.start) & (end == span.end)], region_map, grouping=sn
    )
    mine = pooled[pooled["la_code"] == place.code]
    return pd.DataFrame(
        {
            "code": mine["indicator"],
            "pooled_england": mine["england"],
            "pooled_england_las": mine["england_las"],
            "pooled_region": mine["region"],
            "pooled_sn_mean": mine["sn_mean"],
            "pooled_sn_count": mine["sn_count"],
            "pooled_band": mine["band"],
            "pooled_rank": mine["rank"],
            "pooled_ranked": mine["ranked"],
        }
    )


def _observed(computed: Computed | None) -> Observation:
    return Observation(None) if computed is None else Observation.from_computed(computed)


def _number(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]
