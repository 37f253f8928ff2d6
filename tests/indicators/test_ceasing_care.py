"""CLA_CEASE_SGO and CLA_CEASE_CAO on hand-made SSDA903 returns (tests/data/framework_care,
LA 371: the 2017-18 and 2018-19 returns).

Ceased in 2018-19 (an episode with DEC in the year, REC not X1, LS not V3/V4; each child once,
at its last such DEC):
  A3  DEC 1 Aug 2018, REC E45 (SGO, a code from 2018-19)        -> cohort, SGO
  A4  DEC 15 Sep 2018, REC E41 (child arrangements order)       -> cohort, CAO
  A7  DEC 1 Mar 2019, REC X1 (a new episode the same day)       -> not ceased
  A8  DEC 1 Dec 2018, REC E43 (an SGO code only to 2017-18)     -> cohort, neither
  A9  DEC 1 Feb 2019, REC E11 (adopted)                         -> cohort, neither
  A10 X1 on 1 Jun 2018, then DEC 1 Jan 2019 with REC E48 (SGO)  -> cohort, SGO
  A11 E41 on 1 May 2018, then E46 (SGO) on 1 Sep 2018: the last occasion counts
                                                                -> cohort, SGO, not CAO
  A12 DEC 1 Jun 2018, REC E45, but LS V4 (short breaks)         -> not ceased
  A14 DEC 31 Mar 2019 (the year's last day), REC E8             -> cohort, neither
Cohort A3 A4 A8 A9 A10 A11 A14 = 7; SGO A3 A10 A11 = 3; CAO A4 = 1.
In 2017-18 only A17 ceased: DEC 1 Feb 2018, REC E43, an SGO in a 2017-18 return -> 1 of 1.
"""

import pytest

FY2018 = "2018-04-01:2019-03-31"
FY2017 = "2017-04-01:2018-03-31"


@pytest.mark.parametrize(("code", "counted"), [("CLA_CEASE_SGO", 3), ("CLA_CEASE_CAO", 1)])
def test_ceased_care_by_hand(computed, code, counted):
    year = computed(["framework_care"], code, [FY2018], la_code="371").loc["2018-04-01"]
    assert (year.numerator, year.denominator) == (counted, 7)
    assert year.value == pytest.approx(counted / 7 * 100)
    assert year.status == "ok"


def test_the_sgo_codes_of_2017_18_are_e43_and_e44(computed):
    year = computed(["framework_care"], "CLA_CEASE_SGO", [FY2017], la_code="371").loc["2017-04-01"]
    assert (year.numerator, year.denominator) == (1, 1)
    assert year.status == "insufficient data"
