"""What the returns held cover, per LA and period: worked out once for a whole `compute`.

Every indicator's status asks the same questions of the returns held — does a return of
each kind it reads cover the period, all of it, its lookback, and is a return missing
between two held ones — and the answers depend only on the kinds read, the LAs holding
the indicator's source and its lookback. So the runs of days held are found once per
return kind, and each answer once per (source, kind, lookback), for the whole basket.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cscmonitor.indicators.registry import Indicator
from cscmonitor.returns.kind import ReturnKind


@dataclass(frozen=True)
class Held:
    """Per row of an indicator's grid (LA × period), what the returns it reads cover."""

    covered: np.ndarray  # some return of every kind overlaps the period
    whole: np.ndarray  # one unbroken run of each kind holds every day of the period
    looked: np.ndarray  # ... and of the lookback before it (true without a lookback)
    gap: np.ndarray  # a return of some kind is missing in the period or its lookback

    def at(self, rows: np.ndarray) -> Held:
        """The same for the grid's rows at `rows` (in that order)."""
        return Held(self.covered[rows], self.whole[rows], self.looked[rows], self.gap[rows])


class Coverage:
    """The returns held (the warehouse's `returns` table) against the periods computed."""

    def __init__(self, returns: pd.DataFrame, periods: pd.DataFrame) -> None:
        self._returns = returns
        self._periods = periods  # period_start, period_end: one row per period
        self._grids: dict[ReturnKind, pd.DataFrame] = {}
        self._spans: dict[str, tuple[pd.DataFrame, pd.DataFrame]] = {}
        self._kinds: dict[tuple[ReturnKind, str, int], Held] = {}

    def grid(self, source: ReturnKind) -> pd.DataFrame:
        """Every LA holding a return of `source`, once per period: an indicator's rows."""
        if source not in self._grids:
            main = self._returns[self._returns["kind"] == source.value]
            las = pd.DataFrame({"la_code": pd.Series(sorted(main["la_code"].unique()), dtype=str)})
            self._grids[source] = las.merge(self._periods, how="cross")
        return self._grids[source]

    def held(self, ind: Indicator) -> Held:
        """What the returns `ind` reads cover, row by row of `grid(ind.source)`."""
        parts = [
            self._held(ind.source, kind.value, ind.lookback_months or 0)
            for kind in [ind.source, *ind.also_reads]
        ]
        return Held(
            covered=np.logical_and.reduce([p.covered for p in parts]),
            whole=np.logical_and.reduce([p.whole for p in parts]),
            looked=np.logical_and.reduce([p.looked for p in parts]),
            gap=np.logical_or.reduce([p.gap for p in parts]),
        )

    def _held(self, source: ReturnKind, kind: str, lookback: int) -> Held:
        key = (source, kind, lookback)
        if key not in self._kinds:
            frame = self.grid(source)
            spans, gaps = self._runs(kind)
            starts = pd.to_datetime(frame["period_start"])
            ends = pd.to_datetime(frame["period_end"])
            since = starts - pd.DateOffset(months=lookback)
            self._kinds[key] = Held(
                covered=_overlapping(frame, spans, starts, ends),
                # A period the returns only partly cover would be counted from part of it.
                whole=_within(frame, spans, starts, ends),
                looked=_within(frame, spans, since, starts) if lookback else _everywhere(frame),
                gap=_overlapping(frame, gaps, since, ends),
            )
        return self._kinds[key]

    def _runs(self, kind: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        if kind not in self._spans:
            spans = held_spans(self._returns[self._returns["kind"] == kind])
            self._spans[kind] = (spans, _gaps(spans))
        return self._spans[kind]


def _everywhere(frame: pd.DataFrame) -> np.ndarray:
    return np.ones(len(frame), dtype=bool)


def _overlapping(
    frame: pd.DataFrame, spans: pd.DataFrame, start: pd.Series, end: pd.Series
) -> np.ndarray:
    """Whether some span of the row's LA overlaps [start, end] of the row."""
    pairs = _pairs(frame, spans, start, end)
    return _rows_hit(frame, pairs[(pairs["from"] <= pairs["e"]) & (pairs["to"] >= pairs["s"])])


def _within(
    frame: pd.DataFrame, spans: pd.DataFrame, start: pd.Series, end: pd.Series
) -> np.ndarray:
    """Whether one unbroken span of the row's LA holds every day of [start, end]."""
    pairs = _pairs(frame, spans, start, end)
    return _rows_hit(frame, pairs[(pairs["from"] <= pairs["s"]) & (pairs["to"] >= pairs["e"])])


def _pairs(
    frame: pd.DataFrame, spans: pd.DataFrame, start: pd.Series, end: pd.Series
) -> pd.DataFrame:
    rows = frame[["la_code"]].assign(s=start.to_numpy(), e=end.to_numpy(), i=np.arange(len(frame)))
    return rows.merge(spans, on="la_code")


def _rows_hit(frame: pd.DataFrame, hit: pd.DataFrame) -> np.ndarray:
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
