"""The mapping from indicators to published figures agrees with the registry and the data."""

from __future__ import annotations

import pandas as pd
import pytest

from cscmonitor.benchmarks.mapping import BY_CODE, COMPARATORS, NOT_BUNDLED, comparator_for
from cscmonitor.benchmarks.values import published_values
from cscmonitor.indicators.registry import all_indicators


def test_every_registered_comparator_is_mapped_as_the_registry_names_it() -> None:
    for indicator in all_indicators():
        if indicator.comparator is None:
            continue
        if indicator.code in NOT_BUNDLED:
            assert indicator.code not in BY_CODE, f"{indicator.code} is mapped now"
            continue
        mapped = comparator_for(indicator.code)
        assert mapped.comparator == indicator.comparator, indicator.code
        assert mapped.polarity is indicator.polarity, indicator.code
        assert mapped.unit is indicator.unit, indicator.code
        assert mapped.interval is indicator.interval, indicator.code


def test_an_unmapped_code_names_the_mapped_ones() -> None:
    with pytest.raises(KeyError, match="REREF_12M"):
        comparator_for("ADOPT_A1")


@pytest.mark.parametrize("code", sorted(BY_CODE))
def test_each_comparator_finds_one_figure_per_la_and_year(
    published: pd.DataFrame, code: str
) -> None:
    comparator = BY_CODE[code]
    values = published_values(published, [comparator])
    las = values[values["geographic_level"] == "Local authority"]
    england = values[values["geographic_level"] == "National"]
    assert not england.empty and not england.duplicated("year").any()
    assert england["value"].notna().any(), "no England value: filters or measures do not match"
    if comparator.england_only:
        assert las.empty
        return
    per_year = las.groupby("year").size()
    assert (per_year > 140).all(), "too few LA figures: filters or measures no longer match"
    assert las["value"].notna().sum() > 100
    assert not las.duplicated(["area_code", "year"]).any()
    # Every year that has LA figures has an England figure too.
    assert set(las["year"]) == set(england["year"])


def test_counts_reproduce_the_published_percentages(published: pd.DataFrame) -> None:
    # Where DfE publishes a percentage, numerator / denominator gives it back (to rounding).
    with_value = [c for c in COMPARATORS if c.value is not None and c.unit.value == "percent"]
    values = published_values(published, with_value)
    usable = values.dropna(subset=["value", "numerator", "denominator"])
    # LA counts are exact; national and regional counts are rounded to the nearest 10.
    usable = usable[(usable["denominator"] > 0) & (usable["geographic_level"] == "Local authority")]
    ratio = usable["numerator"] / usable["denominator"] * 100
    # Percentages are published to 1 decimal (CIN, workforce) or whole numbers (CLA, leavers).
    assert len(usable) > 10_000
    assert ((ratio - usable["value"]).abs() <= 0.5 + 1e-6).all()
