"""CLA_SCHOOL_MOVE on hand-made returns (tests/data/school_moves, LA 999: the 2018-19 SSDA903
and the virtual school's 2017-18 and 2018-19 schools tables). The 12 months to 31 Mar 2019 begin
on 1 Apr 2018.

Looked after at 31 Mar 2019, in care since 2016 unless said:
  S1  at school A throughout                                       -> cohort, no move
  S2  A until 15 Nov 2018, school B from 16 Nov 2018               -> move
  S3  A until 20 Jul 2018, B from 5 Sep 2018 (September)           -> cohort, no move
  S4  in care from 1 Jun 2018; A until 9 Jun, B from 10 Jun 2018   -> move (after care began)
  S5  in care from 1 Jun 2018; A until 30 Apr, B from 1 May 2018   -> cohort, no move (the move
      came before care began)
  S6  A throughout, and alternative provision C from 10 Jan 2019    -> cohort, no move (still on
      A's roll: dual registration)
  S7  A until 1 Feb 2019, B from 1 Feb 2019 (the same day)          -> move
  S9  no school recorded                                           -> not in the cohort
  S10 no school until D from 1 Oct 2018                            -> move (from no school)
  S11 A until 31 Dec 2018, A again from 1 Jan 2019                 -> cohort, no move (same school)
  S12 A until 10 Sep 2017, before the 12 months                    -> not in the cohort
  S8  a move on 11 Nov 2018, but left care on 1 Jan 2019           -> not in the cohort
Cohort S1 S2 S3 S4 S5 S6 S7 S10 S11 = 9; moves S2 S4 S7 S10 = 4.
"""

import pytest

FY2018 = "2018-04-01:2019-03-31"


def test_mid_year_school_moves_by_hand(computed):
    year = computed(["school_moves"], "CLA_SCHOOL_MOVE", [FY2018]).loc["2018-04-01"]
    assert (year.numerator, year.denominator) == (4, 9)
    assert year.value == pytest.approx(4 / 9 * 100)
    assert year.status == "ok"
