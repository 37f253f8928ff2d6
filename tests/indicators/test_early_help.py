"""EH_ASSESS_RATE, EH_NEEDS_MET, EH_STEP_UP and EH_REREF on hand-made returns (LA 371).

tests/data/early_help: early help files for 2014-15, 2015-16 and 2016-17 (1 April-31 March)
and CIN censuses for 2015-16 and 2016-17. Doncaster's children aged 0-17, ONS mid-2015: 64,453.

Episodes in the 2015-16 file (H2, H10 and H11 were open at 31 Mar 2015; H4 at 31 Mar 2016 and
is restated, closed, in the 2016-17 file):
  child  assessment completed   closed       reason
  H1     1 May 2015             30 Jun 2015  NEEDS_MET
  H1     20 Jan 2016            10 Mar 2016  NEEDS_MET   (helped twice: two episodes)
  H2     30 Mar 2015 (before)   31 Jul 2015  STEP_UP
  H3     started, not completed 15 Aug 2015  DISENGAGED
  H4     31 Mar 2016 (last day) 1 May 2016   NEEDS_MET   (closed after the year)
  H5     20 Sep 2015            1 Dec 2015   NEEDS_MET
  H6     20 Oct 2015            15 Jan 2016  STEP_DOWN
  H7     15 Jun 2015            31 Mar 2016  NEEDS_MET   (closed on the last day)
  H8     10 Nov 2015            1 Feb 2016   (blank: in the denominator only)
  H9     5 Dec 2015             20 Feb 2016  STEP_UP
  H10    1 Jul 2014 (before)    1 Apr 2015   MOVED       (closed on the first day)
  H11    20 Jan 2015 (before)   1 Apr 2015   NEEDS_MET
  H13-16 no assessment          Aug 2015-Feb 2016, NEEDS_MET
  H12 (2014-15 file) closed 31 Mar 2015 NEEDS_MET: before 2015-16.
Assessments completed in 2015-16: H1 twice, H4, H5, H6, H7, H8, H9 = 8.
Closed in 2015-16: 15 (all but H4); needs met H1 x2, H5, H7, H11, H13, H14, H15, H16 = 9;
stepped up H2, H9 = 2.

EH_REREF for 2016-17: children closed NEEDS_MET 1 Apr 2015-31 Mar 2016, with a CIN referral on or
after the closure and within 12 months of it:
  H1   closed 30 Jun 2015 and 10 Mar 2016; referred 10 Jan 2017: within 12 months of the second
  H5   no referral
  H7   closed 31 Mar 2016; referred 31 Mar 2017, 12 months to the day: counts
  H11  closed 1 Apr 2015 (first day of the window); referred 1 Mar 2016: counts
  H13  closed 1 Aug 2015; referred 1 Aug 2016, 12 months to the day: counts
  H14  closed 1 Sep 2015; referred 2 Sep 2016, a day too late
  H15  closed 1 Oct 2015; referred the same day: counts
  H16  closed 1 Feb 2016; referred 15 Jan 2016, while early help was open: not after closure
  not in the cohort: H12 (closed 31 Mar 2015), H4 and H17 (closed in 2016-17), H9 (stepped up).
Cohort 8 children, referred 5: 62.5%.
"""

import pytest

FY2015 = "2015-04-01:2016-03-31"
FY2016 = "2016-04-01:2017-03-31"
POPULATION_2015 = 64_453
EARLY_HELP_ONLY = [f"early_help/early_help_{y}.csv" for y in (2015, 2016, 2017)]


def test_assessment_rate(computed):
    year = computed(["early_help"], "EH_ASSESS_RATE", [FY2015], la_code="371").loc["2015-04-01"]
    assert year.numerator == 8
    assert year.denominator == pytest.approx(POPULATION_2015)
    assert year.value == pytest.approx(8 / POPULATION_2015 * 10_000)
    assert year.ci_lower < year.value < year.ci_upper


def test_assessment_rate_for_a_quarter_is_annualised(computed):
    # Jan-Mar 2016: H1's second (20 Jan) and H4 (31 Mar). 91 of the 366 days to 31 Mar 2016.
    quarter = computed(["early_help"], "EH_ASSESS_RATE", ["2016-01-01:2016-03-31"], la_code="371")
    row = quarter.loc["2016-01-01"]
    assert row.numerator == 2
    population_2016 = 64_440  # the quarter starts in 2016
    assert row.value == pytest.approx(2 / (population_2016 * 91 / 366) * 10_000)


def test_closed_with_needs_met(computed):
    year = computed(["early_help"], "EH_NEEDS_MET", [FY2015], la_code="371").loc["2015-04-01"]
    assert (year.numerator, year.denominator) == (9, 15)
    assert year.value == pytest.approx(60.0)


def test_stepped_up(computed):
    year = computed(["early_help"], "EH_STEP_UP", [FY2015], la_code="371").loc["2015-04-01"]
    assert (year.numerator, year.denominator) == (2, 15)
    assert year.value == pytest.approx(200 / 15)


def test_referred_within_12_months_of_needs_met(computed):
    year = computed(["early_help"], "EH_REREF", [FY2016], la_code="371").loc["2016-04-01"]
    assert (year.numerator, year.denominator) == (5, 8)
    assert year.value == pytest.approx(62.5)
    assert year.status == "ok"


def test_without_the_cin_census_there_is_no_value_not_zero(computed):
    # Early help alone would say nobody was referred.
    year = computed(EARLY_HELP_ONLY, "EH_REREF", [FY2016], la_code="371").loc["2016-04-01"]
    assert year.status == "no data"
    assert year.value != year.value  # NaN


def test_coverage_follows_the_early_help_year(computed):
    # The files cover 1 Apr 2014 - 31 Mar 2017: a school year to Aug 2017 is only partly held,
    # one from Sep 2017 not at all.
    result = computed(
        ["early_help"],
        "EH_NEEDS_MET",
        ["2016-09-01:2017-08-31", "2017-09-01:2018-08-31", FY2015],
        la_code="371",
    )
    assert result.loc["2016-09-01", "status"] == "incomplete data"
    assert result.loc["2017-09-01", "status"] == "no data"
    assert result.loc["2015-04-01", "status"] == "ok"
