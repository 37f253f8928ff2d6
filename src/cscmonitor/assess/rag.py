"""RAG against target and tolerance, and the direction a value moved, given polarity."""

from __future__ import annotations

from enum import StrEnum
from typing import assert_never

from cscmonitor.indicators.engine import INCOMPLETE_DATA, INSUFFICIENT_DATA, NO_DATA
from cscmonitor.indicators.registry import Polarity, Unit

# Only these statuses withhold a value.
WITHOUT_VALUE = frozenset({INSUFFICIENT_DATA, NO_DATA, INCOMPLETE_DATA})

# Absorbs binary floating-point error in sums such as target + tolerance (0.1 + 0.2).
EPSILON = 1e-9


class RAG(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    GREY = "grey"
    NOT_RATED = "not rated"


class Change(StrEnum):
    """How a value moved, whatever the polarity."""

    INCREASE = "increase"
    REDUCTION = "reduction"
    NO_CHANGE = "no change"
    NOT_COMPARABLE = "not comparable"


class Direction(StrEnum):
    """Direction of travel: whether a change is for the better, given polarity."""

    IMPROVED = "improved"
    DECLINED = "declined"
    NO_CHANGE = "no change"
    NOT_COMPARABLE = "not comparable"
    # The value moved, but the indicator's polarity is "neither": no better and no worse.
    CHANGED = "changed"


def display_decimals(unit: Unit) -> int:
    """Decimal places a value in this unit is shown with (the unit says)."""
    return unit.decimals


def rag_rating(
    value: float | None,
    status: str,
    target: float | None,
    tolerance: float | None,
    polarity: Polarity,
    *,
    decimals: int = 1,
) -> RAG:
    """Rate a value against its target and tolerance.

    Boundaries are inclusive: a value exactly at the target meets it (green), and a value
    exactly at target ± tolerance is still within tolerance (amber). The value is compared as
    displayed, rounded to `decimals`, so a reader never sees 25.0% against a target of 25%
    marked amber. No target, or polarity "neither", is not rated; a missing value or a status
    of insufficient data or no data is grey. "Lookback incomplete" values are rated.
    """
    if target is None:
        return RAG.NOT_RATED
    if tolerance is None:
        raise ValueError("a target needs a tolerance (0 for none)")
    match polarity:
        case Polarity.NEITHER:
            return RAG.NOT_RATED
        case Polarity.LOWER | Polarity.HIGHER:
            pass
        case _:
            assert_never(polarity)
    if value is None or status in WITHOUT_VALUE:
        return RAG.GREY
    beyond = beyond_target(round(value, decimals), target, polarity)
    if beyond <= EPSILON:
        return RAG.GREEN
    if beyond <= tolerance + EPSILON:
        return RAG.AMBER
    return RAG.RED


def beyond_target(value: float, target: float, polarity: Polarity) -> float:
    """How far the value falls on the wrong side of the target (≤ 0 when it meets it)."""
    match polarity:
        case Polarity.LOWER:
            return value - target
        case Polarity.HIGHER:
            return target - value
        case Polarity.NEITHER:
            raise ValueError("an indicator with polarity 'neither' has no wrong side")
        case _:
            assert_never(polarity)


def change_between(before: float | None, after: float | None, *, decimals: int = 1) -> Change:
    """How `after` differs from `before`; equal when both round to the same `decimals`."""
    if before is None or after is None:
        return Change.NOT_COMPARABLE
    shown_before, shown_after = round(before, decimals), round(after, decimals)
    if shown_after == shown_before:
        return Change.NO_CHANGE
    return Change.INCREASE if shown_after > shown_before else Change.REDUCTION


def direction_of_travel(
    before: float | None, after: float | None, polarity: Polarity, *, decimals: int = 1
) -> Direction:
    """Whether the move from `before` to `after` is an improvement, given polarity.

    "No change" means equal once rounded to `decimals` (1 by default; `assess` passes the
    unit's display precision, so "no change" always matches the figures a reader sees).
    """
    change = change_between(before, after, decimals=decimals)
    match change:
        case Change.NOT_COMPARABLE:
            return Direction.NOT_COMPARABLE
        case Change.NO_CHANGE:
            return Direction.NO_CHANGE
        case Change.INCREASE | Change.REDUCTION:
            return _judge(change, polarity)
        case _:
            assert_never(change)


def _judge(change: Change, polarity: Polarity) -> Direction:
    match polarity:
        case Polarity.NEITHER:
            return Direction.CHANGED
        case Polarity.LOWER:
            better = change is Change.REDUCTION
        case Polarity.HIGHER:
            better = change is Change.INCREASE
        case _:
            assert_never(polarity)
    return Direction.IMPROVED if better else Direction.DECLINED
