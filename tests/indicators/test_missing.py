"""CLA_MISSING and CLA_AWAY on a hand-made SSDA903 return (tests/data/missing, LA 999, 2015-16).

Period 2015-16 (1 Apr 2015 - 31 Mar 2016). By child (M: missing, A: away without authorisation):
  M1  in care since 2014; missing (M) 10 Jun 2015                         -> missing
  M2  in care since 2014; missing 15 Jul and 20 Oct 2015: counts once      -> missing
  M3  in care since 2014; away (A) 5 Sep 2015, never missing              -> away
  M4  in care since 2014; missing 15 Mar 2015, before the period: no;
      away on 1 Apr 2015, the period's first day                          -> away
  M5  came into care 1 Oct 2015; a missing record dated 20 Sep 2015, before care began:
      not a missing-from-care incident (ingest warns of it); looked after in the period
  M6  left care 1 Aug 2015; missing 1 Jul 2015 while in care              -> missing
  M7  care ended 1 Apr 2015 (DEC is the period's first day): not looked after in the period,
      so not in the denominator (its missing record that day does not count either)
  M8  in care all year; never missing
  M9  missing on 31 Mar 2016, the period's last day (no end date yet)     -> missing
  M10 in care Apr-Jun 2015 and again from Sep 2015; missing 15 Jul 2015, between its two
      periods of care, when it was not looked after: does not count
Looked after in the period: M1-M6, M8-M10 = 9. Missing: M1 M2 M6 M9 = 4. Away: M3 M4 = 2.
"""

import pytest

FY2015 = "2015-04-01:2016-03-31"
Q3 = "2015-10-01:2015-12-31"


def test_children_missing_by_hand(computed):
    year = computed(["missing"], "CLA_MISSING", [FY2015]).loc["2015-04-01"]
    assert (year.numerator, year.denominator) == (4, 9)
    assert year.value == pytest.approx(400 / 9)
    assert year.status == "ok"


def test_children_away_by_hand(computed):
    year = computed(["missing"], "CLA_AWAY", [FY2015]).loc["2015-04-01"]
    assert (year.numerator, year.denominator) == (2, 9)
    assert year.value == pytest.approx(200 / 9)


def test_a_quarter_counts_its_own_incidents_and_children(computed):
    # 1 Oct - 31 Dec 2015: looked after M1-M5, M8, M9, M10 (M6 left in Aug) = 8. Missing in the
    # quarter: only M2's second incident (20 Oct); M5's record predates its care. Away: none.
    quarter = computed(["missing"], "CLA_MISSING", [Q3]).loc["2015-10-01"]
    assert (quarter.numerator, quarter.denominator) == (1, 8)
    away = computed(["missing"], "CLA_AWAY", [Q3]).loc["2015-10-01"]
    assert (away.numerator, away.denominator) == (0, 8)
