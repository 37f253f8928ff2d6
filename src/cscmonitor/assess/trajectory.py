"""Trajectory: a fitted trend projected to a milestone, with its prediction interval.

A straight line fitted by weighted least squares to a series of (date, value), each point
weighted by its denominator (a year of 2,000 referrals says more than a quarter of 400), and
projected to a target date with a prediction interval for a period the size of the last one:
    var = s² (1/w₀ + x₀ᵀ (XᵀWX)⁻¹ x₀),  s² = Σ wᵢ rᵢ² / (n − 2),
weights scaled to mean 1, the interval from Student's t on n − 2 degrees of freedom.
On track: the interval's far end (the worse side) still meets the target. At risk: the
projection meets it but the far end does not. Off track: the projection misses it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import assert_never

import numpy as np
from scipy.stats import t as student_t

from cscmonitor.assess.rag import EPSILON, beyond_target
from cscmonitor.indicators.registry import Polarity


class Outlook(StrEnum):
    ON_TRACK = "on track"
    AT_RISK = "at risk"
    OFF_TRACK = "off track"
    NOT_RATED = "not rated"  # polarity "neither": no side of the target is better
    INSUFFICIENT = "insufficient data"  # fewer than three points


@dataclass(frozen=True)
class Trajectory:
    target: float
    target_date: dt.date
    points: int
    slope_per_year: float | None
    projected: float | None
    lower: float | None
    upper: float | None
    level: float
    outlook: Outlook


def _meets(value: float, target: float, polarity: Polarity) -> bool:
    return beyond_target(value, target, polarity) <= EPSILON


def trajectory(
    dates: Sequence[dt.date],
    values: Sequence[float],
    target: float,
    target_date: dt.date,
    polarity: Polarity,
    *,
    denominators: Sequence[float] | None = None,
    target_denominator: float | None = None,
    level: float = 0.95,
) -> Trajectory:
    """Project the trend to `target_date` and say whether the target will be met."""
    if len(dates) != len(values) or (denominators is not None and len(denominators) != len(values)):
        raise ValueError("dates, values and denominators must be the same length")
    points = len(values)
    if points < 3 or len(set(dates)) < 2:
        return Trajectory(
            target, target_date, points, None, None, None, None, level, Outlook.INSUFFICIENT
        )
    origin = min(dates)
    t = np.array([(d - origin).days / 365.25 for d in dates])
    y = np.asarray(values, dtype=float)
    raw = np.ones(points) if denominators is None else np.asarray(denominators, dtype=float)
    if (raw <= 0).any():
        raise ValueError("denominators must be positive")
    scale = raw.mean()
    w = raw / scale
    x = np.column_stack([np.ones(points), t])
    xtwx_inv = np.linalg.inv(x.T @ (w[:, None] * x))
    beta = xtwx_inv @ (x.T @ (w * y))
    residuals = y - x @ beta
    s2 = float(w @ residuals**2) / (points - 2)
    x0 = np.array([1.0, (target_date - origin).days / 365.25])
    w0 = (raw[-1] if target_denominator is None else target_denominator) / scale
    half = float(student_t.ppf((1 + level) / 2, points - 2)) * math.sqrt(
        s2 * (1 / w0 + x0 @ xtwx_inv @ x0)
    )
    projected = float(x0 @ beta)
    lower, upper = projected - half, projected + half
    match polarity:
        case Polarity.NEITHER:
            outlook = Outlook.NOT_RATED
        case Polarity.LOWER | Polarity.HIGHER:
            far = upper if polarity is Polarity.LOWER else lower
            if _meets(far, target, polarity):
                outlook = Outlook.ON_TRACK
            elif _meets(projected, target, polarity):
                outlook = Outlook.AT_RISK
            else:
                outlook = Outlook.OFF_TRACK
        case _:
            assert_never(polarity)
    return Trajectory(
        target, target_date, points, float(beta[1]), projected, lower, upper, level, outlook
    )
