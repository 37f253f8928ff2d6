"""CLA_FOSTER, CLA_RESI and CLA_SUPPORTED on hand-made SSDA903 returns
(tests/data/framework_care, LA 371: the 2018-19 return), and the placement groups by year.

Looked after at 31 Mar 2019 (an episode open then, LS not V3/V4), with the placement at the end:
  A1  U1                                                   -> foster
  A3  K2 (its second period of care in the year)           -> children's homes
  A5  H5 (semi-independent living, a 2018-19 code)         -> supported
  A6  P2 (independent living)                              -> supported
  A7  T1 (temporary) since 1 Mar 2019, after K2 in the same period of care -> children's homes
  A13 Z1 (other placements)                                -> in the cohort only
  A15 U6                                                   -> foster
  A16 U4                                                   -> foster
  A2  U4 on LS V3 (short breaks)                           -> not in the cohort
  A14 U1, but the episode ended on 31 Mar 2019             -> not in the cohort
Cohort 8; foster A1 A15 A16 = 3; children's homes A3 A7 = 2; supported A5 A6 = 2.
"""

import ibis
import pytest

from cscmonitor.indicators.code_years import in_list

FY2018 = "2018-04-01:2019-03-31"


@pytest.mark.parametrize(
    ("code", "counted"), [("CLA_FOSTER", 3), ("CLA_RESI", 2), ("CLA_SUPPORTED", 2)]
)
def test_placement_at_the_end_by_hand(computed, code, counted):
    year = computed(["framework_care"], code, [FY2018], la_code="371").loc["2018-04-01"]
    assert (year.numerator, year.denominator) == (counted, 8)
    assert year.value == pytest.approx(counted / 8 * 100)


@pytest.mark.parametrize(
    ("place", "year", "supported"),
    [
        ("H5", 2024, True),  # semi-independent living, 2023-24
        ("H5", 2025, True),  # still valid beside K3 in 2024-25
        ("H5", 2026, False),  # gone from 2025-26
        ("P2", 2026, False),
        ("K3", 2024, False),  # registered supported accommodation: not a code before 2024-25
        ("K3", 2025, True),
        ("K3", 2026, True),
        ("K2", 2025, False),  # a children's home
    ],
)
def test_supported_accommodation_codes_by_year(place, year, supported):
    rows = ibis.memtable({"placement": [place], "end_year": [year]})
    flagged = in_list(rows, "placement", "end_year", "placement_supported").execute()
    assert bool(flagged["in_placement_supported"].iloc[0]) is supported


@pytest.mark.parametrize(
    ("place", "year", "other"),
    [
        ("Z1", 2025, True),  # other placements, to 2024-25
        ("Z1", 2026, False),
        ("Z11", 2025, False),  # Z11–Z14 replace Z1 from 2025-26
        ("Z11", 2026, True),
        ("Z12", 2026, True),
        ("Z13", 2027, True),
        ("Z14", 2026, True),
        ("K3", 2026, False),  # supported accommodation
    ],
)
def test_other_placements_codes_by_year(place, year, other):
    rows = ibis.memtable({"placement": [place], "end_year": [year]})
    flagged = in_list(rows, "placement", "end_year", "placement_other").execute()
    assert bool(flagged["in_placement_other"].iloc[0]) is other
