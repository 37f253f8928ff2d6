"""Comparators from the bundled tables alone: the Doncaster checks, suppression, reorganisations.

Known published figures (tests/../reference/README.md): Doncaster re-referrals 37.3% (2013-14),
27.7% (2014-15), 23.0% (2015-16); England 23.5%, 24.2%, 22.5%. From the c1 file, 2015-16:
Doncaster 1030 of 4479 referrals; England 139,900 of 621,470 (22.5%); Yorkshire and The Humber
30.4%. Doncaster's ten 2021 neighbours' 2015-16 re-referral rates, closest first: Rotherham
28.0, Barnsley 26.9, North East Lincolnshire 11.5, Wigan 25.3, Wakefield 67.6, Tameside 17.3,
North Lincolnshire 22.1, Redcar and Cleveland 10.0, Dudley 17.7, Telford and Wrekin 17.1.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cscmonitor.benchmarks.geography import UnknownLA
from cscmonitor.benchmarks.published import comparators_for, parse_year
from cscmonitor.benchmarks.values import Published

NEIGHBOUR_RATES = [28.0, 26.9, 11.5, 25.3, 67.6, 17.3, 22.1, 10.0, 17.7, 17.1]
# (rereferrals, referrals) of the LA and its ten neighbours in 2015-16, from the c1 file.
GROUP_COUNTS = [
    (1030, 4479),
    (1286, 4599),
    (806, 2996),
    (199, 1725),
    (1169, 4615),
    (8254, 12209),
    (255, 1471),
    (441, 1998),
    (124, 1246),
    (756, 4282),
    (349, 2036),
]


def _row(held: Published, la: str, year: int, code: str) -> pd.Series:
    table = comparators_for(held, la, year, codes=[code])
    return table.set_index("code").loc[code]


def _z(x1: float, n1: float, x2: float, n2: float) -> float:
    pooled = (x1 + x2) / (n1 + n2)
    return (x2 / n2 - x1 / n1) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))


def test_doncaster_2015_16_rereferrals_against_england_and_region(
    held: Published,
) -> None:
    row = _row(held, "371", 2015, "REREF_12M")
    assert row["la_name"] == "Doncaster"
    assert row["value"] == 23.0
    assert (row["numerator"], row["denominator"]) == (1030, 4479)
    assert row["england"] == 22.5
    assert row["region"] == 30.4
    assert row["region_name"] == "Yorkshire and The Humber"
    assert row["published_period"].startswith("2016 (01 Apr 2015–31 Mar 2016")


def test_doncaster_statistical_neighbours_2015_16(held: Published) -> None:
    row = _row(held, "371", 2015, "REREF_12M")
    assert row["sn_grouping"] == 2021
    assert row["sn_count"] == 10
    assert row["sn_mean"] == pytest.approx(sum(NEIGHBOUR_RATES) / 10)  # 24.35
    assert row["sn_median"] == pytest.approx((17.7 + 22.1) / 2)  # 19.9: Wakefield's 67.6 aside


def test_doncaster_direction_of_travel_is_tested(held: Published) -> None:
    row = _row(held, "371", 2015, "REREF_12M")
    # 1031 of 3725 (27.7%) in 2014-15 to 1030 of 4479 (23.0%): z = -4.87, far beyond chance.
    z = _z(1031, 3725, 1030, 4479)
    assert z == pytest.approx(-4.868, abs=0.001)
    assert row["previous"] == 27.7
    assert row["travel"] == "improved"
    assert row["travel_p"] == pytest.approx(math.erfc(abs(z) / math.sqrt(2)))
    # Against England (139,900 of 621,470): 23.0% v 22.5% is within chance (z = 0.77).
    z_england = _z(139_900, 621_470, 1030, 4479)
    assert row["vs_england"] == "not significantly different"
    assert row["vs_england_p"] == pytest.approx(math.erfc(abs(z_england) / math.sqrt(2)))
    assert row["vs_region"] == "significantly better"


def test_doncaster_against_its_neighbours_funnel(held: Published) -> None:
    # Pooled rate of the LA and its ten neighbours: 14,669 / 41,656 = 35.2%; at 4,479 referrals
    # the 99.8% lower limit is 35.2 − 3.09 × √(0.352 × 0.648 / 4479) = 33.0%: 23.0% is below.
    pooled = sum(x for x, _ in GROUP_COUNTS) / sum(n for _, n in GROUP_COUNTS)
    assert pooled == pytest.approx(14_669 / 41_656)
    lower = pooled - 3.090232 * math.sqrt(pooled * (1 - pooled) / 4479)
    assert lower == pytest.approx(0.3301, abs=1e-4)
    assert _row(held, "371", 2015, "REREF_12M")["sn_funnel"] == "below 99.8% limit"


@pytest.mark.parametrize(
    ("year", "doncaster", "england"),
    [(2013, 37.3, 23.5), (2014, 27.7, 24.2), (2015, 23.0, 22.5)],
)
def test_known_published_rereferral_figures(
    held: Published, year: int, doncaster: float, england: float
) -> None:
    row = _row(held, "371", year, "REREF_12M")
    assert (row["value"], row["england"]) == (doncaster, england)


@pytest.mark.parametrize("la", ["371", "E08000017", "doncaster", " Doncaster "])
def test_an_la_by_old_code_new_code_or_name(held: Published, la: str) -> None:
    row = _row(held, la, 2015, "REREF_12M")
    assert (row["la_code"], row["value"]) == ("371", 23.0)


def test_an_unknown_la_is_refused_clearly(held: Published) -> None:
    with pytest.raises(UnknownLA, match="no local authority '999'"):
        comparators_for(held, "999", 2015)


def test_rate_per_10k_uses_the_population_of_the_year_it_starts(held: Published) -> None:
    # 2015-16: 4,479 referrals; ONS mid-2015 population aged 0-17 for Doncaster 64,453.
    row = _row(held, "371", 2015, "REF_RATE")
    assert row["value"] == pytest.approx(4479 / 64453 * 10_000)
    assert row["band"] is None  # polarity "neither": no band
    assert row["travel"] == "changed"


def test_a_suppressed_figure_keeps_its_flag(held: Published) -> None:
    # Doncaster's plans lasting 2 years or more at 31 March 2024: published as "c".
    row = _row(held, "371", 2023, "CPP_OPEN_2Y")
    assert row["value"] is None
    assert row["flag"] == "c"
    assert row["travel"] == "not comparable"
    assert row["band"] is None
    values = held.values
    suppressed = values[values["flag"].notna()]
    assert suppressed["value"].isna().all()
    assert set(suppressed["flag"]) <= {"c", "x", "z", "k", "u", "low"}


def test_workforce_census_at_30_september_falls_in_the_year_containing_it(
    held: Published,
) -> None:
    # csww time_period 2017 is at 30 Sep 2017: financial year 2017-18. Doncaster: 19.6%.
    row = _row(held, "371", 2017, "SW_AGENCY")
    assert row["value"] == 19.6
    assert row["published_period"].startswith("2017 (01 Oct 2016–30 Sep 2017")
    assert _row(held, "371", 2016, "SW_AGENCY")["value"] is None  # csww starts in 2017


def test_the_band_follows_quartiles_of_all_las(held: Published) -> None:
    row = _row(held, "371", 2015, "REREF_12M")
    values = held.values
    las = values[
        (values["code"] == "REREF_12M")
        & (values["year"] == 2015)
        & (values["geographic_level"] == "Local authority")
    ]["value"].dropna()
    q2, q3 = np.percentile(las, [50, 75])
    assert q2 < 23.0 <= q3  # lower is better: between the median and the third quartile
    assert row["band"] == "C"
    assert row["ranked"] == len(las)
    assert row["rank"] == (las < 23.0).sum() + 1


def test_reorganised_las_do_not_break_anything(held: Published) -> None:
    # Northamptonshire published until 2020-21; its successors from 2021-22.
    assert _row(held, "928", 2015, "REREF_12M")["value"] == 36.6
    north = _row(held, "940", 2015, "REREF_12M")
    assert north["value"] is None
    assert north["travel"] == "not comparable"
    assert north["sn_count"] > 0  # its 2021 neighbours published that year
    # Cumbria (abolished 2023) in 2024-25: no figure and no 2025 neighbours; Cumberland has both.
    cumbria = _row(held, "909", 2024, "REREF_12M")
    assert (cumbria["value"], cumbria["sn_count"], cumbria["sn_grouping"]) == (None, 0, 2025)
    assert _row(held, "942", 2024, "REREF_12M")["value"] == 22.7


def test_a_joint_workforce_return_stands_for_both_las(held: Published) -> None:
    north = _row(held, "940", 2023, "SW_AGENCY")
    west = _row(held, "941", 2023, "SW_AGENCY")
    assert north["value"] == west["value"] == 26.7
    assert north["joint"] and west["joint"]
    assert north["band"] == west["band"]


@pytest.mark.parametrize(
    ("text", "first"), [("2015-16", 2015), ("2015/16", 2015), ("1999-2000", 1999)]
)
def test_parse_year(text: str, first: int) -> None:
    assert parse_year(text) == first


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2016", "ambiguous: write the financial year, e.g. 2015-16 for DfE's time_period 2016"),
        ("2015-17", "the second year must follow the first"),
        ("last year", "not a financial year"),
    ],
)
def test_parse_year_refuses(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_year(text)
