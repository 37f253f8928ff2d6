"""Quartile bands as LAIT draws them: A is the best quarter whatever the polarity; value ranges
are closed above, so a value on a cut-point is in the range below it; ties share a band."""

from __future__ import annotations

import pandas as pd
import pytest

from cscmonitor.benchmarks.bands import band_for, quartile_bands


def _banded(values: list[float | None], polarity: str) -> pd.DataFrame:
    frame = pd.DataFrame({"g": "x", "value": values, "polarity": polarity})
    return frame.join(quartile_bands(frame, ["g"]))


def test_lower_is_better_puts_the_lowest_quarter_in_band_a() -> None:
    # Eight LAs 1..8: cut-points by interpolation (type 7) at 2.75, 4.5 and 6.25.
    banded = _banded([1, 2, 3, 4, 5, 6, 7, 8], "lower")
    assert banded["band"].tolist() == ["A", "A", "B", "B", "C", "C", "D", "D"]
    assert banded["rank"].tolist() == [1, 2, 3, 4, 5, 6, 7, 8]
    assert banded[["limit_a", "limit_b", "limit_c"]].iloc[0].tolist() == [2.75, 4.5, 6.25]


def test_higher_is_better_mirrors_the_bands() -> None:
    banded = _banded([1, 2, 3, 4, 5, 6, 7, 8], "higher")
    assert banded["band"].tolist() == ["D", "D", "C", "C", "B", "B", "A", "A"]
    assert banded["rank"].tolist() == [8, 7, 6, 5, 4, 3, 2, 1]
    # In value terms, band A starts at 6.25 and above.
    assert banded["limit_a"].iloc[0] == pytest.approx(6.25)


def test_ties_at_a_cut_point_share_a_band() -> None:
    # Five LAs: 10, 20, 20, 20, 30. Q1 = Q2 = Q3 = 20: the 20s are in the lowest range.
    banded = _banded([10, 20, 20, 20, 30], "lower")
    assert banded["band"].tolist() == ["A", "A", "A", "A", "D"]
    assert banded["rank"].tolist() == [1, 2, 2, 2, 5]
    # Higher is better: the lowest range is D, the 20s with it (LAIT: `<= 25%` is D).
    banded = _banded([10, 20, 20, 20, 30], "higher")
    assert banded["band"].tolist() == ["D", "D", "D", "D", "A"]
    assert banded["rank"].tolist() == [5, 2, 2, 2, 1]


@pytest.mark.parametrize(
    ("polarity", "bands"),
    [
        # 1..5: Q1 = 2, Q2 = 3, Q3 = 4, each a value. Ranges are closed above: 2 is in the
        # lowest range, 3 in the second, 4 in the third.
        ("lower", ["A", "A", "B", "C", "D"]),
        # The same ranges, letters reversed: 2 is D (not C), 4 is B (not A). Mirroring the
        # values instead would give D, C, B, A, A: LAIT does not.
        ("higher", ["D", "D", "C", "B", "A"]),
    ],
)
def test_a_value_on_a_cut_point_is_in_the_range_below_it(polarity: str, bands: list) -> None:
    banded = _banded([1, 2, 3, 4, 5], polarity)
    assert banded["band"].tolist() == bands
    limits = banded[["limit_a", "limit_b", "limit_c"]].iloc[0].tolist()
    # One computed figure takes the band the same rule gives; beyond the LAs' range, the end.
    assert [band_for(v, limits, polarity) for v in (1, 2, 3, 4, 5)] == bands
    assert band_for(0.0, limits, polarity) == bands[0]
    assert band_for(9.0, limits, polarity) == bands[-1]
    assert band_for(2.5, limits, polarity) == bands[2]  # (Q1, Q2]: the same range as 3
    assert band_for(None, limits, polarity) is None
    assert band_for(3.0, limits, "neither") is None


def test_missing_values_and_polarity_neither_get_no_band() -> None:
    banded = _banded([1, None, 3, 4, 5], "lower")
    assert banded["band"].tolist()[1] is None
    assert banded["ranked"].tolist()[0] == 4  # four LAs have a value
    neither = _banded([1, 2, 3, 4], "neither")
    assert neither["band"].isna().all()
    assert neither["rank"].isna().all()


def test_bands_are_computed_within_each_group() -> None:
    frame = pd.DataFrame(
        {
            "year": [2015] * 4 + [2016] * 4,
            "value": [1, 2, 3, 4, 40, 30, 20, 10],
            "polarity": "lower",
        }
    )
    banded = frame.join(quartile_bands(frame, ["year"]))
    assert banded["band"].tolist() == ["A", "B", "C", "D", "D", "C", "B", "A"]
