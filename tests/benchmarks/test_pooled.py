"""Pooled benchmarks from a warehouse holding many LAs, for every period at once.

Engine results made by hand (re-referrals: lower is better; a made-up EET measure: higher):

  FY 2015-16   371 Doncaster (Y&H)  30/100 = 30%    ok
               372 Rotherham (Y&H)  20/100 = 20%    ok
               370 Barnsley  (Y&H)  45/150 = 30%    ok
               812 NE Lincs  (Y&H)   1/3            insufficient data (pooled, never banded)
               302 Barnet (Outer London) 10/100 = 10%
               999 (no such LA: no region) 5/50 = 10%
               384 Wakefield         no data (neither pooled nor banded)
  England: (30+20+45+1+10+5) / (100+100+150+3+100+50) = 111/503; Y&H: 96/353.
  Doncaster's 2021 neighbours held with a value: 372 (20%), 370 (30%): mean and median 25%.
  Bands among [10, 10, 20, 30, 30]: cut-points 10, 20, 30, so 10s A, 20 B, 30s C.

  Oct 2015 - Sep 2016: 371 10/100, 372 30/100. England 40/200 = 20%; cut-points 15, 20, 25.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cscmonitor.benchmarks.pooled import neighbour_funnel, pooled_benchmarks
from cscmonitor.benchmarks.values import Published
from cscmonitor.indicators.registry import Polarity, Unit
from tests.conftest import make_indicator

FY = (dt.date(2015, 4, 1), dt.date(2016, 3, 31))
CONTRACT_YEAR = (dt.date(2015, 10, 1), dt.date(2016, 9, 30))
REGISTRY = {
    "REREF_12M": make_indicator("REREF_12M", Unit.PERCENT, Polarity.LOWER),
    "EET": make_indicator("EET", Unit.PERCENT, Polarity.HIGHER),
}


def result(
    code: str, la: str, period: tuple[dt.date, dt.date], num: float, den: float, status: str = "ok"
) -> dict[str, object]:
    usable = status in ("ok", "lookback incomplete")
    return {
        "indicator": code,
        "la_code": la,
        "period_start": period[0],
        "period_end": period[1],
        "numerator": num,
        "denominator": den,
        "value": num / den * 100 if usable else None,
        "ci_lower": None,
        "ci_upper": None,
        "status": status,
    }


@pytest.fixture(scope="module")
def pooled(held: Published) -> pd.DataFrame:
    rows = [
        result("REREF_12M", "371", FY, 30, 100),
        result("REREF_12M", "372", FY, 20, 100),
        result("REREF_12M", "370", FY, 45, 150),
        result("REREF_12M", "812", FY, 1, 3, "insufficient data"),
        result("REREF_12M", "302", FY, 10, 100),
        result("REREF_12M", "999", FY, 5, 50),
        result("REREF_12M", "384", FY, 0, 0, "no data"),
        result("REREF_12M", "371", CONTRACT_YEAR, 10, 100),
        result("REREF_12M", "372", CONTRACT_YEAR, 30, 100),
        result("EET", "371", FY, 60, 100),
        result("EET", "372", FY, 40, 100),
    ]
    table = pooled_benchmarks(pd.DataFrame(rows), held.places, registry=REGISTRY)
    return table.set_index(["indicator", "period_end", "la_code"])


def _at(pooled: pd.DataFrame, la: str, period=FY, code: str = "REREF_12M") -> pd.Series:
    return pooled.loc[(code, period[1], la)]


def test_england_pools_numerators_and_denominators(pooled: pd.DataFrame) -> None:
    doncaster = _at(pooled, "371")
    assert doncaster["england"] == pytest.approx(111 / 503 * 100)
    assert (doncaster["england_numerator"], doncaster["england_denominator"]) == (111, 503)
    assert doncaster["england_las"] == 6  # the LA with no data is not in the pool


def test_region_pools_the_las_of_the_region(pooled: pd.DataFrame) -> None:
    doncaster = _at(pooled, "371")
    assert doncaster["region_code"] == "E12000003"
    assert doncaster["region"] == pytest.approx(96 / 353 * 100)
    assert doncaster["region_las"] == 4
    assert _at(pooled, "302")["region"] == pytest.approx(10.0)
    unknown = _at(pooled, "999")
    assert pd.isna(unknown["region_code"]) and pd.isna(unknown["region"])


def test_neighbours_held_with_a_value_make_the_sn_figures(pooled: pd.DataFrame) -> None:
    doncaster = _at(pooled, "371")
    assert doncaster["sn_grouping"] == 2021
    assert (doncaster["sn_mean"], doncaster["sn_median"], doncaster["sn_count"]) == (25, 25, 2)


def test_bands_and_ranks_respect_polarity(pooled: pd.DataFrame) -> None:
    bands = {la: _at(pooled, la)["band"] for la in ("371", "372", "370", "302", "999")}
    assert bands == {"371": "C", "372": "B", "370": "C", "302": "A", "999": "A"}
    ranks = {la: _at(pooled, la)["rank"] for la in ("302", "999", "372", "371")}
    assert ranks == {"302": 1, "999": 1, "372": 3, "371": 4}
    small = _at(pooled, "812")
    assert small["band"] is None or pd.isna(small["band"])
    # Higher is better: the higher EET is band A.
    assert _at(pooled, "371", code="EET")["band"] == "A"
    assert _at(pooled, "372", code="EET")["band"] == "D"


def test_every_period_is_benchmarked_separately(pooled: pd.DataFrame) -> None:
    doncaster = _at(pooled, "371", CONTRACT_YEAR)
    assert doncaster["england"] == pytest.approx(20.0)
    assert (doncaster["sn_mean"], doncaster["sn_count"]) == (30, 1)
    assert doncaster["band"] == "A"
    assert _at(pooled, "372", CONTRACT_YEAR)["band"] == "D"


def test_the_grouping_can_be_fixed(held: Published) -> None:
    # Wigan (359) is a 2021 neighbour of Doncaster but not a 2025 one.
    rows = pd.DataFrame(
        [result("REREF_12M", la, FY, n, 100) for la, n in (("371", 30), ("372", 20), ("359", 40))]
    )
    by_year = pooled_benchmarks(rows, held.places, registry=REGISTRY).set_index("la_code")
    fixed = pooled_benchmarks(rows, held.places, registry=REGISTRY, grouping=2025)
    assert by_year.loc["371", "sn_mean"] == pytest.approx(30.0)  # 20 and 40
    assert fixed.set_index("la_code").loc["371", "sn_mean"] == pytest.approx(20.0)


def test_results_without_the_engine_columns_are_refused(held: Published) -> None:
    with pytest.raises(ValueError, match="numerator"):
        pooled_benchmarks(pd.DataFrame({"indicator": ["X"]}), held.places)


def test_neighbour_funnel_positions() -> None:
    # Pool: (30 + 5 + 45) / (100 + 100 + 150) = 22.86%. At n = 100 the 95% limits are
    # 22.86 ± 1.96 × 4.20 = 14.63–31.09 and the 99.8% ones 9.88–35.83; at n = 150 the
    # upper 95% limit is 29.58 and the upper 99.8% one 33.45.
    frame = pd.DataFrame(
        {"la_code": ["370", "372", "371"], "numerator": [45, 5, 30], "denominator": [150, 100, 100]}
    )
    plotted = neighbour_funnel(frame, "371", ["372", "370"]).set_index("la_code")
    assert list(plotted.index) == ["371", "372", "370"]
    assert plotted["pooled"].iloc[0] == pytest.approx(80 / 350 * 100)
    assert plotted.loc["371", "lower_95"] == pytest.approx(14.63, abs=0.01)
    assert plotted.loc["371", "upper_998"] == pytest.approx(35.83, abs=0.01)
    assert plotted.loc["371", "position"] == "within limits"
    assert plotted.loc["372", "position"] == "below 99.8% limit"
    assert plotted.loc["370", "upper_95"] == pytest.approx(29.58, abs=0.01)
    assert plotted.loc["370", "position"] == "above 95% limit"
