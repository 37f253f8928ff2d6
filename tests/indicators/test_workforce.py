"""SW_AGENCY and SW_TURNOVER on a hand-made workforce file (tests/data/workforce, at 30 Sep 2015).

Registered social workers in post at 30 Sep 2015 (FTE):
  employed: W1 1.0, W2 0.5, W9 1.0 (a registered manager), W10 0.5 (started that day),
            W12 1.0, W13 1.0 = 5.0
  agency:   W6 1.0, W11 0.4 = 1.4   (W7's assignment ended in May: not in post)
  not counted: W8 (not registered); W3 left in March; W4 left on 30 Sep itself (a leaver).
Employed leavers in the 12 months to 30 Sep 2015: W3 1.0 + W4 0.8 = 1.8 (W7 is agency).
Agency rate = 1.4 / 6.4 = 21.875%; turnover = 1.8 / 5.0 = 36%.
"""

import pytest

YEAR = "2014-10-01:2015-09-30"


def test_agency_rate_by_hand(computed):
    year = computed(["workforce"], "SW_AGENCY", [YEAR]).loc["2014-10-01"]
    assert year.numerator == pytest.approx(1.4)
    assert year.denominator == pytest.approx(6.4)
    assert year.value == pytest.approx(21.875)


def test_turnover_by_hand(computed):
    year = computed(["workforce"], "SW_TURNOVER", [YEAR]).loc["2014-10-01"]
    assert year.numerator == pytest.approx(1.8)
    assert year.denominator == pytest.approx(5.0)
    assert year.value == pytest.approx(36.0)
    # Exact Poisson interval on 1.8 leavers, over 5.0 FTE.
    assert year.ci_lower < 36.0 < year.ci_upper


def test_turnover_at_an_earlier_date(computed):
    # At 31 Mar 2015 (12 months from 1 Apr 2014): in post employed W1 1.0, W2 0.5, W4 0.8, W9 1.0,
    # W12 1.0, W13 1.0 = 5.3 (W3 left 1 Mar 2015: a leaver, 1.0; W8 not registered).
    half = computed(["workforce"], "SW_TURNOVER", ["2014-10-01:2015-03-31"]).loc["2014-10-01"]
    assert half.denominator == pytest.approx(5.3)
    assert half.numerator == pytest.approx(1.0)


def test_a_period_the_returns_only_partly_cover_has_no_value(computed):
    # The workforce file covers Oct 2014 - Sep 2015; Apr 2015 - Mar 2016 would count leavers and
    # staff in post at 31 Mar 2016 from half a year of records.
    later = computed(["workforce"], "SW_TURNOVER", ["2015-04-01:2016-03-31"]).loc["2015-04-01"]
    assert later.status == "incomplete data"
    assert later.value != later.value  # NaN
