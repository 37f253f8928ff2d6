"""CLA_START_RATE, UASC_START_RATE and UASC_END_RATE on hand-made SSDA903 returns
(tests/data/framework_care, LA 371: the 2017-18 and 2018-19 returns).

Doncaster's children aged 0-17: 64,396 (ONS mid-2017), 64,481 (mid-2018).

Starting in 2018-19 (an RNE S episode with DECOM in the year, LS not V3/V4; each child once):
  A1  S 10 May 2018                                   -> starts
  A2  S 1 Jun 2018 with LS V3 (short breaks)          -> not counted
  A3  S 1 Jul 2018, ceased 1 Aug, S again 1 Oct 2018  -> starts, once
  A5  S 1 Nov 2018; UASC, DUC blank                   -> starts; UASC on its DECOM
  A6  S 20 Apr 2018; UASC, DUC 1 Jan 2019             -> starts; UASC on its DECOM (DUC after it)
  A7  S 1 Feb 2018, before the year                   -> not counted
  A11 S 1 Apr 2018 (the year's first day), ceased, S again 1 Jul 2018 -> starts, once
  A12 S 1 May 2018 with LS V4 (short breaks)          -> not counted
  A13 S 1 Jan 2018, before the year                   -> not counted
  A14 S 1 Mar 2019, ceased 31 Mar 2019                -> starts
  A15 S 1 Jun 2018; UASC, DUC 1 Mar 2018 (before it)  -> starts; not UASC on its DECOM
  A4 A8 A9 A10 A16 started before 2018-19             -> not counted
Started: A1 A3 A5 A6 A11 A14 A15 = 7; of them UASC on the day: A5 A6 = 2.

Looked after at 31 Mar 2019 (open, LS not V3/V4): A1 A3 A5 A6 A7 A13 A15 A16 (A2 is on short
breaks; A14's episode ended on 31 Mar). UASC on 31 Mar 2019:
  A5  UASC record in the 2018-19 return, DUC blank    -> UASC
  A6  DUC 1 Jan 2019, before the end                  -> not UASC
  A15 DUC 1 Mar 2018                                  -> not UASC
  A16 UASC record only in the 2017-18 return (DUC blank); none in 2018-19 -> not UASC
UASC at 31 Mar 2019: A5 = 1. At 31 Mar 2018 (looked after: A4 A7 A8 A9 A10 A13 A16): A16,
whose 2017-18 record covers that day = 1.
"""

import pytest

FY2018 = "2018-04-01:2019-03-31"
FY2017 = "2017-04-01:2018-03-31"
POPULATION_2018 = 64_481
POPULATION_2017 = 64_396


def test_children_starting_care_per_10000(computed):
    year = computed(["framework_care"], "CLA_START_RATE", [FY2018], la_code="371").loc["2018-04-01"]
    assert year.numerator == 7
    assert year.denominator == pytest.approx(POPULATION_2018)
    assert year.value == pytest.approx(7 / POPULATION_2018 * 10_000)
    assert year.ci_lower < year.value < year.ci_upper
    assert year.status == "ok"


def test_a_quarter_of_starts_is_annualised(computed):
    # Apr-Jun 2018: A11 (1 Apr), A6 (20 Apr), A1 (10 May), A15 (1 Jun); A2 and A12 are short
    # breaks. The quarter is 91 of the 365 days from 1 Jul 2017 to 30 Jun 2018.
    quarter = computed(
        ["framework_care"], "CLA_START_RATE", ["2018-04-01:2018-06-30"], la_code="371"
    ).loc["2018-04-01"]
    assert quarter.numerator == 4
    assert quarter.value == pytest.approx(4 / (POPULATION_2018 * 91 / 365) * 10_000)


def test_uasc_starting_care_per_10000(computed):
    year = computed(["framework_care"], "UASC_START_RATE", [FY2018], la_code="371").loc[
        "2018-04-01"
    ]
    assert year.numerator == 2
    assert year.value == pytest.approx(2 / POPULATION_2018 * 10_000)


@pytest.mark.parametrize(
    ("period", "count", "population"), [(FY2018, 1, POPULATION_2018), (FY2017, 1, POPULATION_2017)]
)
def test_uasc_looked_after_at_the_end(computed, period, count, population):
    start = period.split(":")[0]
    year = computed(["framework_care"], "UASC_END_RATE", [period], la_code="371").loc[start]
    assert year.numerator == count
    assert year.value == pytest.approx(count / population * 10_000)
