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
import pandas as pd
import pytest

from cscmonitor.indicators.care_events import looked_after_at_end
from cscmonitor.indicators.code_years import in_list
from cscmonitor.indicators.engine import periods_table
from cscmonitor.periods import Period
from tests.indicators.episodes import EpisodesOnly

FY2018 = "2018-04-01:2019-03-31"
FY2015 = "2015-04-01:2016-03-31"


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


def _episodes(rows: list[tuple]) -> EpisodesOnly:
    return EpisodesOnly(pd.DataFrame(rows, columns=["child_id", "decom", "dec", "rne", "place"]))


def test_the_placement_at_the_end_is_the_latest_settled_one_of_the_period_of_care():
    # At 31 Mar 2016:
    #   V  H5 since May 2015, open                                     -> H5 (its own)
    #   X  U1 from May 2015, then a temporary T1 from 1 Mar 2016, open -> U1
    #   W  U1, a temporary T0, K1 from 15 Sep 2015, then T3 from Jan   -> K1 (the latest settled)
    #   Y  care began on a temporary T2 in Feb 2016                    -> blank
    #   Z  K2 ended 1 Oct 2015; new care from 10 Jan 2016 on a T1      -> blank (K2 was the
    #      earlier period of care's)
    episodes = _episodes(
        [
            ("V", "2015-05-01", None, "S", "H5"),
            ("X", "2015-05-01", "2016-03-01", "S", "U1"),
            ("X", "2016-03-01", None, "P", "T1"),
            ("W", "2015-06-01", "2015-09-01", "S", "U1"),
            ("W", "2015-09-01", "2015-09-15", "P", "T0"),
            ("W", "2015-09-15", "2016-01-01", "P", "K1"),
            ("W", "2016-01-01", None, "P", "T3"),
            ("Y", "2016-02-01", None, "S", "T2"),
            ("Z", "2015-04-01", "2015-10-01", "S", "K2"),
            ("Z", "2016-01-10", None, "S", "T1"),
        ]
    )
    at_end = looked_after_at_end(episodes, periods_table([Period.parse(FY2015)])).execute()
    placement = {row.child_id: row.placement or None for row in at_end.fillna("").itertuples()}
    assert placement == {"V": "H5", "X": "U1", "W": "K1", "Y": None, "Z": None}


def test_of_two_episodes_open_at_a_period_end_the_later_one_is_the_childs():
    # Episodes of one child should not overlap; where they do, the later one (in order of
    # DECOM, then DEC) open at a period end is the child's there, and each child is once.
    #   O  K1 from May 2015, open; H5 from Oct 2015 to 1 Jun 2016: both open at 31 Mar 2016
    #      -> H5 then; at 30 Jun 2016 only K1 is open -> K1
    #   P  K1 from May 2015 to 1 May 2016; H5 inside it, Jun to Jul 2015 -> K1 at 31 Mar
    #      (H5 overlaps it but ended before); nothing open at 30 Jun
    #   R  two from the same day: U1 open, H5 to 1 Jun 2016: at 31 Mar the open one is later
    #      (its DEC is after) -> U1; at 30 Jun U1 alone -> U1
    episodes = _episodes(
        [
            ("O", "2015-05-01", None, "S", "K1"),
            ("O", "2015-10-01", "2016-06-01", "P", "H5"),
            ("P", "2015-05-01", "2016-05-01", "S", "K1"),
            ("P", "2015-06-01", "2015-07-01", "P", "H5"),
            ("R", "2015-05-01", None, "S", "U1"),
            ("R", "2015-05-01", "2016-06-01", "S", "H5"),
        ]
    )
    periods = periods_table([Period.parse(FY2015), Period.parse("2015-07-01:2016-06-30")])
    at_end = looked_after_at_end(episodes, periods).execute()
    found = {(r.child_id, f"{r.period_end:%m-%d}"): r.place for r in at_end.itertuples()}
    assert found == {
        ("O", "03-31"): "H5",
        ("O", "06-30"): "K1",
        ("P", "03-31"): "K1",
        ("R", "03-31"): "U1",
        ("R", "06-30"): "U1",
    }
