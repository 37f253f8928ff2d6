"""The indicator engine: one query per indicator for every LA and period at once.

The body of an indicator returns its records; the engine aggregates them to numerator and
denominator per (LA, period) as the indicator's measure kind declares (`measures.py`), then
adds the value, its 95% confidence interval and a status, on the small result table
(vectorised; no loop over LAs or periods). Explain shows the same records, not aggregated.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
from scipy.stats import chi2, t

from cscmonitor.indicators.measures import records, totals
from cscmonitor.indicators.population import population_table
from cscmonitor.indicators.registry import Indicator, Interval, Tables, Unit, all_indicators, get
from cscmonitor.periods import Period, twelve_months_to

RESULT_COLUMNS = [
    "indicator",
    "la_code",
    "period_start",
    "period_end",
    "numerator",
    "denominator",
    "value",
    "ci_lower",
    "ci_upper",
    "status",
]
OK = "ok"
INSUFFICIENT_DATA = "insufficient data"
LOOKBACK_INCOMPLETE = "lookback incomplete"
NO_DATA = "no data"
INCOMPLETE_DATA = "incomplete data"  # the returns held cover only part of the period
# A return between two held ones is missing, and the period (or its lookback) reaches into
# its year: no value, since rows its return would have closed or carried are not known.
RETURN_MISSING = "return missing"
Z95 = 1.959963984540054


class ForLAs:
    """The warehouse tables seen through a filter on `la_code`."""

    def __init__(self, tables: Tables, las: Sequence[str] | None) -> None:
        self._tables = tables
        self._las = list(las) if las else None

    def table(self, name: str) -> ir.Table:
        # Reference tables (not from returns) are served here, so any backend has them.
        t = population_table() if name == "population" else self._tables.table(name)
        return t.filter(t.la_code.isin(self._las)) if self._las else t


def periods_table(periods: Sequence[Period]) -> ir.Table:
    """The periods as a table, with the 12 months to each period end (start, and the period's
    share of them for annualising rates)."""
    if not periods:
        raise ValueError("no periods to compute")
    years = [twelve_months_to(p.end) for p in periods]
    return ibis.memtable(
        pd.DataFrame(
            {
                "period_start": [p.start for p in periods],
                "period_end": [p.end for p in periods],
                "year_start": [y.start for y in years],
                "year_fraction": [p.days / y.days for p, y in zip(periods, years, strict=True)],
            }
        ),
        schema={
            "period_start": "date",
            "period_end": "date",
            "year_start": "date",
            "year_fraction": "float64",
        },
    )


def compute(
    tables: Tables,
    periods: Sequence[Period],
    *,
    codes: Sequence[str] | None = None,
    las: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Every requested indicator for every LA holding its return and every period."""
    indicators = [get(c) for c in codes] if codes else all_indicators()
    scoped = ForLAs(tables, las)
    unique = sorted(set(periods))
    pt = periods_table(unique)
    grid = pd.DataFrame(
        {"period_start": [p.start for p in unique], "period_end": [p.end for p in unique]}
    )
    returns = scoped.table("returns").execute()
    frames = [_one(ind, scoped, pt, grid, returns) for ind in indicators]
    result = (
        pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=RESULT_COLUMNS)
    )
    return result[RESULT_COLUMNS].sort_values(
        ["indicator", "la_code", "period_start", "period_end"], ignore_index=True
    )


def _one(
    ind: Indicator, tables: Tables, pt: ir.Table, periods: pd.DataFrame, returns: pd.DataFrame
) -> pd.DataFrame:
    main = returns[returns["kind"] == ind.source.value]
    las = pd.DataFrame({"la_code": pd.Series(sorted(main["la_code"].unique()), dtype=str)})
    grid = las.merge(periods, how="cross")
    counts = totals(ind, tables, pt).execute()
    for column in ("period_start", "period_end"):
        counts[column] = pd.to_datetime(counts[column]).dt.date
    frame = grid.merge(counts, on=["la_code", "period_start", "period_end"], how="left")
    frame["numerator"] = frame["numerator"].astype(float).fillna(0.0)
    frame["denominator"] = frame["denominator"].astype(float).fillna(0.0)
    frame.insert(0, "indicator", ind.code)
    kinds = {ind.source.value, *(s.value for s in ind.also_reads)}
    return finish(ind, frame, returns[returns["kind"].isin(kinds)])


def finish(ind: Indicator, frame: pd.DataFrame, held: pd.DataFrame) -> pd.DataFrame:
    """Value, confidence interval and status from numerator and denominator.

    `held` lists the returns held of every kind the indicator reads; each kind must cover
    the period (and the lookback) for the value to stand.
    """
    num = frame["numerator"].to_numpy(float)
    den = frame["denominator"].to_numpy(float)
    starts = pd.to_datetime(frame["period_start"])
    lookback_from = starts - pd.DateOffset(months=ind.lookback_months or 0)
    covered = np.ones(len(frame), dtype=bool)
    whole = np.ones(len(frame), dtype=bool)
    looked = np.ones(len(frame), dtype=bool)
    gap = np.zeros(len(frame), dtype=bool)
    for kind in [ind.source, *ind.also_reads]:
        spans = held_spans(held[held["kind"] == kind.value])
        gap |= _overlapping(frame, _gaps(spans), lookback_from)
        covered &= _overlapping(frame, spans, starts)
        # A period the returns only partly cover would be counted from part of it: no value.
        whole &= _within(frame, spans, starts, frame["period_end"])
        if ind.lookback_months:
            looked &= _within(frame, spans, lookback_from, frame["period_start"])
    if ind.collected_from is not None:
        # Before the return collected it, nothing was recorded: not a zero, no data.
        collected = (starts >= pd.Timestamp(ind.collected_from)).to_numpy()
        covered &= collected
        whole &= collected
    if ind.unit is Unit.COUNT:
        # A count has no denominator, so no minimum: zero events in a covered period is a value.
        den = np.full(len(frame), np.nan)
        frame["denominator"] = den
        enough = whole
    else:
        enough = whole & (den >= ind.min_denominator) & (den > 0)
    enough &= ~gap
    status = np.where(
        ~covered,
        NO_DATA,
        np.where(~whole, INCOMPLETE_DATA, np.where(enough, OK, INSUFFICIENT_DATA)),
    )
    if ind.complete_on is not None:
        # The return holds the records only for children there on one day of the year.
        month, day = ind.complete_on
        ends = pd.to_datetime(frame["period_end"])
        looked &= ((ends.dt.month == month) & (ends.dt.day == day)).to_numpy()
    status = np.where((status == OK) & ~looked, LOOKBACK_INCOMPLETE, status)
    status = np.where(gap, RETURN_MISSING, status)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(enough, num if ind.unit is Unit.COUNT else num / den, np.nan)
    squares = (
        frame["squares"].to_numpy(float) if "squares" in frame else np.full(len(frame), np.nan)
    )
    lower, upper = _interval(ind.interval, num, den, squares)
    scale = ind.unit.scale
    frame["value"] = ratio * scale
    frame["ci_lower"] = np.where(enough, lower * scale, np.nan)
    frame["ci_upper"] = np.where(enough, upper * scale, np.nan)
    frame["status"] = status
    return frame


def _interval(
    kind: Interval, num: np.ndarray, den: np.ndarray, squares: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(divide="ignore", invalid="ignore"):
        match kind:
            case Interval.WILSON:
                return wilson(num, den)
            case Interval.POISSON:
                return garwood(num, den)
            case Interval.NORMAL:
                return mean_interval(num, den, squares)
            case Interval.NONE:
                nothing = np.full(num.shape, np.nan)
                return nothing, nothing


def mean_interval(
    total: np.ndarray, n: np.ndarray, squares: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """95% Student's t interval for a mean of n values, from their sum and sum of squares."""
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = total / n
        variance = np.maximum(squares - n * mean * mean, 0.0) / (n - 1)
        half = t.ppf(0.975, n - 1) * np.sqrt(variance / n)
    return mean - half, mean + half


def wilson(num: np.ndarray, den: np.ndarray, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """95% Wilson score interval for the proportion num/den."""
    p = num / den
    centre = (p + z * z / (2 * den)) / (1 + z * z / den)
    half = z * np.sqrt(p * (1 - p) / den + z * z / (4 * den * den)) / (1 + z * z / den)
    return centre - half, centre + half


def garwood(num: np.ndarray, den: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood) 95% Poisson interval for the count num, divided by den."""
    lower = np.where(num > 0, chi2.ppf(0.025, 2 * num) / 2, 0.0)
    upper = chi2.ppf(0.975, 2 * (num + 1)) / 2
    return lower / den, upper / den


def _overlapping(frame: pd.DataFrame, spans: pd.DataFrame, start: pd.Series) -> np.ndarray:
    """Whether some span of the row's LA overlaps [start, period_end] of the row."""
    rows = frame[["la_code"]].assign(
        s=start.to_numpy(), e=pd.to_datetime(frame["period_end"]), i=np.arange(len(frame))
    )
    pairs = rows.merge(spans, on="la_code")
    hit = pairs[(pairs["from"] <= pairs["e"]) & (pairs["to"] >= pairs["s"])]
    covered = np.zeros(len(frame), dtype=bool)
    covered[hit["i"].unique()] = True
    return covered


def _within(
    frame: pd.DataFrame, spans: pd.DataFrame, start: pd.Series, end: pd.Series
) -> np.ndarray:
    """Whether one unbroken span of the row's LA holds every day of [start, end]."""
    rows = frame[["la_code"]].assign(
        s=start.to_numpy(), e=pd.to_datetime(end).to_numpy(), i=np.arange(len(frame))
    )
    pairs = rows.merge(spans, on="la_code")
    hit = pairs[(pairs["from"] <= pairs["s"]) & (pairs["to"] >= pairs["e"])]
    covered = np.zeros(len(frame), dtype=bool)
    covered[hit["i"].unique()] = True
    return covered


def held_spans(held: pd.DataFrame) -> pd.DataFrame:
    """Per LA, the unbroken runs of days its held returns cover (`from`, `to`)."""
    spans = held[["la_code", "period_start", "period_end"]].copy()
    spans["period_start"] = pd.to_datetime(spans["period_start"])
    spans["period_end"] = pd.to_datetime(spans["period_end"])
    spans = spans.sort_values(["la_code", "period_start"])
    reach = spans.groupby("la_code")["period_end"].cummax()
    gap = spans["period_start"] > reach.groupby(spans["la_code"]).shift() + pd.Timedelta(days=1)
    spans["run"] = gap.groupby(spans["la_code"]).cumsum()
    return (
        spans.groupby(["la_code", "run"])
        .agg(**{"from": ("period_start", "min"), "to": ("period_end", "max")})
        .reset_index()
    )


def _gaps(spans: pd.DataFrame) -> pd.DataFrame:
    """Per LA, the days between two unbroken runs of held returns: a missing return."""
    spans = spans.sort_values(["la_code", "from"])
    after = spans.groupby("la_code")["from"].shift(-1)
    gaps = pd.DataFrame(
        {
            "la_code": spans["la_code"],
            "from": spans["to"] + pd.Timedelta(days=1),
            "to": after - pd.Timedelta(days=1),
        }
    )
    return gaps[after.notna()]


def explain(tables: Tables, code: str, period: Period, la_code: str) -> pd.DataFrame:
    """The records behind one figure: the indicator's records for the LA and period, which the
    engine aggregates to the figure, with `counted` true for those in the numerator (ids are
    the warehouse's pseudonyms)."""
    ind = get(code)
    rows = records(ind, ForLAs(tables, [la_code]), periods_table([period])).execute()
    first = [c for c in ("counted", "child_id", "worker_id") if c in rows.columns]
    rest = [c for c in rows.columns if c not in first]
    order = [c for c in ("child_id", "worker_id") if c in rows.columns] or rest[:1]
    return rows[first + rest].sort_values(
        ["counted", *order], ascending=[False] + [True] * len(order), ignore_index=True
    )
