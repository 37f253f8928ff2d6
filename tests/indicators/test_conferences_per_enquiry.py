"""S47_ICPC on a hand-made CIN census (tests/data/framework_cin, LA 371: census 2021-22).

Initial conferences held in 2021-22 (distinct child and date, from Section47 or CINdetails) and
section 47 enquiries started in it:
  F1  enquiry 5 May 2021, conference 20 May 2021                -> 1 enquiry, 1 conference
  F2  enquiry 5 Jun 2021, no conference (not required)          -> 1 enquiry
  F3  enquiry 15 Apr 2021, conference 1 May 2021, recorded on the Section47 and on the
      CINdetails                                                -> 1 enquiry, 1 conference
  F4  enquiry 5 Feb 2021 (before the year), conference 5 Apr 2021 -> 1 conference
  F5  two enquiries, 1 and 10 Mar 2022                          -> 2 enquiries
  F6  a conference on 1 Aug 2021 on the CINdetails, no Section47 (a transfer-in) -> 1 conference
  F7  enquiry 25 Mar 2022, conference 10 Apr 2022 (the next year) -> 1 enquiry
Conferences F1 F3 F4 F6 = 4; enquiries F1 F2 F3 F5 F5 F7 = 6: 66.7%.
"""

import pytest

FY2021 = "2021-04-01:2022-03-31"


def test_conferences_per_enquiry_by_hand(computed):
    year = computed(["framework_cin"], "S47_ICPC", [FY2021], la_code="371").loc["2021-04-01"]
    assert (year.numerator, year.denominator) == (4, 6)
    assert year.value == pytest.approx(4 / 6 * 100)
    assert year.ci_lower < year.value < year.ci_upper
