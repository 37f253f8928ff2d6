"""CPP_REPEAT on hand-made CIN census returns (tests/data/repeat_plans, LA 999).

Plans starting in 2015-16, by child:
  P1  1 May 2015     earlier plan 1 Jun 2014 in the 2014-15 return: repeat (NumberOfPreviousCPP 0)
  P2  1 Jun 2015     no earlier plan held, NumberOfPreviousCPP 2: repeat
  P3  1 Jul 2015     no earlier plan, NumberOfPreviousCPP 0: first plan
  P4  1 Aug 2015     no earlier plan, NumberOfPreviousCPP not recorded: first plan
  P5  1 Sep 2015     recorded under two referrals with the same start: one plan, first plan
  P6  20 Apr 2015    first plan;  10 Jan 2016: repeat (the April plan started strictly before)
Plans: P1, P2, P3, P4, P5, P6a, P6b = 7; repeats P1, P2, P6b = 3 -> 42.9%.
"""

import pytest


def test_repeat_plans_by_hand(computed):
    year = computed(["repeat_plans"], "CPP_REPEAT", ["2015-04-01:2016-03-31"]).loc["2015-04-01"]
    assert (year.numerator, year.denominator) == (3, 7)
    assert year.value == pytest.approx(300 / 7)
    assert year.status == "ok"


def test_one_quarter(computed):
    # Apr-Jun 2015: P6a (20 Apr), P1 (1 May, repeat), P2 (1 Jun, repeat) = 2 of 3: too few to rate.
    quarter = computed(["repeat_plans"], "CPP_REPEAT", ["2015-04-01:2015-06-30"]).loc["2015-04-01"]
    assert (quarter.numerator, quarter.denominator) == (2, 3)
    assert quarter.status == "insufficient data"
