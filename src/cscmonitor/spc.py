"""Statistical process control: is a month's movement a signal or noise? (docs/spc.md)

Reads the engine's series (one row per indicator, LA and period) and answers as NHS England's
"Making Data Count" does. Each series is cut into phases at known change points (a contract's
start, a restructure); each phase gets its own mean and process limits, from the moving range
(XmR: mean ± 2.66 × mean moving range) or, for proportions with small or uneven cohorts, from
the binomial per point (p-chart). Four rules find special causes: a point beyond a limit, 2 of
3 points beyond 2 sigma on one side, a run of 7 on one side of the mean, a trend of 7 rising
or falling; a fifth reads a new phase's first 7 points against the phase before it, the
evidence that a change made a difference. Polarity turns a signal's side into improvement or
concern; the limits against the target give the assurance.

Every step works on whole columns (pandas group-wise transforms, numpy), so all indicators and
LAs of a result table are charted at once; nothing here loops over rows or councils.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple, Protocol, assert_never

import numpy as np
import pandas as pd

from cscmonitor.indicators.engine import OK
from cscmonitor.indicators.registry import Indicator, Interval, Polarity, Unit, get

XMR_LIMIT = 2.66  # 3 / 1.128: three sigma estimated from the mean moving range of 2 points
RUN_LENGTH = 7  # points on one side of the mean
TREND_LENGTH = 7  # points each higher (or lower) than the one before
SHIFT_POINTS = 7  # points of a new phase read against the phase before it
# A proportion is drawn as a p-chart when a cohort is this small or the cohorts vary this much.
SMALL_DENOMINATOR = 50
DENOMINATOR_SPREAD = 0.25
FIRST_PHASE = "series start"

SPC_COLUMNS = [
    "indicator",
    "la_code",
    "period_start",
    "period_end",
    "value",
    "mean",
    "lower_limit",
    "upper_limit",
    "phase",
    "phase_start",
    "signal",
    "signal_rule",
    "variation",
    "assurance",
    "chart",
    "target",
]


class Chart(StrEnum):
    XMR = "XmR"
    P = "p"


class Rule(StrEnum):
    """The special-cause rules, in the order that decides a point's side when they disagree."""

    BEYOND_LIMIT = "beyond limit"
    TWO_OF_THREE = "2 of 3 near limit"
    RUN = "run of 7"
    TREND = "trend of 7"
    SHIFT = "shift at change point"


class Signal(StrEnum):
    IMPROVEMENT = "improvement"
    CONCERN = "concern"
    NEITHER = "neither"  # a special cause in an indicator with no better direction
    NONE = ""


class Variation(StrEnum):
    """The variation icon: what the point's signal says about the process."""

    COMMON_CAUSE = "common cause"
    IMPROVING = "special cause improving"
    CONCERNING = "special cause concerning"
    NEITHER = "special cause neither"


class Assurance(StrEnum):
    """The assurance icon: whether the process, as it runs, will meet the target."""

    HIT_AND_MISS = "hit and miss"
    PASSING = "consistently passing"
    FAILING = "consistently failing"
    NONE = ""  # no target, or no better direction, or too few points for limits


class Dated(Protocol):
    """What a change point must tell: whose service, from which day, what changed."""

    @property
    def la_code(self) -> str: ...
    @property
    def on(self) -> dt.date: ...
    @property
    def label(self) -> str: ...


class ChangePoint(NamedTuple):
    """A day from which an LA's service runs differently; a new phase starts with it."""

    la_code: str
    on: dt.date
    label: str


@dataclass(frozen=True)
class ChartChoice:
    chart: Chart
    reason: str


def is_proportion(indicator: Indicator) -> bool:
    """A share of a cohort (numerator within denominator): the binomial applies."""
    return indicator.unit is Unit.PERCENT and indicator.interval is Interval.WILSON


def _needs_p_chart(
    proportion: np.ndarray, smallest: np.ndarray, mean: np.ndarray, largest: np.ndarray
) -> np.ndarray:
    uneven = (smallest < (1 - DENOMINATOR_SPREAD) * mean) | (
        largest > (1 + DENOMINATOR_SPREAD) * mean
    )
    return proportion & ((smallest < SMALL_DENOMINATOR) | uneven)


def choose_chart(indicator: Indicator, denominators: Sequence[float]) -> ChartChoice:
    """The chart for one series, and why (the rule `control_charts` applies to every series)."""
    den = np.asarray(denominators, dtype=float)
    if not is_proportion(indicator):
        return ChartChoice(Chart.XMR, f"{indicator.code} is not a proportion of a cohort")
    if den.size == 0:
        return ChartChoice(Chart.XMR, "no points")
    smallest, mean, largest = den.min(), den.mean(), den.max()
    span = f"cohorts of {smallest:,.0f} to {largest:,.0f} (mean {mean:,.0f})"
    prop = np.array([True])
    if _needs_p_chart(prop, np.array([smallest]), np.array([mean]), np.array([largest]))[0]:
        return ChartChoice(Chart.P, f"a proportion with small or uneven {span}")
    return ChartChoice(Chart.XMR, f"a proportion with large, even {span}")


def _polarity_sign(polarity: Polarity) -> int:
    match polarity:
        case Polarity.HIGHER:
            return 1
        case Polarity.LOWER:
            return -1
        case Polarity.NEITHER:
            return 0
        case _:
            assert_never(polarity)


def _phases(frame: pd.DataFrame, change_points: Sequence[Dated]) -> pd.DataFrame:
    """Each row's phase: the latest change point of its LA on or before its period's start.

    A period that began before a change ran partly under the old arrangements, so it stays in
    the old phase; the new phase starts with the first period wholly after the change.
    """
    if not change_points:
        return frame.assign(phase=FIRST_PHASE, phase_start=pd.NaT)
    changes = pd.DataFrame(
        [(c.la_code, c.on, c.label) for c in change_points], columns=["la_code", "on", "label"]
    )
    changes["on"] = pd.to_datetime(changes["on"])
    # Two records of one day (a contract start also entered by hand) make one change.
    changes = (
        changes.groupby(["la_code", "on"], as_index=False)
        .agg(label=("label", lambda labels: "; ".join(dict.fromkeys(labels))))
        .sort_values("on")
    )
    frame = frame.assign(_start=pd.to_datetime(frame["period_start"])).sort_values("_start")
    merged = pd.merge_asof(
        frame, changes, left_on="_start", right_on="on", by="la_code", direction="backward"
    )
    opened = merged["on"].notna()
    merged["phase"] = np.where(
        opened,
        # Dated as every report dates a day: `contract start (from 1 October 2014)`.
        merged["label"].astype(str) + " (from " + merged["on"].dt.strftime("%-d %B %Y") + ")",
        FIRST_PHASE,
    )
    merged["phase_start"] = merged["on"].dt.date
    return merged.drop(columns=["_start", "on", "label"])


def _targets(frame: pd.DataFrame, targets: pd.DataFrame | None) -> pd.Series:
    """The target in force at each row's period start (`targets`: indicator, la_code,
    from_date, target; a target holds from its date until the next one)."""
    if targets is None or targets.empty:
        return pd.Series(np.nan, index=frame.index)
    steps = targets.assign(_from=pd.to_datetime(targets["from_date"])).sort_values("_from")
    rows = frame[["indicator", "la_code"]].assign(
        _start=pd.to_datetime(frame["period_start"]), _row=np.arange(len(frame))
    )
    merged = pd.merge_asof(
        rows.sort_values("_start"),
        steps[["indicator", "la_code", "_from", "target"]],
        left_on="_start",
        right_on="_from",
        by=["indicator", "la_code"],
        direction="backward",
    ).sort_values("_row")
    return pd.Series(merged["target"].to_numpy(float), index=frame.index)


def _runs(key: np.ndarray) -> np.ndarray:
    """For each element, the length of the run of equal consecutive keys it belongs to."""
    starts = np.r_[True, key[1:] != key[:-1]]
    ids = np.cumsum(starts)
    return np.bincount(ids)[ids]


def _ahead(values: np.ndarray, steps: int, fill: int | bool = 0) -> np.ndarray:
    """values[i + steps], padded at the end."""
    return np.r_[values[steps:], np.full(steps, fill, dtype=values.dtype)]


def _behind(values: np.ndarray, steps: int, fill: int | bool = 0) -> np.ndarray:
    """values[i - steps], padded at the start."""
    return np.r_[np.full(steps, fill, dtype=values.dtype), values[:-steps]]


def _rules(
    value: np.ndarray,
    mean: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    near_lower: np.ndarray,
    near_upper: np.ndarray,
    position: np.ndarray,
) -> dict[Rule, np.ndarray]:
    """Each in-phase rule's verdict per point: +1 a high special cause, -1 a low one, 0 none.

    Rows are sorted by phase and period; `position` counts points within the phase, so a
    point with position 0 opens a phase and no rule looks back across it.
    """
    same = position > 0  # the point before is in the same phase
    with np.errstate(invalid="ignore"):
        beyond = np.where(value > upper, 1, np.where(value < lower, -1, 0))
        high = value > near_upper
        low = value < near_lower
    # A run: consecutive points strictly on one side; a point on the mean breaks it.
    side = np.sign(value - mean).astype(int)
    run_key = np.cumsum(~same) * 3 + side  # a new phase always starts a new run
    run = np.where((side != 0) & (_runs(run_key) >= RUN_LENGTH), side, 0)
    # A trend: TREND_LENGTH points joined by TREND_LENGTH - 1 steps all up (or all down).
    step = np.where(same, np.sign(value - _behind(value, 1, 0)), 0).astype(int)
    step_key = np.cumsum(~same) * 3 + step
    steps_in_trend = np.where((step != 0) & (_runs(step_key) >= TREND_LENGTH - 1), step, 0)
    # A step belongs to the point it ends at; the trend's first point is the one before.
    trend = np.where(steps_in_trend != 0, steps_in_trend, _ahead(steps_in_trend, 1))
    # 2 of 3: a window of 3 consecutive points of one phase with 2 beyond 2 sigma on one side;
    # the points beyond 2 sigma in such a window are flagged.
    whole = position >= 2

    def two_of_three(beyond_two_sigma: np.ndarray) -> np.ndarray:
        hits = beyond_two_sigma.astype(int)
        window = whole & (hits + _behind(hits, 1) + _behind(hits, 2) >= 2)
        in_window = window | _ahead(window, 1, False) | _ahead(window, 2, False)
        return beyond_two_sigma & in_window

    near = np.where(two_of_three(high), 1, np.where(two_of_three(low), -1, 0))
    return {Rule.BEYOND_LIMIT: beyond, Rule.TWO_OF_THREE: near, Rule.RUN: run, Rule.TREND: trend}


def _shift(
    value: np.ndarray,
    previous_mean: np.ndarray,
    previous_lower: np.ndarray,
    previous_upper: np.ndarray,
    group: np.ndarray,
    position: np.ndarray,
) -> np.ndarray:
    """A new phase's first SHIFT_POINTS points read against the phase before: all on one side
    of its mean (a shift), or, one by one, beyond its limits."""
    opening = (position < SHIFT_POINTS) & ~np.isnan(previous_mean)
    with np.errstate(invalid="ignore"):
        side = np.where(opening, np.sign(value - previous_mean), 0).astype(int)
        beyond = np.where(
            opening,
            np.where(value > previous_upper, 1, np.where(value < previous_lower, -1, 0)),
            0,
        )
    ups = np.bincount(group, weights=side == 1)[group]
    downs = np.bincount(group, weights=side == -1)[group]
    return np.where(
        opening & (ups == SHIFT_POINTS), 1, np.where(opening & (downs == SHIFT_POINTS), -1, beyond)
    )


def control_charts(
    results: pd.DataFrame,
    change_points: Sequence[Dated] = (),
    targets: pd.DataFrame | None = None,
    *,
    indicators: Mapping[str, Indicator] | None = None,
) -> pd.DataFrame:
    """Every series of the engine's results as control charts, one row per charted point.

    Only values the engine calls sound (status "ok") are charted: a value from part of a
    period, a short lookback or a cohort below the minimum is not a point of the process.
    `targets` holds `indicator, la_code, from_date, target` (see `_targets`); `indicators`
    looks codes up (default: the registry).
    """
    lookup: Callable[[str], Indicator] = indicators.__getitem__ if indicators else get
    charted = results[(results["status"] == OK) & results["value"].notna()]
    if charted.empty:
        return pd.DataFrame(columns=SPC_COLUMNS)
    frame = _phases(charted.reset_index(drop=True), change_points)
    frame = frame.sort_values(
        ["indicator", "la_code", "phase_start", "period_start"], na_position="first"
    ).reset_index(drop=True)
    known = {code: lookup(code) for code in frame["indicator"].unique()}
    series = frame.groupby(["indicator", "la_code"], sort=False).ngroup().to_numpy()
    group = (
        frame.groupby(["indicator", "la_code", "phase"], sort=False, dropna=False)
        .ngroup()
        .to_numpy()
    )
    position = frame.groupby(group).cumcount().to_numpy()
    value = frame["value"].to_numpy(float)
    num = frame["numerator"].to_numpy(float)
    den = frame["denominator"].to_numpy(float)

    # Which chart: one per series (indicator × LA), over all its phases.
    by_series = pd.Series(den).groupby(series)
    proportion = frame["indicator"].map({c: is_proportion(i) for c, i in known.items()})
    p_chart = _needs_p_chart(
        proportion.to_numpy(bool),
        by_series.transform("min").to_numpy(),
        by_series.transform("mean").to_numpy(),
        by_series.transform("max").to_numpy(),
    )

    # XmR: the phase's mean; sigma from the mean moving range between its consecutive points.
    xmr_mean = pd.Series(value).groupby(group).transform("mean").to_numpy()
    moving_range = np.where(position > 0, np.abs(value - _behind(value, 1, 0)), np.nan)
    mean_range = pd.Series(moving_range).groupby(group).transform("mean").to_numpy()
    xmr_sigma = XMR_LIMIT / 3 * mean_range
    # p-chart: the phase's pooled proportion; sigma from the binomial at each point's cohort.
    pooled = (
        pd.Series(num).groupby(group).transform("sum")
        / pd.Series(den).groupby(group).transform("sum")
    ).to_numpy()
    scale = 100.0  # p-charts are for percentages only
    with np.errstate(invalid="ignore", divide="ignore"):
        p_sigma = np.sqrt(pooled * (1 - pooled) / den) * scale
    mean = np.where(p_chart, pooled * scale, xmr_mean)
    sigma = np.where(p_chart, p_sigma, xmr_sigma)

    def limit(k: float) -> np.ndarray:
        edge = mean + k * sigma
        # A proportion's binomial limits stop at 0% and 100%; XmR limits describe the spread.
        return np.where(p_chart, np.clip(edge, 0.0, scale), edge)

    lower, upper = limit(-3), limit(3)
    verdicts = _rules(value, mean, lower, upper, limit(-2), limit(2), position)

    # The phase before, for a new phase's opening points (per point for a p-chart's cohorts).
    phases = pd.DataFrame(
        {"series": series, "group": group, "mean": mean, "sigma": xmr_sigma, "pooled": pooled}
    ).drop_duplicates("group")
    before = phases.groupby("series")[["mean", "sigma", "pooled"]].shift()
    before.index = phases["group"].to_numpy()
    prev_mean = before["mean"].reindex(group).to_numpy()
    prev_pooled = before["pooled"].reindex(group).to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        prev_sigma = np.where(
            p_chart,
            np.sqrt(prev_pooled * (1 - prev_pooled) / den) * scale,
            before["sigma"].reindex(group).to_numpy(),
        )
    prev_lower = np.where(
        p_chart, np.clip(prev_mean - 3 * prev_sigma, 0.0, scale), prev_mean - 3 * prev_sigma
    )
    prev_upper = np.where(
        p_chart, np.clip(prev_mean + 3 * prev_sigma, 0.0, scale), prev_mean + 3 * prev_sigma
    )
    verdicts[Rule.SHIFT] = _shift(value, prev_mean, prev_lower, prev_upper, group, position)

    # The first rule (in Rule's order) to flag a point decides its side.
    side = np.zeros(len(frame), dtype=int)
    for rule in Rule:
        side = np.where(side == 0, verdicts[rule], side)
    named = np.full(len(frame), "", dtype=object)
    for rule in Rule:
        hit = (side != 0) & (verdicts[rule] == side)
        named = np.where(
            hit & (named != ""), named + "; " + rule.value, np.where(hit, named + rule.value, named)
        )

    polarity = frame["indicator"].map({c: _polarity_sign(i.polarity) for c, i in known.items()})
    better = side * polarity.to_numpy(int)
    signal = np.select(
        [better > 0, better < 0, side != 0],
        [Signal.IMPROVEMENT.value, Signal.CONCERN.value, Signal.NEITHER.value],
        Signal.NONE.value,
    )
    variation = np.select(
        [better > 0, better < 0, side != 0],
        [Variation.IMPROVING.value, Variation.CONCERNING.value, Variation.NEITHER.value],
        Variation.COMMON_CAUSE.value,
    )
    target = _targets(frame, targets).to_numpy()
    assurance = _assurance(target, lower, upper, polarity.to_numpy(int))

    out = frame.assign(
        mean=mean,
        lower_limit=lower,
        upper_limit=upper,
        signal=signal,
        signal_rule=named.astype(str),
        variation=variation,
        assurance=assurance,
        chart=np.where(p_chart, Chart.P.value, Chart.XMR.value),
        target=target,
    )
    return out[SPC_COLUMNS].sort_values(
        ["indicator", "la_code", "period_start", "period_end"], ignore_index=True
    )


def _assurance(
    target: np.ndarray, lower: np.ndarray, upper: np.ndarray, polarity: np.ndarray
) -> np.ndarray:
    """Where the target sits against the limits, read with polarity (+1 higher is better)."""
    judged = ~np.isnan(target) & ~np.isnan(lower) & ~np.isnan(upper) & (polarity != 0)
    with np.errstate(invalid="ignore"):
        # All the process runs above the target (target below the lower limit), or all below.
        above, below = target < lower, target > upper
    passing = (above & (polarity > 0)) | (below & (polarity < 0))
    failing = (above & (polarity < 0)) | (below & (polarity > 0))
    return np.select(
        [~judged, passing, failing],
        [Assurance.NONE.value, Assurance.PASSING.value, Assurance.FAILING.value],
        Assurance.HIT_AND_MISS.value,
    )


def latest(charts: pd.DataFrame) -> pd.DataFrame:
    """The two icons per series: the variation and assurance of its latest point."""
    ordered = charts.sort_values(["indicator", "la_code", "period_end"])
    last = ordered.groupby(["indicator", "la_code"], as_index=False).tail(1)
    return last[
        ["indicator", "la_code", "period_end", "value", "variation", "assurance", "chart", "phase"]
    ].reset_index(drop=True)
