"""ADOPT_DECISION_MATCH on hand-made SSDA903 returns (tests/data/adoption_match, LA 999: the
2018-19 and 2019-20 returns). Days are calendar days from AD1 DATE_INT to DATE_MATCH.

Adopted in 2019-20 (an episode ending REC E11 or E12 with DEC in the year):
  M1  adopted 1 Jun 2019; decision 1 Jan 2019 -> match 1 Mar 2019 = 31 + 28 = 59 days
  M2  adopted 1 Jul 2019 (E12); decision and match both 1 Feb 2019 = 0
  M3  adopted 15 Mar 2020; 1 Jun 2019 -> 1 Dec 2019 = 30 + 31 + 31 + 30 + 31 + 30 = 183
  M4  adopted 1 Apr 2019, the year's first day; 1 Oct 2018 -> 1 Jan 2019 = 31 + 30 + 31 = 92
  M6  adopted 1 Aug 2019; no DATE_MATCH                        -> left out
  M7  adopted 1 Sep 2019; no DATE_INT                          -> left out
  M8  adopted 1 Oct 2019; DATE_INT 1 Sep after DATE_MATCH 1 Aug (rule 333) -> left out
Not adopted in 2019-20: M5 (adopted 31 Mar 2019, the year before), M9 (went home, E4A),
M10 (still looked after), though each has an AD1 record.
2019-20: 4 children, 59 + 0 + 183 + 92 = 334 days, mean 83.5: below the minimum of 10.
"""

FY2019 = "2019-04-01:2020-03-31"


def test_decision_to_match_by_hand(computed):
    year = computed(["adoption_match"], "ADOPT_DECISION_MATCH", [FY2019]).loc["2019-04-01"]
    assert (year.numerator, year.denominator) == (334, 4)
    assert year.status == "insufficient data"


def test_the_year_before_has_its_own_adoption(computed):
    # 2018-19: M5, 1 Aug -> 1 Oct 2018 = 31 + 30 = 61 days.
    year = computed(["adoption_match"], "ADOPT_DECISION_MATCH", ["2018-04-01:2019-03-31"])
    assert (year.loc["2018-04-01"].numerator, year.loc["2018-04-01"].denominator) == (61, 1)
