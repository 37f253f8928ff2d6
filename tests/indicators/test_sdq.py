"""CLA_SDQ on a hand-made SSDA903 return (tests/data/framework_sdq, LA 999: the 2018-19 return).

Looked after continuously for the 12 months to 31 Mar 2019 (looked after on 1 Apr 2018, no new
period of care, none ending other than by X1, no short breaks), aged 4 on or before 1 Apr 2018
and not yet 17 on 31 Mar 2019, with an OC2 SDQ_SCORE from 0 to 40:
  D1  in care since Jan 2017, born 2008; SDQ 10          -> counted, 10
  D2  since May 2016, born 2010; SDQ 20                   -> counted, 20
  D3  since Jun 2017, born 2012; SDQ 0 (the lowest score)  -> counted, 0
  D4  since Jan 2015, born 2005; SDQ 40 (the highest)      -> counted, 40
  D5  started 2 Apr 2018, the day after the year began; SDQ 30 -> not in care all year
  D6  4th birthday 1 Apr 2018, the year's first day; SDQ 16 -> counted, 16
  D7  4th birthday 2 Apr 2018; SDQ 5                      -> too young
  D8  17th birthday 31 Mar 2019, the period end; SDQ 25    -> too old
  D9  no score (SDQ_REASON SDQ1)                          -> no score
  D10 SDQ 41, outside the questionnaire's range           -> no score
  D11 an agreed series of short breaks (LS V3); SDQ 14    -> not in the cohort
  D12 left care 1 Jul 2018 (E8) and came back 1 Aug; SDQ 12 -> not continuous
  D13 a new episode by X1 on 1 Sep 2018 (placement change); SDQ 8 -> counted, 8
  D14 left care on 1 Apr 2018, the year's first day (E8), and came back that day; SDQ 11
      -> not continuous: an episode ending on the first day, other than by X1, breaks it
Scores 10, 20, 0, 40, 16, 8: 6 children, sum 94, mean 15.67. Sample standard deviation:
squares 100 + 400 + 0 + 1600 + 256 + 64 = 2420; (2420 - 94^2/6) / 5 = 189.47, sd 13.76;
standard error 13.76 / sqrt(6) = 5.619; Student's t for 5 degrees of freedom 2.5706 (from
tables): 15.67 +/- 14.44.
"""

import math

import pytest

from cscmonitor.indicators.registry import get

FY2018 = "2018-04-01:2019-03-31"


def test_average_sdq_by_hand(computed):
    year = computed(["framework_sdq"], "CLA_SDQ", [FY2018]).loc["2018-04-01"]
    assert (year.numerator, year.denominator) == (94, 6)
    assert year.value == pytest.approx(94 / 6)
    half = 2.5706 * math.sqrt((2420 - 94**2 / 6) / 5 / 6)
    assert year.ci_lower == pytest.approx(94 / 6 - half, abs=1e-3)
    assert year.ci_upper == pytest.approx(94 / 6 + half, abs=1e-3)
    assert year.status == "ok"


def test_the_mean_unit_shows_one_decimal():
    assert get("CLA_SDQ").unit.display(94 / 6) == "15.7"
