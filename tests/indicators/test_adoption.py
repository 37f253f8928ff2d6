"""ADOPT_A1, ADOPT_A10, ADOPT_A2 on hand-made SSDA903 returns (tests/data/adoption, LA 999: the
2013-14, 2014-15 and 2015-16 returns). Days are calendar days.

Adopted = an episode ending REC E11/E12. For 2015-16 the window is the 3 years to 31 Mar 2016,
from 1 Apr 2013. By child: entered care (latest RNE S) -> moved in (first PLACE A3-A6) = A1;
A10 (foster-carer adoptions timed to the move to those carers); A2 (first LS E1/D1 -> AD1 match).
  A01 S 1 Apr 2012 -> A4 1 Mar 2013 = 334; adopted 1 Apr 2013, the window's first day;
      E1 1 Oct 2012 -> match 1 Feb 2013 = 123
  N   adopted 31 Mar 2013, the day before the window: out (in 2014-15's window: 152; A2 0)
  J   S 1 Jun 2012 -> A4 1 Mar 2013 = 273; adopted (E12) 1 Jul 2013, back in care (a new S)
      Sep 2015, which is not its entry to the care that ended in adoption;
      E1 from 1 Mar 2013, matched 10 Feb 2013, before: 0
  F   S 1 May 2013 -> A3 1 Jun 2014 = 396. A3 is adoption by the current foster carers (AD1
      FOSTER_CARE 0 notwithstanding): walking back over T (A3) and L (E1) to the P of 1 Aug 2013
      when it moved in with them: A10 92. E1 1 Dec 2013 -> match 1 Apr 2014 = 121
  G   S 1 Feb 2014 -> A4 1 Sep 2014 = 212; AD1 FOSTER_CARE 1: back over the U episode to the P
      of 1 Mar 2014: A10 28. E1 1 Sep 2014 -> match 15 Sep 2014 = 14
  I   an earlier period of care 2011 (LS E1, went home); S again 1 Mar 2013 -> A4 1 Oct 2013 = 214;
      E1 of this period of care 1 Jun 2013 -> match 1 Sep 2013 = 92
  K   no RNE S episode held (its first held episode is the A4 placement): left out of all three
  Q   S 1 Apr 2013 -> A4 1 Jan 2014 = 275; no match date: out of A2
  R2  S 1 May 2013 -> A4 1 Nov 2013 = 184; never E1 or D1: out of A2
  S2  S 1 Jun 2013 -> A6 1 Dec 2013 = 183; D1 (freeing order) 1 Aug 2013 -> match 1 Oct 2013 = 61
  U1  S 1 Jul 2013 -> A4 1 Jan 2014 = 184; E1 and match both 1 Jan 2014: 0
  T1  S 1 Jan 2014 -> A4 1 Jan 2015 = 365; E1 1 Jun 2014 -> match 1 Nov 2014 = 153
  T2  S 1 Feb 2015 -> A6 1 Aug 2015 = 181; E1 1 Apr 2015 -> match 1 Jul 2015 = 91
  T3  S 1 Mar 2015 -> A5 1 Sep 2015 = 184; A5 with the same carers (RNE T), so A10 walks back to
      the S itself: 0. No E1/D1 (placed with consent): out of A2
  T4  S 1 Apr 2014 -> A4 1 Mar 2015 = 334 (E12); E1 1 Jul 2014 -> match 1 Feb 2015 = 215
  T5  S 1 Jun 2014 -> A4 1 Feb 2015 = 245; D1 1 Sep 2014 -> match 1 Dec 2014 = 91
  V   placed for adoption (A4) but went home (E4A): not adopted
2015-16: A1 14 children (A01 J F G I Q R2 S2 U1 T1-T5), 3564 days;
A10 3564 - (396 - 92) - (212 - 28) - (184 - 0) = 2892; A2 11 children (A01 J F G I S2 U1 T1 T2 T4
T5), 123 + 0 + 121 + 14 + 92 + 61 + 0 + 153 + 91 + 215 + 91 = 961.
"""

import math

import pytest

FY2015 = "2015-04-01:2016-03-31"
FY2014 = "2014-04-01:2015-03-31"


@pytest.mark.parametrize(
    ("code", "days", "children"),
    [("ADOPT_A1", 3564, 14), ("ADOPT_A10", 2892, 14), ("ADOPT_A2", 961, 11)],
)
def test_adoption_timeliness_by_hand(computed, code, days, children):
    year = computed(["adoption"], code, [FY2015]).loc["2015-04-01"]
    assert (year.numerator, year.denominator) == (days, children)
    assert year.value == pytest.approx(days / children)
    assert year.status == "ok"
    assert math.isnan(year.ci_lower) and math.isnan(year.ci_upper)  # no interval for means


def test_the_window_is_three_years_to_the_period_end(computed):
    # The quarter Jan-Mar 2016 ends when 2015-16 does: the same 3 years, the same children.
    quarter = computed(["adoption"], "ADOPT_A1", ["2016-01-01:2016-03-31"]).loc["2016-01-01"]
    assert (quarter.numerator, quarter.denominator) == (3564, 14)


def test_an_earlier_year_flags_its_incomplete_lookback(computed):
    # 2014-15: 3 years from 1 Apr 2012, so N (adopted 31 Mar 2013: S 1 Jan 2012 -> A4 1 Jun 2012
    # = 152 days, 2012 being a leap year) is in, and T1-T5 (adopted after 31 Mar 2015) are out:
    # A01 J F G I N Q R2 S2 U1 = 334 + 273 + 396 + 212 + 214 + 152 + 275 + 184 + 183 + 184 = 2407.
    # The returns held begin 1 Apr 2013, a year short of the window.
    year = computed(["adoption"], "ADOPT_A1", [FY2014]).loc["2014-04-01"]
    assert (year.numerator, year.denominator) == (2407, 10)
    assert year.status == "lookback incomplete"


def test_too_few_children_give_no_value(computed):
    # A2 in 2014-15: A01 123, N 0 (matched before its E1), J 0, F 121, G 14, I 92, S2 61, U1 0:
    # 8 children, under the minimum of 10 for durations.
    year = computed(["adoption"], "ADOPT_A2", [FY2014]).loc["2014-04-01"]
    assert (year.numerator, year.denominator) == (411, 8)
    assert year.status == "insufficient data"
