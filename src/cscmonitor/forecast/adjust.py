"""Scenario adjustments: factors on entry rates, on any transition, and on unit costs.

A transition factor multiplies the monthly probability of one outcome (leaving care, or a
new placement in a category) from every state of one placement category (or every one).
The stay probability takes up the difference; if the factors would make the other outcomes
exceed certainty they are scaled down together so that they sum to one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from cscmonitor.forecast.states import AGE_BANDS, CATEGORIES, DURATION_BANDS, OUTCOMES, STAY

ALL = "all"
Floats = npt.NDArray[np.float64]


class AdjustmentError(ValueError):
    pass


@dataclass(frozen=True)
class Transition:
    source: str  # a category, or "all"
    outcome: str  # "leave care" or a category moved to
    factor: float


@dataclass(frozen=True)
class Adjustments:
    entry: dict[str, float] = field(default_factory=dict)  # age band (or "all") → factor
    transitions: tuple[Transition, ...] = ()
    unit_costs: dict[str, float] = field(default_factory=dict)  # category (or "all") → factor

    def __post_init__(self) -> None:
        for band, factor in self.entry.items():
            _check(band, (*AGE_BANDS, ALL), "entry age band", factor)
        for t in self.transitions:
            _check(t.source, (*CATEGORIES, ALL), "transition from", t.factor)
            _check(t.outcome, ("leave care", *CATEGORIES), "transition to", t.factor)
        for category, factor in self.unit_costs.items():
            _check(category, (*CATEGORIES, ALL), "unit-cost category", factor)

    def entry_factors(self) -> Floats:
        """One factor per age band (an "all" factor and a band's own multiply)."""
        every = self.entry.get(ALL, 1.0)
        return np.array([every * self.entry.get(band, 1.0) for band in AGE_BANDS])

    def cost_factors(self) -> Floats:
        every = self.unit_costs.get(ALL, 1.0)
        return np.array([every * self.unit_costs.get(c, 1.0) for c in CATEGORIES])

    def apply(self, hazards: Floats) -> Floats:
        """Hazards (..., state, outcome) with the transition factors applied, rows summing to 1."""
        if not self.transitions:
            return hazards
        factors = np.ones(hazards.shape[-2:])
        source = np.arange(hazards.shape[-2]) // len(DURATION_BANDS) % len(CATEGORIES)
        for t in self.transitions:
            rows = (
                np.ones(len(source), bool)
                if t.source == ALL
                else source == CATEGORIES.index(t.source)
            )
            column = 1 if t.outcome == "leave care" else OUTCOMES.index(f"move to {t.outcome}")
            factors[rows, column] *= t.factor
        moved = hazards * factors
        moved[..., STAY] = 0.0
        leaving = moved.sum(axis=-1, keepdims=True)
        moved = moved / np.maximum(leaving, 1.0)
        moved[..., STAY] = 1.0 - moved.sum(axis=-1)
        return moved


def _check(name: str, allowed: tuple[str, ...], what: str, factor: float) -> None:
    if name not in allowed:
        raise AdjustmentError(f"{what} {name!r}: use one of {', '.join(allowed)}")
    if not (factor >= 0 and np.isfinite(factor)):
        raise AdjustmentError(f"{what} {name}: factor {factor} must be a number 0 or above")
