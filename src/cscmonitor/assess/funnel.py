"""Funnel plots: control limits around a group's pooled mean, and where each LA falls.

Control limits around a pooled mean (the group's total numerator over total denominator) for
each denominator: mean ± z·√(var/n), var = p(1−p) for proportions and p for Poisson rates
(Spiegelhalter 2005, normal approximation), clipped at 0 (and 1 for proportions). z = 1.96
for 95% and 3.09 for 99.8% (two-sided). Units are the indicator's (×100 for percentages).

"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import assert_never

import numpy as np
import pandas as pd

from cscmonitor.indicators.engine import Z95
from cscmonitor.indicators.registry import Interval

Z998 = 3.090232306167813


class FunnelPosition(StrEnum):
    ABOVE_998 = "above 99.8% limit"
    ABOVE_95 = "above 95% limit"
    WITHIN = "within limits"
    BELOW_95 = "below 95% limit"
    BELOW_998 = "below 99.8% limit"
    NO_VALUE = "no value"


def funnel_limits(
    denominators: np.ndarray | Sequence[float],
    pooled: float,
    *,
    interval: Interval = Interval.WILSON,
    scale: float = 100.0,
) -> pd.DataFrame:
    """The 95% and 99.8% limits at each denominator around the pooled mean (a 0–1 ratio)."""
    n = np.asarray(denominators, dtype=float)
    match interval:
        case Interval.WILSON:
            variance, ceiling = pooled * (1 - pooled), 1.0
        case Interval.POISSON:
            variance, ceiling = pooled, np.inf
        case Interval.NONE | Interval.NORMAL:
            raise ValueError("funnel limits need counts: a proportion or a Poisson rate")
        case _:
            assert_never(interval)
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(variance / n)
    limits = {
        "lower_998": pooled - Z998 * se,
        "lower_95": pooled - Z95 * se,
        "upper_95": pooled + Z95 * se,
        "upper_998": pooled + Z998 * se,
    }
    return pd.DataFrame(
        {k: np.clip(v, 0.0, ceiling) * scale for k, v in limits.items()}, index=range(len(n))
    )


def funnel(
    frame: pd.DataFrame,
    *,
    interval: Interval = Interval.WILSON,
    scale: float = 100.0,
) -> pd.DataFrame:
    """Funnel limits for a group of LAs (`numerator`, `denominator` columns) around their pool.

    Adds `value`, `pooled`, the four limits and `position` to a copy of `frame`.
    """
    num = frame["numerator"].to_numpy(float)
    den = frame["denominator"].to_numpy(float)
    usable = np.isfinite(num) & np.isfinite(den) & (den > 0)
    pooled = num[usable].sum() / den[usable].sum() if usable.any() else float("nan")
    limits = funnel_limits(den, pooled, interval=interval, scale=scale)
    limits.index = frame.index
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(usable, num / den * scale, np.nan)
    position = np.select(
        [
            ~usable,
            value > limits["upper_998"],
            value > limits["upper_95"],
            value < limits["lower_998"],
            value < limits["lower_95"],
        ],
        [
            FunnelPosition.NO_VALUE,
            FunnelPosition.ABOVE_998,
            FunnelPosition.ABOVE_95,
            FunnelPosition.BELOW_998,
            FunnelPosition.BELOW_95,
        ],
        default=FunnelPosition.WITHIN,
    )
    return frame.assign(value=value, pooled=pooled * scale, **limits, position=position)
