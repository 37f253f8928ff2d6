"""REREF_12M on hand-made CIN census returns (tests/data/rereferrals, LA 999).

Referrals, by child (the returns are 2014-15 and 2015-16):
  A  2014-06-01, 2015-06-01   second exactly 12 months later: re-referral (the same day counts)
  B  2014-06-01, 2015-06-02   12 months and a day: not a re-referral
  C  2015-07-01 twice         two CINdetails on one date are one referral; not a re-referral
  D  2015-01-10, 2015-09-01   Jan referral is in both returns (open at 31 Mar 2015): one referral;
                              Sep is a re-referral
  E  2015-03-01, 2016-02-29   leap day, within 12 months of 1 Mar 2015: re-referral
  H  2012-05-01, 2015-04-15   nearest earlier referral three years before: not a re-referral
  I  2014-10-01, 2015-08-01, 2015-09-01   both 2015 referrals are re-referrals

2015-16: referrals A, B, C, D(Sep), E(Feb), H, I(Aug), I(Sep) = 8; re-referrals A, D, E, I, I = 5.
2014-15: referrals A, B, D(Jan, once), E(Mar), I(Oct) = 5; none has an earlier one = 0, and
the returns start 1 Apr 2014, so the 12-month lookback is incomplete.
"""

import pytest

FY2015 = "2015-04-01:2016-03-31"
FY2014 = "2014-04-01:2015-03-31"


def test_rereferrals_by_hand(computed):
    result = computed(["rereferrals"], "REREF_12M", [FY2015, FY2014])
    year = result.loc["2015-04-01"]
    assert (year.numerator, year.denominator) == (5, 8)
    assert year.value == pytest.approx(62.5)
    assert year.status == "ok"
    earlier = result.loc["2014-04-01"]
    assert (earlier.numerator, earlier.denominator) == (0, 5)
    assert earlier.status == "lookback incomplete"


def test_wilson_interval_brackets_the_value(computed):
    # 5/8: Wilson 95% interval by hand is 30.6% to 86.3%.
    year = computed(["rereferrals"], "REREF_12M", [FY2015]).loc["2015-04-01"]
    assert year.ci_lower == pytest.approx(30.57, abs=0.01)
    assert year.ci_upper == pytest.approx(86.32, abs=0.01)


def test_small_denominator_is_insufficient(computed):
    # Apr-Jun 2015 holds three referrals (H 15 Apr, A 1 Jun, B 2 Jun): fewer than 5.
    quarter = computed(["rereferrals"], "REREF_12M", ["2015-04-01:2015-06-30"]).loc["2015-04-01"]
    assert (quarter.numerator, quarter.denominator) == (1, 3)
    assert quarter.status == "insufficient data"
    assert quarter.value != quarter.value  # NaN: never a number to rate


def test_period_without_returns_has_no_data(computed):
    later = computed(["rereferrals"], "REREF_12M", ["2018-04-01:2019-03-31"]).loc["2018-04-01"]
    assert later.status == "no data"
