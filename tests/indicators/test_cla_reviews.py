"""CLA_REVIEWS_TIMELY on a hand-made SSDA903 return (tests/data/cla_reviews, LA 999, 2015-16).

Timescales: first review within 20 working days of the start of care (working days d with
start < d <= review; England bank holidays excluded), the second within 3 months of the first,
later ones within 6 months, none overdue at period end. At 31 Mar 2016 (a Thursday; Good Friday
25 Mar and Easter Monday 28 Mar 2016 are bank holidays), by child:
  R1  care from Thu 1 Jan 2015 (a bank holiday); reviews 20 Jan 2015 (13 working days),
      15 Apr 2015 (by 20 Apr), 10 Oct 2015 (by 15 Oct); next due 10 Apr 2016      -> on time
  R2  as R1, but the second review on 21 Apr 2015, a day past 3 months              -> late
  R3  care from Mon 1 Jun 2015; reviews 29 Jun (exactly 20 working days), 29 Sep (exactly 3
      months), 29 Mar 2016 (exactly 6 months)                                       -> on time
  R4  as R3, but the first review on 30 Jun 2015: 21 working days                   -> late
  R5  care from 6 Jan 2014; every review on time, the last 15 Sep 2015; the next was due
      15 Mar 2016 and has not happened by 31 Mar: overdue                           -> not on time
  R6  care from 1 Oct 2015; first review 15 Oct; the second was due 15 Jan 2016: overdue
  R7  care from Mon 7 Mar 2016: 16 working days by 31 Mar (Easter): not in the cohort
  R8  care from Tue 1 Mar 2016: exactly 20 working days by 31 Mar once Good Friday and Easter
      Monday are left out; no review yet, but the first is due on 31 Mar itself  -> on time
  R9  care from Mon 29 Feb 2016: 21 working days, no review: overdue              -> not on time
  R10 an earlier period of care Feb-Jun 2014 (reviewed 10 Feb 2014); back in care from Mon 4 Jan
      2016, reviewed 1 Feb 2016 (exactly 20 working days). The 2014 review belongs to the old
      period of care and does not count                                          -> on time
  R11 on an agreed series of short breaks (LS V3) at period end: not in the cohort
  R12 as R3, but the third review on 30 Mar 2016, a day past 6 months after the second; the
      next is not yet due, but a late review is late                             -> late
  R13 care from 1 Jun 2015, a placement move (RNE P) on 15 Sep 2015 which does not restart the
      clock; reviews 29 Jun, 29 Sep 2015, 29 Mar 2016 as R3                        -> on time
  R14 care began before the returns held (its first held episode, 1 May 2014, is a placement
      change, RNE P): reviews 20 May 2015 (not judged: the start is unknown) and 10 Nov 2015
      (within 6 months); next due 10 May 2016                                    -> on time
  R15 likewise (first held episode 1 Apr 2015, RNE P); one review, 1 Jun 2015; the next was
      due 1 Dec 2015: overdue                                                    -> not on time
Cohort R1-R6 R8 R9 R10 R12-R15 = 13; on time R1 R3 R8 R10 R13 R14 = 6.
"""

import pytest

FY2015 = "2015-04-01:2016-03-31"


def test_reviews_in_time_by_hand(computed):
    year = computed(["cla_reviews"], "CLA_REVIEWS_TIMELY", [FY2015]).loc["2015-04-01"]
    assert (year.numerator, year.denominator) == (6, 13)
    assert year.value == pytest.approx(600 / 13)
    assert year.status == "ok"


def test_reviews_due_are_judged_at_the_period_end(computed):
    # At 31 Dec 2015: looked after 20 working days or more R1-R6, R12 and R13 (R7-R10's current
    # care begins in 2016; R11 is on short breaks) = 8. R5's next review is due 15 Mar 2016 and
    # R6's 15 Jan 2016, so neither is overdue yet; R3, R12 and R13's March reviews are after the
    # end and their next is due 29 Mar 2016. R14 and R15 (start unknown) are in the cohort: R14
    # reviewed 10 Nov is on time; R15's next review was due 1 Dec 2015: overdue.
    # On time: R1 R3 R5 R6 R12 R13 R14 = 7 of 10 (R2, R4 late; R15 overdue).
    quarter = computed(["cla_reviews"], "CLA_REVIEWS_TIMELY", ["2015-10-01:2015-12-31"])
    assert tuple(quarter.loc["2015-10-01", ["numerator", "denominator"]]) == (7, 10)
