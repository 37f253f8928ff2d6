"""CLA_3PLUS on hand-made SSDA903 returns (tests/data/placements, LA 999; years 2014-15, 2015-16).

Period 2015-16, so the 12 months are 1 Apr 2015 - 31 Mar 2016. By child:
  C1  in care since 2014 (placement 1), moves Jun and Dec 2015: 3 placements -> counts.
      Its 2014 episode is open in the 2014-15 return and closed in 2015-16's: held once.
  C2  enters May 2015, moves Aug: 2 -> does not count
  C3  enters Apr, moves Jun, a temporary move (T1) in Jul, then back to the same placement
      (same PLACE, URN, PL_POST): the temporary and the return are not placements: 2
  C4  as C3, but after the temporary move goes to a different placement (other URN): 3 -> counts
  C5  three placements, but on an agreed series of short breaks (V3) in the year: excluded
  C6  three placements but left care on 1 Feb 2016: not looked after at 31 Mar, excluded
  C7  enters Apr; a legal status change only (RNE L) in Jun; moves Sep: 2
  C8  in care since 2013 (1), B in May (2), U and T are the same carer (no), P in Oct (3) -> counts
  C9  in care since 2014; its episode ended on 1 Apr 2015 itself, so the placement open in the
      year starts 1 Apr (1); moves Oct (2): does not count
  C10 a temporary move spanning 1 Apr 2015, back to the same placement on 5 Apr (the first
      placement of the year, counted once), moves Nov: 2
Looked after at 31 Mar 2016, no short breaks: C1 C2 C3 C4 C7 C8 C9 C10 = 8; with 3+: C1 C4 C8 = 3.
"""

import pandas as pd
import pytest

from cscmonitor.indicators.engine import periods_table
from cscmonitor.indicators.measures import records
from cscmonitor.indicators.registry import get
from cscmonitor.periods import Period
from tests.indicators.episodes import EpisodesOnly

FY2015 = "2015-04-01:2016-03-31"


def test_three_or_more_placements_by_hand(computed):
    year = computed(["placements"], "CLA_3PLUS", [FY2015]).loc["2015-04-01"]
    assert (year.numerator, year.denominator) == (3, 8)
    assert year.value == pytest.approx(37.5)
    assert year.status == "ok"


def test_a_short_break_ending_as_the_year_starts_is_not_in_it():
    # S1's and S2's agreed short breaks (LS V3) from 1 Jan 2015 end on 1 Apr 2015, the first
    # day of the 12 months to 31 Mar 2016, and on 2 Apr; each then looked after (C2) from
    # that day. An episode is in the 12 months when it ends after their first day: S1's break
    # ends on it and is not (S1 is in the cohort, with 1 placement), S2's ends a day into them
    # and is (S2 is left out).
    frame = pd.DataFrame(
        {
            "child_id": ["S1", "S1", "S2", "S2"],
            "decom": ["2015-01-01", "2015-04-01", "2015-01-01", "2015-04-02"],
            "dec": ["2015-04-01", None, "2015-04-02", None],
            "ls": ["V3", "C2", "V3", "C2"],
            "rne": ["S", "S", "S", "S"],
            "place": ["U1", "U1", "U1", "U1"],
            "urn": ["SC1", "SC1", "SC1", "SC1"],
            "pl_post": ["AB1", "AB1", "AB1", "AB1"],
        }
    )
    periods = periods_table([Period.parse(FY2015)])
    rows = records(get("CLA_3PLUS"), EpisodesOnly(frame), periods).execute()
    assert rows[["child_id", "placements", "counted"]].to_dict("records") == [
        {"child_id": "S1", "placements": 1, "counted": False}
    ]


def test_of_two_stays_starting_on_one_day_the_first_is_the_one_ending_first():
    # T1 comes into care on 1 May 2015 with two episodes starting that day: a (RNE S, ends
    # 1 Jun) and b (RNE L, open), then c, a new placement (RNE P) from 1 Sep. Episodes go in
    # order of DECOM, then DEC, so a is the year's first stay (1); b, later, is no new
    # placement (0); c is one (1): 2. Had b been taken first, a would have been a later new
    # placement, and T1 would have had 3.
    frame = pd.DataFrame(
        {
            "child_id": ["T1", "T1", "T1"],
            "decom": ["2015-05-01", "2015-05-01", "2015-09-01"],
            "dec": ["2015-06-01", None, None],
            "rne": ["S", "L", "P"],
            "place": ["U1", "U1", "U2"],
            "urn": ["SC1", "SC1", "SC2"],
            "pl_post": ["AB1", "AB1", "AB2"],
        }
    )
    periods = periods_table([Period.parse(FY2015)])
    rows = records(get("CLA_3PLUS"), EpisodesOnly(frame), periods).execute()
    assert rows[["child_id", "placements", "counted"]].to_dict("records") == [
        {"child_id": "T1", "placements": 2, "counted": False}
    ]


def test_the_twelve_months_follow_the_period_end(computed):
    # A quarter ending 30 Sep 2015 looks at Oct 2014 - Sep 2015. Looked after at 30 Sep:
    # C1 (2 so far), C2 (2), C3 (2), C4 (3), C5 excluded (V3 in May), C6 (3), C7 (2),
    # C8 (2014 placement + B in May = 2; P is in Oct), C9 (2 - its 2014 placement was open on
    # 1 Oct 2014), C10 (2 - its 2014 placement was open then; the return from the temporary move
    # is not a new one) -> C4 and C6 of 9.
    quarter = computed(["placements"], "CLA_3PLUS", ["2015-07-01:2015-09-30"]).loc["2015-07-01"]
    assert (quarter.numerator, quarter.denominator) == (2, 9)


# tests/data/stability (903 returns 2013-14, 2014-15, 2015-16, LA 371); at 31 Mar 2016:
#   L1  aged 10, in care since Jan 2012 in one placement: stable
#   L2  in care since 2012, moved Jun 2014: placement under 2 years
#   L3  aged 15, in care since 2013, placement since 31 Mar 2014: exactly 2 years, stable
#   L4  turned 16 on 15 Jan 2016: not in the cohort
#   L5  in care since Jan 2014: under 2.5 years, not in the cohort
#   L6  in care since May 2012; a legal status change only (RNE L) in Jan 2015: stable
#   L7  in care Jan 2012 - Jun 2013, back since Jan 2014: the gap breaks continuity; not in it
#   L8  foster placement from Jan 2012, placed for adoption (A5) Sep 2014: adoptive placement and
#       the one before it together over 2 years: counts
#   L9  placed for adoption (A3) Jun 2015 after a placement from Dec 2014: under 2 years
#   L10 in one placement since 2012 but for a temporary move (T1) in Jul 2015 and back: stable
#   L11 left care Feb 2016
# Cohort L1 L2 L3 L6 L8 L9 L10 = 7; stable L1 L3 L6 L8 L10 = 5.
# Looked after at 31 Mar 2016: L1-L10 = 10 children.


def test_long_term_stability_by_hand(computed):
    year = computed(["stability"], "CLA_LT_STABLE", [FY2015], la_code="371").loc["2015-04-01"]
    assert (year.numerator, year.denominator) == (5, 7)


def test_looked_after_rate(computed):
    year = computed(["stability"], "CLA_RATE", [FY2015], la_code="371").loc["2015-04-01"]
    assert year.numerator == 10
    assert year.value == pytest.approx(10 / 64_453 * 10_000)


# tests/data/placement_unknown_start (903 returns 2014-15 and 2015-16, LA 999): care that began
# before the returns held, so no RNE S episode is held. At 31 Mar 2016:
#   U1  aged 10; one open RNE L episode since May 2012 (the first held): in care and in that
#       placement as far as the returns show since 2012: in the cohort, stable
#   U2  aged 9; RNE L since Jan 2013, a temporary move (T2) 1-15 Aug 2015 and back to the same
#       placement (same PLACE, URN, PL_POST): neither starts a placement; placed since 2013: stable
#   U3  aged 10; RNE L since Jun 2012, moved (RNE P) 1 Sep 2014: in the cohort, placement under
#       2 years: not stable
#   U4  aged 5; RNE L since Jan 2013 (foster, U1), placed for adoption (A5, RNE P) 1 Oct 2014:
#       the adoptive placement is under 2 years, but it and the placement before it (from
#       Jan 2013, the first held episode) last over 2 years: stable
#   U5  RNE L since Jan 2014: looked after under 2.5 years as far as the returns show: not in it
#   U6  RNE L since 2012, but turned 16 on 1 Jan 2016: not in the cohort
#   U8  RNE P since Mar 2012: in the cohort, stable
# Cohort U1 U2 U3 U4 U8 = 5; stable U1 U2 U4 U8 = 4. (Joining only to RNE S, P or B episodes
# would drop U1 and U2 from the cohort and miss U4's placement before: 1 of 3.)


def test_long_term_stability_when_care_began_before_the_returns_held(computed):
    year = computed(["placement_unknown_start"], "CLA_LT_STABLE", [FY2015]).loc["2015-04-01"]
    assert (year.numerator, year.denominator) == (4, 5)
    assert year.status == "ok"
