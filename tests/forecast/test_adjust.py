"""Scenario adjustments to hazards and rates, and the placement-category map, by hand."""

from __future__ import annotations

import io

import numpy as np
import pytest

from cscmonitor.forecast.adjust import AdjustmentError, Adjustments, Transition
from cscmonitor.forecast.categories import categorise, category_map, read_map
from cscmonitor.forecast.states import CATEGORIES, N_STATES, OUTCOMES, state_index
from cscmonitor.returns.issues import ReturnError

RESIDENTIAL = CATEGORIES.index("residential")


def _residential_state() -> int:
    return int(state_index(np.array([150]), np.array([RESIDENTIAL]), np.array([5]))[0])


def test_a_step_down_factor_moves_probability_from_staying() -> None:
    """Residential child: stay 0.90, leave 0.05, move to fostering 0.05. Doubling the
    step-down gives fostering 0.10 and stay 0.85; other states are untouched."""
    hazards = np.zeros((N_STATES, len(OUTCOMES)))
    hazards[:, 0] = 1.0
    s = _residential_state()
    hazards[s, :3] = [0.90, 0.05, 0.05]
    doubled = Adjustments(transitions=(Transition("residential", "fostering", 2.0),))
    out = doubled.apply(hazards)
    assert out[s, :3] == pytest.approx([0.85, 0.05, 0.10])
    assert out[s - 4, 0] == 1.0  # a fostering state of the same age
    # Twenty times would ask for 0.05 + 1.00 > 1: both scaled to sum to one, staying nil.
    out = Adjustments(transitions=(Transition("residential", "fostering", 20.0),)).apply(hazards)
    assert out[s, :3] == pytest.approx([0.0, 0.05 / 1.05, 1.0 / 1.05])


def test_entry_and_cost_factors_multiply() -> None:
    adjustments = Adjustments(entry={"all": 1.1, "under 1": 2.0}, unit_costs={"all": 1.02})
    assert adjustments.entry_factors() == pytest.approx([2.2, 1.1, 1.1, 1.1, 1.1])
    assert adjustments.cost_factors() == pytest.approx([1.02] * 4)


def test_unknown_names_and_negative_factors_are_refused() -> None:
    with pytest.raises(AdjustmentError, match="entry age band 'teenagers'"):
        Adjustments(entry={"teenagers": 1.2})
    with pytest.raises(AdjustmentError, match="must be a number 0 or above"):
        Adjustments(transitions=(Transition("all", "leave care", -1.0),))


def test_category_map_is_keyed_by_place_and_year() -> None:
    """Bundled: U4 fostering, K2 residential, P1 other; an unknown code counts as other.
    An override makes K3 residential up to 2023-24 and supported from 2024-25."""
    bundled = categorise(np.array(["U4", "K2", "P1", "XX"]), np.array([2016] * 4))
    assert [CATEGORIES[c] for c in bundled] == ["fostering", "residential", "other", "other"]
    override = read_map(
        io.StringIO("place,category,from_year,to_year\nK3,residential,,2024\nK3,supported,2025,\n"),
        "places.csv",
    )
    table = category_map(override)
    codes = categorise(np.array(["K3", "K3", "U4"]), np.array([2024, 2025, 2025]), table)
    assert [CATEGORIES[c] for c in codes] == ["residential", "supported", "fostering"]


def test_a_bad_category_map_is_refused_with_its_row() -> None:
    with pytest.raises(ReturnError, match=r"places\.csv row 3 field category: 'kin'"):
        read_map(
            io.StringIO("place,category,from_year,to_year\nU1,fostering,,\nU2,kin,,\n"),
            "places.csv",
        )
    with pytest.raises(ReturnError, match="PLACE K3 has overlapping year spans"):
        read_map(
            io.StringIO("place,category,from_year,to_year\nK3,other,,2025\nK3,supported,2024,\n"),
            "places.csv",
        )
