"""CL_EET_17_18 and CL_SUITABLE_17_18, and the suitability cohort of CL_SUITABLE, on hand-made
SSDA903 OC3 tables (tests/data/young_care_leavers, LA 999: the 2020-21 and 2021-22 returns).

In the 2021-22 return (IN_TOUCH, ACTIV, ACCOM):
  Y1  17 on 10 May 2021; YES F1 C1   -> both cohorts; EET; suitable
  Y2  18 on 1 Jun 2021; NO 0 0       -> both cohorts (activity and accommodation not known stay in)
  Y3  17 on 1 Jul 2021; REFU, blank  -> both cohorts; neither
  Y4  18 on 1 Aug 2021; DIED         -> left out of both
  Y5  17 on 1 Sep 2021; RHOM F1 C1   -> left out of both (returned home)
  Y6  18 on 1 Oct 2021; YES F3 C1    -> both cohorts; suitable; not EET (F3: a code to 2020-21)
  Y7  17 on 1 Nov 2021; YES F4 G1    -> EET cohort, EET (apprentice); abroad: no suitability
  Y8  18 on 1 Dec 2021; NO G5 H2     -> EET cohort, not EET; deported: no suitability
  Y9  17 on 1 Jan 2022; NREQ P5 R1   -> EET cohort, EET; residence not known: no suitability
  Y12 18 on 1 Mar 2022; YES P2 D2    -> both cohorts; EET; unsuitable
  Y10 19 on 1 Feb 2022; YES F1 C1    -> 19-21 only: CL_EET and CL_SUITABLE, counted in both
  Y13 21 on 15 Mar 2022; NO G6 G2    -> 19-21 only: CL_EET cohort, not EET; gone abroad: left out
                                        of CL_SUITABLE
2021-22, 17-18: EET cohort Y1 Y2 Y3 Y6 Y7 Y8 Y9 Y12 = 8, EET Y1 Y7 Y9 Y12 = 4;
suitability cohort Y1 Y2 Y3 Y6 Y12 = 5, suitable Y1 Y6 = 2.
19-21: CL_EET 1 of 2 (Y10); CL_SUITABLE 1 of 1 (Y10; Y13 left out).
In the 2020-21 return: Z1 17 on 1 May 2020; YES F3 C1 -> EET (F3 is a code to 2020-21): 1 of 1.
"""

import pytest

FY2021 = "2021-04-01:2022-03-31"
FY2020 = "2020-04-01:2021-03-31"


@pytest.mark.parametrize(
    ("code", "counted", "cohort"),
    [
        ("CL_EET_17_18", 4, 8),
        ("CL_SUITABLE_17_18", 2, 5),
        ("CL_EET", 1, 2),
        ("CL_SUITABLE", 1, 1),
    ],
)
def test_care_leavers_by_hand(computed, code, counted, cohort):
    year = computed(["young_care_leavers"], code, [FY2021]).loc["2021-04-01"]
    assert (year.numerator, year.denominator) == (counted, cohort)


def test_the_17_18_rate_is_a_share_of_the_cohort(computed):
    year = computed(["young_care_leavers"], "CL_EET_17_18", [FY2021]).loc["2021-04-01"]
    assert year.value == pytest.approx(50.0)
    assert year.status == "ok"


def test_f3_counts_in_a_2020_21_return(computed):
    year = computed(["young_care_leavers"], "CL_EET_17_18", [FY2020]).loc["2020-04-01"]
    assert (year.numerator, year.denominator) == (1, 1)
