"""REF_RATE, REF_NFA, CIN_RATE and ASSESS_45WD on hand-made CIN census returns (LA 371).

Doncaster's children aged 0-17 (ONS mid-2015, the year 2015-16 starts in): 64,453.

tests/data/referral_measures (census 2015-16):
  R1  referred 10 Apr 2015, NFA, closed the same day
  R2  referred 1 May 2015, open at 31 Mar 2016
  R3  referred 1 Jun 2015, closed 31 Mar 2016 (closed on the day: not open at the end)
  R4  referred 1 Jul 2015 twice, one record NFA and one not: one referral, NFA; closed 5 Jul
  R5  referred 1 Dec 2014 (before the year), open at 31 Mar 2016
  R6  referred 1 Aug 2015, ReferralNFA blank (not NFA), open
  R7  referred 1 Sep 2015, NFA, no closure recorded
Referrals in 2015-16: R1 R2 R3 R4 R6 R7 = 6; NFA: R1 R4 R7 = 3.
In need at 31 Mar 2016 (open, not NFA): R2 R5 R6 = 3.

tests/data/assessments (census 2015-16), bank holidays 3 and 6 Apr, 4 and 25 May 2015:
  working days after 31 Mar 2015: April 20 (22 weekdays less 2), May 19 (21 less 2), so 39 by
  29 May; then 1-5 Jun are 40-44 and 8 Jun is the 45th.
  T1  31 Mar -> 8 Jun 2015: 45 working days, in time (a plain weekday count says 49)
  T2  31 Mar -> 9 Jun 2015: 46, late
  T3  1 Jul -> 1 Jul 2015: 0, in time
  T4  no start date: cannot be timed, left out
  T5  authorised 20 Mar 2015, before the year: left out
  T6  1 Sep -> 10 Sep 2015, recorded twice: once, 7 working days, in time
  T7  1 Oct 2015 -> 15 Jan 2016: late
Timed in 2015-16: T1 T2 T3 T6 T7 = 5; in time T1 T3 T6 = 3.
"""

import pytest

FY2015 = "2015-04-01:2016-03-31"
POPULATION_2015 = 64_453


def test_referral_rate_for_the_year(computed):
    year = computed(["referral_measures"], "REF_RATE", [FY2015]).loc["2015-04-01"]
    assert year.numerator == 6
    assert year.denominator == pytest.approx(POPULATION_2015)  # a whole year: no annualising
    assert year.value == pytest.approx(6 / POPULATION_2015 * 10_000)
    assert year.ci_lower < year.value < year.ci_upper


def test_referral_rate_for_a_quarter_is_annualised(computed):
    # Apr-Jun 2015: R1, R2, R3. The quarter is 91 of the 365 days from 1 Jul 2014 to 30 Jun 2015.
    quarter = computed(["referral_measures"], "REF_RATE", ["2015-04-01:2015-06-30"])
    row = quarter.loc["2015-04-01"]
    assert row.numerator == 3
    assert row.value == pytest.approx(3 / (POPULATION_2015 * 91 / 365) * 10_000)


def test_no_further_action(computed):
    year = computed(["referral_measures"], "REF_NFA", [FY2015]).loc["2015-04-01"]
    assert (year.numerator, year.denominator) == (3, 6)
    assert year.value == pytest.approx(50.0)


def test_children_in_need_at_period_end(computed):
    year = computed(["referral_measures"], "CIN_RATE", [FY2015]).loc["2015-04-01"]
    assert year.numerator == 3
    assert year.value == pytest.approx(3 / POPULATION_2015 * 10_000)


def test_assessments_within_45_working_days(computed):
    year = computed(["assessments"], "ASSESS_45WD", [FY2015]).loc["2015-04-01"]
    assert (year.numerator, year.denominator) == (3, 5)
    assert year.value == pytest.approx(60.0)
